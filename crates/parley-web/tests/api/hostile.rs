//! Hostile and unlucky input: one bad value never stops the service.

use parley_app::mail::outbox::Mail;
use parley_smtp::DeliveryConfig;
use parley_smtp::sender::{Transport, deliver_due};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, SmtpSink, TestApp, error_codes, free_port};

both!(
    control_characters_never_enter_a_header_field,
    one_bad_mail_fails_alone_and_the_others_go_out,
    a_failing_worker_shows_in_health_and_metrics,
    oversized_fields_are_refused,
    the_dev_mailbox_pages_and_cuts_huge_mail,
);

fn request_body(t: &TestApp, name: &str, company: &str, product: &str) -> Value {
    json!({
        "buyer": {
            "name": name,
            "company": company,
            "country": "FR",
            "language": "fr",
            "email": "evil@buyer.example",
        },
        "manufacturer_id": t.manufacturer.to_string(),
        "product": { "reference": "HT-200", "name": product },
        "message": "Bonjour"
    })
}

async fn control_characters_never_enter_a_header_field(db: Db) {
    let t = TestApp::spawn(db).await;
    let hostile = request_body(
        &t,
        "Evil\"\r\nBcc: victim@x.example",
        "Acme\nX-Injected: 1",
        "Pump\u{202E}fdp.exe",
    );
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &hostile)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.expect("json");
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    for field in ["buyer.name", "buyer.company", "product.name"] {
        assert!(
            fields.contains(&(field, "control_character")),
            "{field} in {fields:?}"
        );
    }
    // Nothing was queued for anyone.
    let mut conn = t.app.store().read().await.expect("conn");
    let queued = parley_store::outbox::recent(&mut conn, 10)
        .await
        .expect("rows");
    assert!(queued.is_empty(), "{queued:?}");
    drop(conn);
    let fine = request_body(&t, "Élodie \"Lodie\" Fabre", "Fabre & Fils", "Pump");
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &fine)
        .await;
    assert_eq!(response.status(), 201, "quotes and accents are fine");

    // A network member's name goes through the same rule.
    let response = t
        .post_json(
            &t.maker.token,
            "/api/v1/network/members",
            &json!({
                "name": "Bad\r\nName", "kind": "distributor", "territories": "IT",
                "contact_name": "Ok Name", "contact_email": "ok@it.example",
            }),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        error_codes(response)
            .await
            .contains(&"control_character".to_owned())
    );
}

fn smarthost(port: u16) -> DeliveryConfig {
    DeliveryConfig {
        smarthost: Some(format!("smtp://127.0.0.1:{port}")),
        from_address: "noreply@reply.parley.localhost".to_owned(),
        message_id_domain: "reply.parley.localhost".to_owned(),
        poll_interval: std::time::Duration::from_secs(1),
        batch: 50,
        dkim: None,
    }
}

/// Queues `mail` as an older Parley (or a forgotten path) might have: straight into the outbox.
async fn enqueue(t: &TestApp, mail: Mail) {
    t.app
        .store()
        .write(mail, |tx, mail| {
            Box::pin(parley_store::outbox::enqueue(tx, mail))
        })
        .await
        .expect("enqueue");
}

fn mail(id: &str, recipient: &str, from_name: &str) -> Mail {
    Mail {
        id: id.to_owned(),
        recipient: recipient.to_owned(),
        subject: "Line one\r\nBcc: victim@x.example".to_owned(),
        text_body: format!("Body of {id}"),
        from_name: Some(from_name.to_owned()),
        kind: "test".to_owned(),
        created_at: parley_app::now().0,
        ..Mail::default()
    }
}

