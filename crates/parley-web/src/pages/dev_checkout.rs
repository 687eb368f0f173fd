//! The development stand-in for Stripe Checkout (see `parley_pay::DevCheckout`): a payment page
//! whose *Pay* sends Parley a webhook signed as Stripe signs, through the same verification.
//! Only when no Stripe key is configured and the dev mode (`serve --demo`) is on.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{SignedForm, SignedIn};
use super::{PageError, render};
use crate::AppState;

#[derive(Deserialize)]
pub struct Session {
    reference: String,
    amount: i64,
    currency: String,
    #[serde(default)]
    description: String,
    success: String,
}

#[derive(Template)]
#[template(
    source = "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>Test checkout</title><link rel=\"stylesheet\" href=\"/static/parley.css\"></head><body><main>\
<section class=\"card\"><h1>Test checkout</h1><p class=\"muted\">Parley's stand-in for Stripe Checkout: no money moves.</p>\
<p>{{ description }}</p><p class=\"total\">{{ amount }} {{ currency }}</p>\
<form method=\"post\"><input type=\"hidden\" name=\"reference\" value=\"{{ reference }}\">\
<input type=\"hidden\" name=\"amount\" value=\"{{ minor }}\"><input type=\"hidden\" name=\"currency\" value=\"{{ currency }}\">\
<input type=\"hidden\" name=\"description\" value=\"{{ description }}\"><input type=\"hidden\" name=\"success\" value=\"{{ success }}\">\
<input type=\"hidden\" name=\"csrf\" value=\"{{ csrf }}\">\
<button type=\"submit\" class=\"primary\" id=\"pay-now\">Pay</button></form></section></main></body></html>",
    ext = "html"
)]
struct CheckoutPage {
    csrf: String,
    reference: String,
    minor: i64,
    amount: String,
    currency: String,
    description: String,
    success: String,
}

/// Only our own pages are a place to come back to.
fn local(url: &str, base: &str) -> bool {
    url.starts_with(base) && !base.is_empty()
}

/// The payment page: for the signed-in buyer of the quote only.
pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(_session): Path<String>,
    Query(session): Query<Session>,
) -> Result<Response, PageError> {
    if state.app.dev_checkout_secret().is_none() {
        return Err(PageError::NotFound);
    }
    let quote = session.reference.parse().map_err(|_| PageError::NotFound)?;
    state.app.may_pay(signed_in.caller(), quote).await?;
    let currency = session.currency.to_ascii_uppercase();
    let amount = parley_domain::Currency::parse(&currency)
        .map(|c| parley_domain::Money::from_minor(session.amount, c).to_string())
        .unwrap_or_else(|_| session.amount.to_string());
    Ok(render(&CheckoutPage {
        csrf: signed_in.session.csrf.clone(),
        reference: session.reference,
        minor: session.amount,
        amount,
        currency,
        description: session.description,
        success: session.success,
    }))
}

/// *Pay*: the signed-in buyer of an accepted quote only (anyone else could mark any quote
/// paid), then the webhook a real provider would send.
pub async fn pay(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    SignedForm {
        signed_in,
        form: session,
    }: SignedForm<Session>,
) -> Result<Response, PageError> {
    let Some(secret) = state.app.dev_checkout_secret() else {
        return Err(PageError::NotFound);
    };
    let quote = session.reference.parse().map_err(|_| PageError::NotFound)?;
    state.app.may_pay(signed_in.caller(), quote).await?;
    let base = state.app.settings().public_url.clone().unwrap_or_default();
    if !local(&session.success, &base) {
        return Err(PageError::NotFound);
    }
    let event = serde_json::json!({
        "id": format!("evt_{session_id}"),
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": session_id,
            "client_reference_id": session.reference,
            "payment_status": "paid",
            "amount_total": session.amount,
            "currency": session.currency.to_ascii_lowercase(),
        } }
    });
    let payload = serde_json::to_vec(&event).map_err(|e| PageError::Internal(e.to_string()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let signature = parley_pay::sign(&secret, now, &payload);
    state.app.payment_webhook(&payload, &signature).await?;
    Ok(Redirect::to(&session.success).into_response())
}
