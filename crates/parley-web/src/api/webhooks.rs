//! A marketplace's webhooks (Standard Webhooks), for its integration key: register an endpoint
//! for some event types, list, delete, rotate the secret, and read the deliveries.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parley_app::webhooks::{Delivery, Webhook};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookBody {
    /// Where events are posted (`https://…`).
    pub url: String,
    /// The event types to receive: `request.created`, `request.routed`,
    /// `request.first_response`, `request.forwarded`, `request.declined`,
    /// `request.spam_reported`, `request.won`, `request.lost`, `quote.sent`, `quote.accepted`,
    /// `quote.declined`, `order.paid`, `order.confirmed`, `review.created`.
    #[serde(default)]
    pub events: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: String,
}

impl From<&Webhook> for WebhookDto {
    fn from(w: &Webhook) -> Self {
        Self {
            id: w.id.clone(),
            url: w.url.clone(),
            events: w.events.clone(),
            created_at: parley_domain::Timestamp(w.created_at).to_rfc3339(),
        }
    }
}

/// An endpoint with its signing secret (shown when created or rotated only).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecretDto {
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// `whsec_…`: verify `webhook-signature` with it (any Standard Webhooks library does).
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecretDto {
    /// The new secret; the previous one also signs for 24 hours.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// The message id (`webhook-id`), the same on every attempt.
    pub id: String,
    pub event_type: String,
    /// `pending`, `delivered`, or `failed` (after the last attempt, about a day).
    pub status: String,
    pub attempts: i64,
    pub last_response_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub finished_at: Option<String>,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_type: d.event_type,
            status: d.status.to_owned(),
            attempts: d.attempts,
            last_response_code: d.last_response_code,
            last_error: d.last_error,
            created_at: d.created_at.to_rfc3339(),
            next_attempt_at: d.next_attempt_at.map(|t| t.to_rfc3339()),
            finished_at: d.finished_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// Register an endpoint.
#[utoipa::path(
    post, path = "/webhooks", tag = "webhooks",
    request_body = WebhookBody,
    responses(
        (status = 201, body = WebhookWithSecretDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "too_many_webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: Result<Json<WebhookBody>, JsonRejection>,
) -> Result<(StatusCode, Json<WebhookWithSecretDto>), ApiError> {
    let Json(b) = body?;
    let hook = state.app.create_webhook(&caller, &b.url, &b.events).await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookWithSecretDto {
            webhook: WebhookDto::from(&hook),
            secret: hook.secret,
        }),
    ))
}

/// The marketplace's endpoints.
#[utoipa::path(
    get, path = "/webhooks", tag = "webhooks",
    responses(
        (status = 200, body = Vec<WebhookDto>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    let hooks = state.app.webhooks(&caller).await?;
    Ok(Json(hooks.iter().map(WebhookDto::from).collect()))
}

/// Delete an endpoint: nothing more is delivered to it.
#[utoipa::path(
    delete, path = "/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_webhook(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give an endpoint a new secret; the previous one also signs for 24 hours.
#[utoipa::path(
    post, path = "/webhooks/{id}/rotate", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, body = SecretDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rotate(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<SecretDto>, ApiError> {
    let secret = state.app.rotate_webhook_secret(&caller, &id).await?;
    Ok(Json(SecretDto { secret }))
}

/// The latest deliveries to an endpoint (100 at most), newest first.
#[utoipa::path(
    get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, body = Vec<DeliveryDto>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliveryDto>>, ApiError> {
    let deliveries = state.app.webhook_deliveries(&caller, &id).await?;
    Ok(Json(
        deliveries.into_iter().map(DeliveryDto::from).collect(),
    ))
}
