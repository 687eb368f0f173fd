//! Floods: replies and messages past their limits are refused, a burst of messages is notified
//! once then gathered.

use crate::both;
use crate::helpers::{Db, TestApp};

both!(
    floods_are_limited,
    a_burst_of_messages_is_notified_once_then_gathered,
);

async fn floods_are_limited(db: Db) {
    let t = TestApp::spawn_with(
        db,
        parley_app::Settings {
            dev_mailbox: true,
            limits: parley_app::limits::LimitSettings {
                sign_in_per_address_hourly: 3,
                sign_in_per_ip_hourly: 20,
                api_per_second: 1,
                api_burst: 5,
                relay_per_minute: 2,
            },
            ..TestApp::settings()
        },
    )
    .await;
    // The API: a burst, then 429 with Retry-After, as a problem document.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(t.get(&t.maker.token, "/api/v1/requests").await);
    }
    let limited = statuses
        .into_iter()
        .find(|r| r.status() == 429)
        .expect("a 429 within 8 calls at 1/s with a burst of 5");
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    // Another token is not slowed down.
    assert_eq!(
        t.get(&t.maker2.token, "/api/v1/requests").await.status(),
        200
    );

    // Sign-in emails: at most 3 an hour for one address, then 429 and nothing queued.
    let client = reqwest::Client::new();
    let form = client.get(t.url("/signin")).send().await.expect("GET");
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let page = form.text().await.expect("text");
    let token = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("form token")
        .to_owned();
    let mut codes = Vec::new();
    for _ in 0..5 {
        let response = client
            .post(t.url("/signin"))
            .header("cookie", &cookie)
            .form(&[("email", "tom@hydrotech.example"), ("form_token", &token)])
            .send()
            .await
            .expect("POST");
        codes.push(response.status().as_u16());
    }
    assert_eq!(codes, [200, 200, 200, 429, 429]);
    let links = crate::relay::outbox(&t)
        .await
        .into_iter()
        .filter(|m| m.recipient == "tom@hydrotech.example" && m.kind == "sign_in_link")
        .count();
    assert_eq!(links, 3);

    // The relay: 2 replies a minute per sender and conversation, then 451 4.7.1.
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker2, &request, "Offer").await.status(), 201);
    let address = crate::relay::last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    for n in 0..2 {
        let raw = crate::relay::email("ana@buyer.example", &address, &format!("f{n}@b"), "Hi");
        crate::relay::send(t.smtp, "ana@buyer.example", &address, &raw)
            .await
            .expect("250");
    }
    let raw = crate::relay::email("ana@buyer.example", &address, "f3@b", "Hi again");
    let refused = crate::relay::refusal(t.smtp, "ana@buyer.example", &address, &raw).await;
    assert!(
        refused.contains("451") && refused.contains("4.7.1"),
        "{refused}"
    );
}

async fn a_burst_of_messages_is_notified_once_then_gathered(db: Db) {
    let t = crate::relay::spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    let to_ana = |t: &TestApp| {
        let t = t.app.clone();
        async move {
            while t.queue_pending_notifications(100).await.expect("queue") > 0 {}
            t.dev_mailbox(100)
                .await
                .expect("mailbox")
                .into_iter()
                .filter(|q| q.mail.recipient == "ana@buyer.example" && q.mail.kind == "new_message")
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(t.say(&t.maker, &request, "First.").await.status(), 201);
    let first = to_ana(&t).await;
    assert_eq!(first.len(), 1, "the first is emailed at once");
    // The worker hands it over (the dev mailbox: marked sent).
    t.app.outbox_to_dev_mailbox(100).await.expect("deliver");
    // Two more within two minutes, each queued by its own worker round: one digest, later.
    assert_eq!(t.say(&t.maker, &request, "Second.").await.status(), 201);
    to_ana(&t).await;
    assert_eq!(t.say(&t.maker, &request, "Third.").await.status(), 201);
    let all = to_ana(&t).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let digest = &all[0];
    assert!(digest.sent_at.is_none(), "the digest waits");
    assert!(
        // The buyer reads Spanish: the digest says so in Spanish.
        digest.mail.text_body.contains("2 mensajes nuevos"),
        "{}",
        digest.mail.text_body
    );
    assert!(digest.mail.text_body.contains("Third."));
    // Not due yet: the worker's next pass leaves it.
    let delivered = t.app.outbox_to_dev_mailbox(100).await.expect("deliver");
    assert!(!delivered.contains(&digest.mail.id), "{delivered:?}");
}
