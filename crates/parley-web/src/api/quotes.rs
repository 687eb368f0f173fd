//! Quotes: the versions of a request's quotes, and the buyer's answer (guide sections 3, 6).

use crate::ids::Id;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use parley_app::now;
use parley_domain::quote::Quote;
use parley_domain::{Money, QuoteId, RequestId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteDto {
    pub id: String,
    pub thread_id: String,
    /// 1 for the thread's first quote.
    pub version: i64,
    /// `sent` (awaiting the buyer), `superseded`, `accepted`, `declined`.
    pub status: String,
    pub document_url: String,
    pub online_payment: bool,
    pub reference: Option<String>,
    pub description: Option<String>,
    pub currency: Option<String>,
    /// Exact decimal strings in the currency (`"1200.00"`).
    pub amount: Option<String>,
    pub shipping: Option<String>,
    pub tax: Option<String>,
    pub total: Option<String>,
    pub valid_until: Option<String>,
    pub expired: bool,
    pub decided_at: Option<String>,
    pub comment: Option<String>,
}

impl QuoteDto {
    fn new(q: &Quote, now: Timestamp) -> Self {
        let terms = q.terms.as_ref();
        Self {
            id: q.id.to_string(),
            thread_id: q.thread_id.to_string(),
            version: q.version,
            status: q.status.as_str().to_owned(),
            document_url: format!("/api/v1/documents/{}", q.document_id),
            online_payment: terms.is_some(),
            reference: terms.map(|t| t.reference.clone()),
            description: terms.map(|t| t.description.clone()),
            currency: terms.map(|t| t.amount.currency().code().to_owned()),
            amount: terms.map(|t| t.amount.to_decimal()),
            shipping: terms.and_then(|t| t.shipping).map(Money::to_decimal),
            tax: terms.and_then(|t| t.tax).map(Money::to_decimal),
            total: terms.map(|t| t.total().to_decimal()),
            valid_until: terms.map(|t| t.valid_until.to_rfc3339()),
            expired: q.expired(now),
            decided_at: q.decided_at.map(Timestamp::to_rfc3339),
            comment: q.decision_comment.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteList {
    /// Newest version first, for the threads the caller may read.
    pub quotes: Vec<QuoteDto>,
}

/// The quotes of a request.
#[utoipa::path(
    get, path = "/requests/{id}/quotes", tag = "quotes",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, body = QuoteList),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
) -> Result<Json<QuoteList>, ApiError> {
    let at = now();
    let quotes = state.app.quotes_of(&caller, id).await?;
    Ok(Json(QuoteList {
        quotes: quotes.iter().map(|q| QuoteDto::new(q, at)).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnswerBody {
    #[serde(default)]
    pub comment: String,
}

async fn answer(
    state: &AppState,
    caller: &parley_app::Caller,
    id: QuoteId,
    accept: bool,
    body: Option<Json<AnswerBody>>,
) -> Result<Json<QuoteDto>, ApiError> {
    let comment = body.map(|Json(b)| b.comment).unwrap_or_default();
    let quote = state.app.answer_quote(caller, id, accept, &comment).await?;
    Ok(Json(QuoteDto::new(&quote, now())))
}

/// Accept a quote (the buyer; not once expired, superseded or answered).
#[utoipa::path(
    post, path = "/quotes/{id}/accept", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    request_body(content = Option<AnswerBody>),
    responses(
        (status = 200, body = QuoteDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded or already answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "quote_expired", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<QuoteId>,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Json<QuoteDto>, ApiError> {
    answer(&state, &caller, id, true, body.ok()).await
}

/// Decline a quote, with an optional comment (the buyer).
#[utoipa::path(
    post, path = "/quotes/{id}/decline", tag = "quotes",
    params(("id" = String, Path, description = "Quote id")),
    request_body(content = Option<AnswerBody>),
    responses(
        (status = 200, body = QuoteDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Superseded or already answered", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<QuoteId>,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Json<QuoteDto>, ApiError> {
    answer(&state, &caller, id, false, body.ok()).await
}
