//! Paying an accepted quote, the provider's webhook, confirming the order, reviewing.

use crate::ids::Id;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use parley_domain::{QuoteId, RequestId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentPage {
    /// Where to send the buyer to pay (the provider's page).
    pub url: String,
}

/// Start the online payment of an accepted quote (the buyer).
#[utoipa::path(
    post, path = "/quotes/{id}/pay", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    responses(
        (status = 200, body = PaymentPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already paid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "quote_not_accepted, payment_unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn pay(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<QuoteId>,
) -> Result<Json<PaymentPage>, ApiError> {
    let url = state.app.start_payment(&caller, id).await?;
    Ok(Json(PaymentPage { url }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderBody {
    pub billing: String,
    pub delivery: String,
}

/// Confirm the order of an accepted (and, when payable online, paid) quote.
#[utoipa::path(
    post, path = "/quotes/{id}/order", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    request_body = OrderBody,
    responses(
        (status = 204, description = "Confirmed; the seller is told"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already confirmed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "required, quote_not_accepted, payment_required", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn order(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<QuoteId>,
    body: Result<Json<OrderBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body?;
    state
        .app
        .confirm_order(&caller, id, &body.billing, &body.delivery)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// The seller party reviewed (the one that answered when absent).
    pub party: Option<String>,
    /// 1 to 5.
    pub rating: u8,
    #[serde(default)]
    pub comment: String,
}

/// Review a seller of the request, once (the buyer, after an answer or an order).
#[utoipa::path(
    post, path = "/requests/{id}/review", tag = "quotes",
    params(("id" = String, Path, description = "Request id")),
    request_body = ReviewBody,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already reviewed", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn review(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Result<Json<ReviewBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body?;
    state
        .app
        .leave_review(
            &caller,
            id,
            body.party.as_deref(),
            body.rating,
            &body.comment,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stripe's webhook: applied only when `Stripe-Signature` verifies; each event once.
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Applied, already applied (Stripe retries) or not ours to act on: all acknowledged.
    state.app.payment_webhook(&body, signature).await?;
    Ok(StatusCode::OK)
}
