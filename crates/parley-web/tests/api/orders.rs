//! From an accepted quote to a paid order and a review (issue 6), against a local server that
//! follows Stripe's documented Checkout requests and responses, with webhooks signed as Stripe
//! signs them — and forged, replayed and repeated ones.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Form;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use parley_app::StripeSettings;
use reqwest::multipart::Form as Multipart;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, Person, TestApp, error_codes, pdf, pdf_part};

both!(
    a_quote_is_paid_online_ordered_and_reviewed,
    without_online_payment_the_buyer_pays_offline,
    forged_or_untimely_payment_events_change_nothing,
);

pub(crate) const SECRET_KEY: &str = "sk_test_parley";
pub(crate) const WEBHOOK_SECRET: &str = "whsec_parley_test";

/// `POST /v1/checkout/sessions` as Stripe documents it: form-encoded, the secret key as Bearer.
/// Test settings with online payment through [`fake_stripe`].
pub(crate) async fn with_stripe() -> parley_app::Settings {
    let stripe = fake_stripe().await;
    let mut settings = TestApp::settings();
    settings.stripe = Some(StripeSettings {
        api: format!("http://{stripe}"),
        secret_key: SECRET_KEY.to_owned(),
        webhook_secret: WEBHOOK_SECRET.to_owned(),
    });
    settings
}

pub(crate) async fn fake_stripe() -> SocketAddr {
    let router = axum::Router::new().route(
        "/v1/checkout/sessions",
        post(|headers: HeaderMap, Form(form): Form<HashMap<String, String>>| async move {
            if headers.get("authorization").and_then(|v| v.to_str().ok())
                != Some(&format!("Bearer {SECRET_KEY}"))
            {
                return (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({ "error": { "message": "Invalid API Key provided" } })),
                );
            }
            assert_eq!(form["mode"], "payment");
            assert_eq!(form["line_items[0][quantity]"], "1");
            let id = format!("cs_test_{}", form["client_reference_id"].replace('-', ""));
            (
                StatusCode::OK,
                axum::Json(json!({
                    "id": id,
                    "object": "checkout.session",
                    "url": format!("https://checkout.stripe.com/c/pay/{id}"),
                    "amount_total": form["line_items[0][price_data][unit_amount]"].parse::<i64>().unwrap_or(0),
                    "currency": form["line_items[0][price_data][currency]"],
                })),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

pub(crate) async fn quote_accepted(t: &TestApp) -> (String, Person, String) {
    let (request, buyer, quote) = quote_sent(t).await;
    let accepted = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    (request, buyer, quote)
}

/// A request with a quote payable online (1,536.00 EUR), not yet answered by the buyer.
pub(crate) async fn quote_sent(t: &TestApp) -> (String, Person, String) {
    let (request, buyer) = t.request_from("FR", "luc@b.example").await;
    let form = Multipart::new()
        .text("body", "Our quote")
        .part("quote", pdf_part(pdf(), "quote.pdf"))
        .text("online_payment", "1")
        .text("quote_amount", "1200")
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "Q-9")
        .text("quote_tax", "336");
    assert_eq!(
        t.post_form(&t.maker.token, &request, form).await.status(),
        201
    );
    let quotes = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}/quotes"))
        .await;
    let quote = quotes["quotes"][0]["id"].as_str().expect("id").to_owned();
    (request, buyer, quote)
}

async fn forged_or_untimely_payment_events_change_nothing(db: Db) {
    let t = TestApp::spawn_with(db, with_stripe().await).await;
    let (request, buyer, quote) = quote_sent(&t).await;
    // Correctly signed, but the quote was never accepted: refused, nothing paid.
    let payload = completed("evt_early", &quote, 153_600);
    let signed = parley_pay::sign(WEBHOOK_SECRET, now_seconds(), &payload);
    assert_eq!(webhook(&t, &payload, &signed).await, 409);
    let kinds = t.history_kinds(&buyer, &request).await;
    assert!(!kinds.contains(&"payment_received".to_owned()), "{kinds:?}");
    // A header stuffed with signatures, or a huge body, is refused before any HMAC.
    let stuffed = format!("t={},{}", now_seconds(), "v1=00,".repeat(900));
    assert_eq!(webhook(&t, &payload, &stuffed).await, 403);
    let huge = vec![b' '; 2 * 1024 * 1024];
    assert_eq!(webhook(&t, &huge, &signed).await, 413);
}

pub(crate) fn completed(event_id: &str, quote: &str, amount: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": "cs_test_1",
            "object": "checkout.session",
            "client_reference_id": quote,
            "payment_status": "paid",
            "amount_total": amount,
            "currency": "eur"
        } }
    }))
    .expect("json")
}

pub(crate) async fn webhook(t: &TestApp, payload: &[u8], signature: &str) -> u16 {
    t.client
        .post(t.url("/webhooks/stripe"))
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(payload.to_vec())
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

pub(crate) fn now_seconds() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    )
    .expect("seconds")
}

