//! Webhooks to the marketplace (Standard Webhooks), against a real HTTP receiver on 127.0.0.1
//! that verifies every delivery with the reference library (`standardwebhooks` on PyPI): every
//! event kind signed and verified, in order per request, retried after a 500 and after a refused
//! connection, given up after the last attempt, delivered once per event id; a tampered body
//! fails; rotation keeps the old secret signing for a day.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use parley_app::StripeSettings;
use parley_domain::webhook::EVENT_TYPES;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, error_codes, free_port};
use crate::orders::{
    SECRET_KEY, WEBHOOK_SECRET, completed, fake_stripe, now_seconds, quote_accepted, quote_sent,
    webhook,
};

both!(
    every_event_reaches_the_marketplace_signed_and_in_order,
    a_failing_receiver_is_retried_then_given_up,
    the_runner_serve_starts_delivers_on_its_own,
    a_receiver_that_never_answers_times_out_and_is_retried,
);

/// The Python receiver (tests/api/webhook_receiver.py).
struct Receiver {
    port: u16,
    child: Child,
    client: reqwest::Client,
}

impl Receiver {
    fn start(port: u16) -> Self {
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/api/webhook_receiver.py"
            ))
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 (with standardwebhooks, installed by scripts/test)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver's port");
        let port = line.trim().parse().expect("a port");
        Self {
            port,
            child,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    async fn post(&self, path: &str, body: String) {
        let response = self
            .client
            .post(format!("http://127.0.0.1:{}{path}", self.port))
            .body(body)
            .send()
            .await
            .expect("receiver");
        assert_eq!(response.status(), 204);
    }

    async fn use_secret(&self, secret: &str) {
        self.post("/secret", secret.to_owned()).await;
    }

    async fn fail_next(&self, n: u32, status: u16) {
        self.post(&format!("/fail?n={n}&status={status}"), String::new())
            .await;
    }

    /// Every delivery received, oldest first.
    async fn received(&self) -> Vec<Value> {
        self.client
            .get(format!("http://127.0.0.1:{}/received", self.port))
            .send()
            .await
            .expect("receiver")
            .json()
            .await
            .expect("json")
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings() -> parley_app::Settings {
    let mut settings = TestApp::settings();
    settings.webhooks_allow_private = true;
    settings
}

/// Registers an endpoint; returns its id and secret.
async fn register(t: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let response = t
        .post_json(
            &t.marketplace_key,
            "/api/v1/webhooks",
            &json!({ "url": url, "events": events }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("json");
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (created["id"].as_str().expect("id").to_owned(), secret)
}

/// Runs the jobs due at `at` until none is left.
async fn drain(t: &TestApp, at: parley_domain::Timestamp) {
    for _ in 0..100 {
        if t.app.run_due_jobs(at).await.expect("jobs") == 0 {
            return;
        }
    }
    panic!("the jobs never ran out");
}

fn later(ms: i64) -> parley_domain::Timestamp {
    parley_domain::Timestamp(parley_app::now().0 + ms)
}

async fn deliveries(t: &TestApp, hook: &str) -> Vec<Value> {
    t.get_json(
        &t.marketplace_key,
        &format!("/api/v1/webhooks/{hook}/deliveries"),
    )
    .await
    .as_array()
    .expect("deliveries")
    .clone()
}

fn body(delivery: &Value) -> Value {
    serde_json::from_str(delivery["body"].as_str().expect("body")).expect("a JSON body")
}

async fn every_event_reaches_the_marketplace_signed_and_in_order(db: Db) {
    let stripe = fake_stripe().await;
    let mut settings = settings();
    settings.stripe = Some(StripeSettings {
        api: format!("http://{stripe}"),
        secret_key: SECRET_KEY.to_owned(),
        webhook_secret: WEBHOOK_SECRET.to_owned(),
    });
    let t = TestApp::spawn_with(db, settings).await;
    let receiver = Receiver::start(0);

    // Every bad field at once; only a marketplace's key registers.
    let bad = t
        .post_json(
            &t.marketplace_key,
            "/api/v1/webhooks",
            &json!({ "url": "ftp://user:pw@x.example", "events": ["request.nope"] }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(error_codes(bad).await, ["url_invalid", "event_unknown"]);
    let by_member = t
        .post_json(
            &t.maker.token,
            "/api/v1/webhooks",
            &json!({ "url": receiver.url(), "events": ["request.created"] }),
        )
        .await;
    assert_eq!(by_member.status(), 403);

    let (hook, secret) = register(&t, &receiver.url(), EVENT_TYPES).await;
    receiver.use_secret(&secret).await;
    let listed = t.get_json(&t.marketplace_key, "/api/v1/webhooks").await;
    assert_eq!(listed[0]["id"], hook.as_str());
    assert!(listed[0].get("secret").is_none(), "shown once: {listed}");

    // One request from quote to review: created, routed, first response, quote sent and
    // accepted, paid, ordered (won), reviewed.
    let (request, buyer, quote) = quote_accepted(&t).await;
    let payload = completed("evt_1", &quote, 153_600);
    let signed = parley_pay::sign(WEBHOOK_SECRET, now_seconds(), &payload);
    assert_eq!(webhook(&t, &payload, &signed).await, 200);
    let ordered = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/order"),
            &json!({ "billing": "Brasserie, Lyon", "delivery": "Dock 3, Lyon" }),
        )
        .await;
    assert_eq!(ordered.status(), 204);
    let reviewed = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/review"),
            &json!({ "rating": 4, "comment": "Fast and clear" }),
        )
        .await;
    assert_eq!(reviewed.status(), 204);
    // A quote declined; a request forwarded, one declined, one reported as spam, one lost.
    let (_, buyer2, quote2) = quote_sent(&t).await;
    let declined = t
        .post_json(
            &buyer2.token,
            &format!("/api/v1/quotes/{quote2}/decline"),
            &json!({ "comment": "Too expensive" }),
        )
        .await;
    assert_eq!(declined.status(), 200);
    let act = |path: String, body: Value| {
        let t = &t;
        async move {
            let response = t.post_json(&t.maker.token, &path, &body).await;
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
        }
    };
    // From Spain: routed to the distributor.
    t.request_from("ES", "eva@g.example").await;
    let (forwarded, _) = t.request_from("FR", "ana@c.example").await;
    act(
        format!("/api/v1/requests/{forwarded}/forward"),
        json!({ "to_email": "expert@consult.example" }),
    )
    .await;
    let (declined, _) = t.request_from("FR", "bo@d.example").await;
    act(
        format!("/api/v1/requests/{declined}/decline"),
        json!({ "reason": "out_of_stock", "note": "private note" }),
    )
    .await;
    let (spam, _) = t.request_from("FR", "spam@e.example").await;
    act(
        format!("/api/v1/requests/{spam}/decline"),
        json!({ "reason": "spam" }),
    )
    .await;
    let (lost, _) = t.request_from("FR", "cy@f.example").await;
    act(
        format!("/api/v1/requests/{lost}/outcome"),
        json!({ "outcome": "lost" }),
    )
    .await;

    drain(&t, parley_app::now()).await;
    let received = receiver.received().await;
    let types: Vec<String> = received
        .iter()
        .map(|d| body(d)["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    for kind in EVENT_TYPES {
        assert!(types.iter().any(|t| t == kind), "{kind} missing: {types:?}");
    }
    for delivery in &received {
        assert_eq!(delivery["verified"], true, "{delivery}");
        assert_eq!(delivery["tampered_rejected"], true, "{delivery}");
        assert_eq!(delivery["status"], 200);
        // Ids, statuses and times: never text, documents or the buyer's contact details.
        let text = delivery["body"].as_str().unwrap_or_default();
        for private in [
            "@b.example",
            "Buyer FR",
            "Buying Co",
            "+34",
            "presupuesto",
            "Our quote",
            "private note",
            "out_of_stock",
            "Too expensive",
            "Fast and clear",
            "Dock 3",
            "expert@",
        ] {
            assert!(!text.contains(private), "{private} in {text}");
        }
    }
    // Once per event id.
    let mut ids: Vec<&str> = received.iter().filter_map(|d| d["id"].as_str()).collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "an event delivered twice");
    // In order per request.
    let of_request: Vec<String> = received
        .iter()
        .map(body)
        .filter(|b| b["data"]["request_id"] == request.as_str())
        .map(|b| b["type"].as_str().unwrap_or_default().to_owned())
        .filter(|kind| kind != "request.routed")
        .collect();
    assert_eq!(
        of_request,
        [
            "request.created",
            "request.first_response",
            "quote.sent",
            "quote.accepted",
            "order.paid",
            "order.confirmed",
            "request.won",
            "review.created"
        ]
    );
    let first = received
        .iter()
        .map(body)
        .find(|b| b["type"] == "request.first_response")
        .expect("first response");
    assert!(first["data"]["response_time_seconds"].is_i64(), "{first}");
    // The marketplace reads what was delivered; nobody else does.
    let listed = deliveries(&t, &hook).await;
    assert_eq!(listed.len(), received.len());
    assert!(
        listed.iter().all(|d| d["status"] == "delivered"
            && d["attempts"] == 1
            && d["last_response_code"] == 200),
        "{listed:?}"
    );
    let other = t
        .app
        .add_marketplace("other-expo", "Other Expo")
        .await
        .expect("marketplace");
    assert!(other.1);
    let other_key = t
        .app
        .create_marketplace_key("other-expo", "test")
        .await
        .expect("key");
    for path in [
        format!("/api/v1/webhooks/{hook}/deliveries"),
        format!("/api/v1/webhooks/{hook}/rotate"),
    ] {
        let response = if path.ends_with("rotate") {
            t.post_json(&other_key, &path, &json!({})).await
        } else {
            t.get(&other_key, &path).await
        };
        assert_eq!(response.status(), 404, "{path}");
    }
    assert_eq!(
        t.get(&t.maker.token, "/api/v1/webhooks").await.status(),
        403
    );
}

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
