//! The quote-to-order path in a browser (issue 6): the seller sends a quote with online
//! payment, the buyer accepts it, pays on a local stand-in for Stripe Checkout (which signs its
//! webhook as Stripe does), confirms billing and delivery, and leaves a review; the seller's
//! history shows every step in order.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use parley_app::StripeSettings;

use crate::driver::{Driver, available, find, find_text, screenshot};
use crate::flows::{place_order, sign_in, text};
use crate::helpers::{Db, TestApp, pdf};

const WEBHOOK_SECRET: &str = "whsec_browser";

/// A checkout session: (success URL, quote id, amount, currency).
type Session = (String, String, i64, String);

#[derive(Clone, Default)]
struct Checkout {
    /// session id → (success URL, quote id, amount, currency)
    sessions: Arc<Mutex<HashMap<String, Session>>>,
    /// Parley's address, for the webhook.
    parley: Arc<Mutex<Option<SocketAddr>>>,
    /// Its own address, for the payment page's URL.
    me: Arc<Mutex<Option<SocketAddr>>>,
}

async fn create(
    State(c): State<Checkout>,
    Form(form): Form<HashMap<String, String>>,
) -> impl IntoResponse {
    let id = format!("cs_test_{}", form["client_reference_id"].replace('-', ""));
    c.sessions.lock().expect("lock").insert(
        id.clone(),
        (
            form["success_url"].clone(),
            form["client_reference_id"].clone(),
            form["line_items[0][price_data][unit_amount]"]
                .parse()
                .unwrap_or(0),
            form["line_items[0][price_data][currency]"].clone(),
        ),
    );
    let me = c.me.lock().expect("lock").expect("address");
    axum::Json(serde_json::json!({ "id": id, "url": format!("http://{me}/pay/{id}") }))
}

async fn page(Path(id): Path<String>) -> Html<String> {
    Html(format!(
        "<!doctype html><title>Checkout</title><form method=post action=/pay/{id}>\
         <button id=pay-now type=submit>Pay</button></form>"
    ))
}

