//! Webhooks that fail: a failing receiver retried then given up, one that never answers timed
//! out and retried, and `serve`'s runner delivering on its own.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, free_port};
use crate::webhooks::{Receiver, body, deliveries, drain, later, register, settings};

both!(
    a_failing_receiver_is_retried_then_given_up,
    the_runner_serve_starts_delivers_on_its_own,
    a_receiver_that_never_answers_times_out_and_is_retried,
);

async fn a_failing_receiver_is_retried_then_given_up(db: Db) {
    let t = TestApp::spawn_with(db, settings()).await;
    let answering = Receiver::start(0);
    let (answering_hook, secret) = register(&t, &answering.url(), &["request.created"]).await;
    answering.use_secret(&secret).await;
    answering.fail_next(1, 500).await;
    // Nothing listens on `late` until the receiver starts there; nothing ever on `dead`.
    let late = free_port();
    let (late_hook, late_secret) = register(
        &t,
        &format!("http://127.0.0.1:{late}/hook"),
        &["request.created"],
    )
    .await;
    let dead = free_port();
    let (dead_hook, _) = register(
        &t,
        &format!("http://127.0.0.1:{dead}/hook"),
        &["request.created"],
    )
    .await;
    let (request, _) = t.request_from("FR", "ana@c.example").await;
    drain(&t, parley_app::now()).await;
    let first = deliveries(&t, &answering_hook).await;
    assert_eq!(first[0]["status"], "pending");
    assert_eq!(first[0]["attempts"], 1);
    assert_eq!(first[0]["last_response_code"], 500);
    let refused = deliveries(&t, &late_hook).await;
    assert_eq!(refused[0]["status"], "pending");
    assert!(
        refused[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("could not reach")),
        "{refused:?}"
    );
    // The receiver comes up; an hour later both are delivered.
    let late_receiver = Receiver::start(late);
    late_receiver.use_secret(&late_secret).await;
    drain(&t, later(3_600_000)).await;
    for hook in [&answering_hook, &late_hook] {
        let now = deliveries(&t, hook).await;
        assert_eq!(now[0]["status"], "delivered", "{now:?}");
        assert_eq!(now[0]["attempts"], 2);
        assert_eq!(now[0]["last_response_code"], 200);
    }
    let received = answering.received().await;
    assert_eq!(received.len(), 2, "the 500, then the retry");
    assert_eq!(received[0]["id"], received[1]["id"], "the same message id");
    assert_eq!(
        received.iter().filter(|d| d["status"] == 200).count(),
        1,
        "delivered once"
    );
    assert_eq!(body(&received[1])["data"]["request_id"], request.as_str());
    assert_eq!(late_receiver.received().await[0]["verified"], true);
    // The dead endpoint is tried for about a day, then given up, visibly.
    for hour in 1..=40 {
        drain(&t, later(hour * 3_600_000)).await;
    }
    let given_up = deliveries(&t, &dead_hook).await;
    assert_eq!(given_up[0]["status"], "failed", "{given_up:?}");
    assert_eq!(given_up[0]["attempts"], 15);
    assert!(given_up[0]["next_attempt_at"].is_null());
    let metrics = t.text("/metrics").await;
    assert!(
        metrics.contains("parley_jobs_dead{kind=\"webhook\"} 1"),
        "{metrics}"
    );

    // A rotated secret: the old one still signs for a day, the new one at once.
    let rotated: Value = t
        .post_json(
            &t.marketplace_key,
            &format!("/api/v1/webhooks/{late_hook}/rotate"),
            &json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    let new_secret = rotated["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new_secret, late_secret);
    t.request_from("FR", "bo@d.example").await;
    drain(&t, parley_app::now()).await;
    late_receiver.use_secret(&new_secret).await;
    t.request_from("FR", "cy@e.example").await;
    drain(&t, parley_app::now()).await;
    let verified: Vec<Value> = late_receiver.received().await;
    assert_eq!(verified.len(), 3);
    assert!(
        verified.iter().all(|d| d["verified"] == true),
        "{verified:?}"
    );
    // A deleted endpoint hears nothing more.
    let before = answering.received().await.len();
    let deleted = t
        .client
        .delete(t.url(&format!("/api/v1/webhooks/{answering_hook}")))
        .bearer_auth(&t.marketplace_key)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(deleted.status(), 204);
    t.request_from("FR", "di@f.example").await;
    drain(&t, parley_app::now()).await;
    assert_eq!(answering.received().await.len(), before);
    assert!(
        t.get_json(&t.marketplace_key, "/api/v1/webhooks")
            .await
            .as_array()
            .is_some_and(|l| l.len() == 2)
    );
}

/// `serve` starts `jobs::run`: a webhook goes out without anybody asking, soon after its event.
async fn the_runner_serve_starts_delivers_on_its_own(db: Db) {
    let t = TestApp::spawn_with(db, settings()).await;
    tokio::spawn(parley_app::jobs::run(
        t.app.clone(),
        std::time::Duration::from_millis(20),
        None,
        std::future::pending(),
    ));
    let receiver = Receiver::start(0);
    let (_, secret) = register(&t, &receiver.url(), &["request.created"]).await;
    receiver.use_secret(&secret).await;
    let (request, _) = t.request_from("FR", "ana@c.example").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let received = loop {
        let received = receiver.received().await;
        if !received.is_empty() {
            break received;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no delivery within 20 s"
        );
        tokio::task::yield_now().await;
    };
    assert_eq!(body(&received[0])["data"]["request_id"], request.as_str());
    assert_eq!(received[0]["verified"], true);
}

/// A receiver that takes the connection and never answers: the attempt ends after 10 s and is
/// tried again later.
async fn a_receiver_that_never_answers_times_out_and_is_retried(db: Db) {
    let t = TestApp::spawn_with(db, settings()).await;
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = silent.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let (hook, _) = register(
        &t,
        &format!("http://127.0.0.1:{port}/hook"),
        &["request.created"],
    )
    .await;
    t.request_from("FR", "ana@c.example").await;
    let started = std::time::Instant::now();
    drain(&t, parley_app::now()).await;
    assert!(started.elapsed() >= parley_app::jobs::webhooks::TIMEOUT);
    let listed = deliveries(&t, &hook).await;
    assert_eq!(listed[0]["status"], "pending", "{listed:?}");
    assert_eq!(listed[0]["attempts"], 1);
    assert!(
        listed[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("no answer within 10 s")),
        "{listed:?}"
    );
}