async fn one_bad_mail_fails_alone_and_the_others_go_out(db: Db) {
    let t = TestApp::spawn(db).await;
    let sink = SmtpSink::start();
    let config = smarthost(sink.port);
    // A display name that made lettre panic, a recipient that cannot be an address, and an
    // ordinary mail, in one batch.
    enqueue(
        &t,
        mail(
            "00000000-0000-7000-8000-000000000001",
            "ana@buyer.example",
            "Evil\"\r\nBcc: victim@x.example",
        ),
    )
    .await;
    enqueue(
        &t,
        mail(
            "00000000-0000-7000-8000-000000000002",
            "not an address",
            "Fine",
        ),
    )
    .await;
    enqueue(
        &t,
        mail(
            "00000000-0000-7000-8000-000000000003",
            "bob@buyer.example",
            "Fine",
        ),
    )
    .await;
    let claimed = deliver_due(
        &t.app,
        &config,
        &Transport::new(&config).expect("transport"),
    )
    .await
    .expect("the worker goes on");
    assert_eq!(claimed, 3);
    let received = sink.received();
    assert!(received.contains("Body of 00000000-0000-7000-8000-000000000001"));
    assert!(received.contains("Body of 00000000-0000-7000-8000-000000000003"));
    assert!(
        !received
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "no header was injected: {received}"
    );
    let mut conn = t.app.store().read().await.expect("conn");
    let rows = parley_store::outbox::recent(&mut conn, 10)
        .await
        .expect("rows");
    let bad = rows
        .iter()
        .find(|q| q.mail.recipient == "not an address")
        .expect("bad row");
    assert!(bad.sent_at.is_none());
    let error = bad.last_error.as_deref().unwrap_or_default();
    assert!(error.contains("build"), "{error}");
    assert!(error.contains("gave up"), "not retried forever: {error}");
    assert_eq!(rows.iter().filter(|q| q.sent_at.is_some()).count(), 2);
    // Nothing left to claim: the bad mail is not leased again.
    assert_eq!(
        deliver_due(
            &t.app,
            &config,
            &Transport::new(&config).expect("transport")
        )
        .await
        .expect("deliver"),
        0
    );
    let metrics = t
        .client
        .get(t.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("parley_mail_failures_total{reason=\"build\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("parley_mail_delivered_total 2"),
        "{metrics}"
    );
}

async fn a_failing_worker_shows_in_health_and_metrics(db: Db) {
    let t = TestApp::spawn(db).await;
    let health = || async {
        let response = t
            .client
            .get(t.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        (
            response.status().as_u16(),
            response.text().await.expect("text"),
        )
    };
    t.app.worker_health().started();
    assert_eq!(health().await.0, 200);
    // The smarthost is down: every delivery fails.
    let down = smarthost(free_port());
    for n in 0..parley_app::worker_health::FAILING_AFTER {
        enqueue(
            &t,
            mail(
                &format!("00000000-0000-7000-8000-0000000001{n:02}"),
                "ana@buyer.example",
                "Parley",
            ),
        )
        .await;
    }
    deliver_due(&t.app, &down, &Transport::new(&down).expect("transport"))
        .await
        .expect("deliver");
    let (status, body) = health().await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("worker: failing"), "{body}");
    assert!(body.contains("database: ok"), "{body}");
}

async fn oversized_fields_are_refused(db: Db) {
    let t = TestApp::spawn(db).await;
    let mut body = request_body(&t, "Ana", "Acme", "Pump");
    body["message"] = json!("x".repeat(parley_domain::message::MAX_MESSAGE_CHARS + 1));
    let refused = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["message_too_long"]);
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    let long = "y".repeat(1_000_000);
    let refused = t.say(&t.maker, &request, &long).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["message_too_long"]);
}

async fn the_dev_mailbox_pages_and_cuts_huge_mail(db: Db) {
    let t = crate::relay::spawn(db).await;
    for n in 0..60 {
        let mut queued = mail(
            &format!("00000000-0000-7000-8000-0000000002{n:02}"),
            "ana@buyer.example",
            "Parley",
        );
        queued.created_at += n;
        if n == 59 {
            queued.text_body = "x".repeat(1_000_000);
        }
        enqueue(&t, queued).await;
    }
    let page = t
        .client
        .get(t.url("/dev/mail"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert_eq!(page.matches("class=\"card mail\"").count(), 50);
    assert!(
        page.len() < 200_000,
        "the 1 MB line is cut: {} bytes",
        page.len()
    );
    assert!(page.contains("more characters]"));
    let older = page
        .split("href=\"/dev/mail?before=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older mail");
    let rest = t
        .client
        .get(t.url(&format!("/dev/mail?before={older}")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert_eq!(rest.matches("class=\"card mail\"").count(), 10);
    assert!(!rest.contains("href=\"/dev/mail?before="));
}
