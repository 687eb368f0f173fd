//! Webhooks to the marketplace (Standard Webhooks), against a real HTTP receiver on 127.0.0.1
//! that verifies every delivery with the reference library (`standardwebhooks` on PyPI): every
//! event kind signed and verified, in order per request, retried after a 500 and after a refused
//! connection, given up after the last attempt, delivered once per event id; a tampered body
//! fails; rotation keeps the old secret signing for a day (failures: `webhooks_retries`).

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use parley_app::StripeSettings;
use parley_domain::webhook::EVENT_TYPES;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, error_codes};
use crate::orders::{
    SECRET_KEY, WEBHOOK_SECRET, completed, fake_stripe, now_seconds, quote_accepted, quote_sent,
    webhook,
};

both!(every_event_reaches_the_marketplace_signed_and_in_order,);

/// The Python receiver (tests/api/webhook_receiver.py).
pub(crate) struct Receiver {
    port: u16,
    child: Child,
    client: reqwest::Client,
}

impl Receiver {
    pub(crate) fn start(port: u16) -> Self {
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

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub(crate) async fn post(&self, path: &str, body: String) {
        let response = self
            .client
            .post(format!("http://127.0.0.1:{}{path}", self.port))
            .body(body)
            .send()
            .await
            .expect("receiver");
        assert_eq!(response.status(), 204);
    }

    pub(crate) async fn use_secret(&self, secret: &str) {
        self.post("/secret", secret.to_owned()).await;
    }

    pub(crate) async fn fail_next(&self, n: u32, status: u16) {
        self.post(&format!("/fail?n={n}&status={status}"), String::new())
            .await;
    }

    /// Every delivery received, oldest first.
    pub(crate) async fn received(&self) -> Vec<Value> {
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

pub(crate) fn settings() -> parley_app::Settings {
    let mut settings = TestApp::settings();
    settings.webhooks_allow_private = true;
    settings
}

/// Registers an endpoint; returns its id and secret.
pub(crate) async fn register(t: &TestApp, url: &str, events: &[&str]) -> (String, String) {
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
pub(crate) async fn drain(t: &TestApp, at: parley_domain::Timestamp) {
    for _ in 0..100 {
        if t.app.run_due_jobs(at).await.expect("jobs") == 0 {
            return;
        }
    }
    panic!("the jobs never ran out");
}

pub(crate) fn later(ms: i64) -> parley_domain::Timestamp {
    parley_domain::Timestamp(parley_app::now().0 + ms)
}

pub(crate) async fn deliveries(t: &TestApp, hook: &str) -> Vec<Value> {
    t.get_json(
        &t.marketplace_key,
        &format!("/api/v1/webhooks/{hook}/deliveries"),
    )
    .await
    .as_array()
    .expect("deliveries")
    .clone()
}

pub(crate) fn body(delivery: &Value) -> Value {
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