async fn a_quote_is_paid_online_ordered_and_reviewed(db: Db) {
    let mut settings = with_stripe().await;
    settings.dev_mailbox = true;
    let t = TestApp::spawn_with(db, settings).await;
    let (request, buyer, quote) = quote_accepted(&t).await;
    // The buyer got the dedicated quote notification.
    while t.app.queue_pending_notifications(100).await.expect("queue") > 0 {}
    let mailbox = t.app.dev_mailbox(50).await.expect("mailbox");
    let notice = mailbox
        .iter()
        .find(|q| q.mail.kind == "new_quote" && q.mail.recipient == "luc@b.example")
        .expect("a quote notification");
    assert!(
        // The buyer reads Spanish, the sellers French: each in their language.
        notice.mail.subject.starts_with("Nuevo presupuesto:"),
        "{}",
        notice.mail.subject
    );
    assert!(
        notice
            .mail
            .text_body
            .contains("confirme su pedido en línea")
    );
    let order = |body: Value| {
        let (t, token, path) = (
            &t,
            buyer.token.clone(),
            format!("/api/v1/quotes/{quote}/order"),
        );
        async move { t.post_json(&token, &path, &body).await }
    };
    let details =
        json!({ "billing": "Brasserie du Rhône, 1 quai, Lyon", "delivery": "Dock 3, Lyon" });
    // Payable online: not before the payment.
    assert_eq!(
        error_codes(order(details.clone()).await).await,
        ["payment_required"]
    );
    let page: Value = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/pay"),
            &json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(
        page["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://checkout.stripe.com/")),
        "{page}"
    );
    // Only a verified webhook confirms it: unsigned, forged, replayed are refused.
    let payload = completed("evt_1", &quote, 153_600);
    let now = now_seconds();
    assert_eq!(webhook(&t, &payload, "").await, 403);
    let forged = parley_pay::sign("whsec_guessed", now, &payload);
    assert_eq!(webhook(&t, &payload, &forged).await, 403);
    let replayed = parley_pay::sign(WEBHOOK_SECRET, now - 3600, &payload);
    assert_eq!(webhook(&t, &payload, &replayed).await, 403);
    let tampered = parley_pay::sign(WEBHOOK_SECRET, now, &payload);
    assert_eq!(
        webhook(&t, &completed("evt_1", &quote, 1), &tampered).await,
        403
    );
    // The wrong amount, even signed, is not a payment of this quote.
    let wrong = completed("evt_0", &quote, 100);
    assert_eq!(
        webhook(&t, &wrong, &parley_pay::sign(WEBHOOK_SECRET, now, &wrong)).await,
        422
    );
    let signed = parley_pay::sign(WEBHOOK_SECRET, now, &payload);
    assert_eq!(webhook(&t, &payload, &signed).await, 200);
    assert_eq!(webhook(&t, &payload, &signed).await, 200, "Stripe retries");
    let kinds = t.history_kinds(&buyer, &request).await;
    assert_eq!(kinds.iter().filter(|k| *k == "payment_received").count(), 1);
    // Paid: the order goes through once, and the seller is told with the details.
    assert_eq!(
        order(json!({ "billing": "", "delivery": "" }))
            .await
            .status(),
        422
    );
    assert_eq!(order(details.clone()).await.status(), 204);
    assert_eq!(order(details).await.status(), 409);
    let mailbox = t.app.dev_mailbox(50).await.expect("mailbox");
    let confirmation = mailbox
        .iter()
        .find(|q| {
            q.mail.kind == "order_confirmed" && q.mail.recipient == "claire@hydrotech.example"
        })
        .expect("order confirmation to the seller");
    assert!(confirmation.mail.text_body.contains("Dock 3, Lyon"));
    assert!(confirmation.mail.text_body.contains("payée en ligne"));
    // A review, once, 1 to 5.
    let review = |body: Value| {
        let (t, token, path) = (
            &t,
            buyer.token.clone(),
            format!("/api/v1/requests/{request}/review"),
        );
        async move { t.post_json(&token, &path, &body).await.status() }
    };
    assert_eq!(review(json!({ "rating": 6 })).await, 422);
    assert_eq!(
        review(json!({ "rating": 5, "comment": "Fast and clear" })).await,
        204
    );
    assert_eq!(review(json!({ "rating": 1 })).await, 409);
    // The seller's history holds every step, in order.
    let kinds = t.history_kinds(&t.maker, &request).await;
    let steps: Vec<&str> = kinds
        .iter()
        .rev()
        .map(String::as_str)
        .filter(|k| {
            [
                "quote_sent",
                "quote_accepted",
                "payment_received",
                "order_confirmed",
                "review_left",
            ]
            .contains(k)
        })
        .collect();
    assert_eq!(
        steps,
        [
            "quote_sent",
            "quote_accepted",
            "payment_received",
            "order_confirmed",
            "review_left"
        ]
    );
    // The review counts in the network statistics.
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(network["own_rating"]["reviews"], 1);
    assert_eq!(network["own_rating"]["average_review"], 5.0);
}

async fn without_online_payment_the_buyer_pays_offline(db: Db) {
    let t = TestApp::spawn(db).await;
    let (_, buyer, quote) = quote_accepted(&t).await;
    let pay = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/pay"),
            &json!({}),
        )
        .await;
    assert_eq!(error_codes(pay).await, ["payment_unavailable"]);
    let order = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/order"),
            &json!({ "billing": "Acme, Paris", "delivery": "Acme, Paris" }),
        )
        .await;
    assert_eq!(order.status(), 204);
    // Nobody but the buyer orders.
    let other = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/quotes/{quote}/order"),
            &json!({ "billing": "x", "delivery": "y" }),
        )
        .await;
    assert_eq!(other.status(), 404);
}