async fn pay(State(c): State<Checkout>, Path(id): Path<String>) -> impl IntoResponse {
    let (success, quote, amount, currency) = c
        .sessions
        .lock()
        .expect("lock")
        .get(&id)
        .cloned()
        .expect("session");
    let event = serde_json::to_vec(&serde_json::json!({
        "id": format!("evt_{id}"),
        "type": "checkout.session.completed",
        "data": { "object": { "id": id, "client_reference_id": quote,
            "payment_status": "paid", "amount_total": amount, "currency": currency } }
    }))
    .expect("json");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let signature = parley_pay::sign(WEBHOOK_SECRET, i64::try_from(now).expect("t"), &event);
    let parley = c.parley.lock().expect("lock").expect("parley");
    let status = reqwest::Client::new()
        .post(format!("http://{parley}/webhooks/stripe"))
        .header("stripe-signature", signature)
        .body(event)
        .send()
        .await
        .expect("webhook")
        .status();
    assert!(status.is_success(), "webhook: {status}");
    Redirect::to(&success)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quote_payment_order_and_review_in_a_browser() {
    if !available() {
        return;
    }
    let checkout = Checkout::default();
    let router = axum::Router::new()
        .route("/v1/checkout/sessions", post(create))
        .route("/pay/{id}", get(page).post(pay))
        .with_state(checkout.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let stripe = listener.local_addr().expect("addr");
    *checkout.me.lock().expect("lock") = Some(stripe);
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    let mut settings = TestApp::settings();
    settings.stripe = Some(StripeSettings {
        api: format!("http://{stripe}"),
        secret_key: "sk_test_browser".to_owned(),
        webhook_secret: WEBHOOK_SECRET.to_owned(),
    });
    let app = TestApp::spawn_with(Db::Sqlite, settings).await;
    *checkout.parley.lock().expect("lock") = Some(app.addr);
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let page_path = format!("/requests/{request}");
    let driver = Driver::start();
    let browser = driver.browser().await;

    // The seller: Attach a document → Quote, the payment form, Validate, Send.
    sign_in(&app, &browser, "claire@hydrotech.example", &page_path).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("quote-9.pdf");
    std::fs::write(&file, pdf()).expect("pdf");
    find(&browser, "#body")
        .await
        .send_keys("Here is our quote.")
        .await
        .expect("type");
    // "Attach a document" opens the choice: Quote or Other document (guide section 1).
    find(&browser, "#attach-button")
        .await
        .click()
        .await
        .expect("attach");
    find(&browser, "input[name=document_kind][value=quote]")
        .await
        .click()
        .await
        .expect("quote");
    find(&browser, "input[type=file]")
        .await
        .send_keys(&file.display().to_string())
        .await
        .expect("file");
    // Online payment is available: the box comes ticked (the seller may untick it).
    let online = find(&browser, "#online-payment").await;
    assert!(
        online.is_selected().await.expect("checkbox"),
        "ticked by default"
    );
    for (field, value) in [
        ("#quote-amount", "1 200,00"),
        ("#quote-tax", "240"),
        ("#quote-reference", "Q-9"),
    ] {
        find(&browser, field)
            .await
            .send_keys(value)
            .await
            .expect("type");
    }
    find(&browser, "#quote-valid")
        .await
        .send_keys("12312099")
        .await
        .expect("date");
    // Leave the date field (its picker) before clicking on.
    find(&browser, "#quote-description")
        .await
        .send_keys("Two HT-200 pumps")
        .await
        .expect("description");
    find(&browser, "#quote-validate")
        .await
        .click()
        .await
        .expect("validate");
    let checked = text(&browser, "#quote-checked > *").await;
    assert!(checked.contains("1,440.00 EUR in all"), "{checked}");
    screenshot(&browser, "quote-form").await;
    find(&browser, "#reply button[type=submit]")
        .await
        .click()
        .await
        .expect("send");
    find_text(&browser, "event", "Sent quote version 1: 1,440.00 EUR").await;

    // The buyer: accept, pay, confirm the order, review.
    sign_in(&app, &browser, "luc@b.example", &page_path).await;
    assert!(text(&browser, "#quotes").await.contains("1,440.00 EUR"));
    // Opening the quote (a download) is logged for the seller.
    find(&browser, "#quotes a[href^='/documents/']")
        .await
        .click()
        .await
        .expect("open the quote");
    find(&browser, "#quotes button[value=accept]")
        .await
        .click()
        .await
        .expect("accept");
    find(&browser, "#pay button")
        .await
        .click()
        .await
        .expect("pay online");
    find(&browser, "#pay-now")
        .await
        .click()
        .await
        .expect("pay at checkout");
    find_text(&browser, "ok", "Paid online").await;
    place_order(&browser, "Brasserie du Rhône, 1 quai, Lyon", "Dock 3, Lyon").await;
    find_text(&browser, "ok", "Order confirmed.").await;
    find(&browser, "#review summary")
        .await
        .click()
        .await
        .expect("open review");
    find(&browser, "#review-comment")
        .await
        .send_keys("Clear and fast")
        .await
        .expect("comment");
    find(&browser, "#review button")
        .await
        .click()
        .await
        .expect("review");
    find_text(&browser, "event", "Left a review: 5/5").await;
    screenshot(&browser, "buyer-after-order").await;

    // The seller's history: every step, newest first.
    sign_in(&app, &browser, "claire@hydrotech.example", &page_path).await;
    let history = text(&browser, "#history").await;
    let at = |needle: &str| {
        history
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {history}"))
    };
    assert!(at("Left a review") < at("Confirmed the order"));
    assert!(at("Confirmed the order") < at("Paid 1,440.00 EUR online"));
    assert!(at("Paid 1,440.00 EUR online") < at("Accepted quote version 1"));
    assert!(at("Accepted quote version 1") < at("Sent quote version 1"));
    assert!(at("Opened quote-9.pdf") < at("Sent quote version 1"));
    screenshot(&browser, "seller-order-history").await;
    browser.close().await.expect("close");
}
