//! Machine translation of a message (guide section 7).

use crate::ids::Id;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use parley_app::translate::TranslationView;
use parley_domain::{MessageId, RequestId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
pub struct TranslateBody {
    /// One of fr, en, de, es, it, pt, ru, zh, ja.
    pub target: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TranslationDto {
    /// The message's detected language.
    pub source: String,
    pub target: String,
    pub text: String,
    /// `apertium`, `libretranslate`, `deepl`, or `first+second` through a pivot.
    pub engine: String,
    /// The pivot language, when the engines had no direct pair.
    pub via: Option<String>,
    /// Served from the stored translations.
    pub cached: bool,
}

impl From<TranslationView> for TranslationDto {
    fn from(t: TranslationView) -> Self {
        Self {
            source: t.source.to_string(),
            target: t.target.to_string(),
            text: t.text,
            engine: t.engine,
            via: t.via.map(|v| v.to_string()),
            cached: t.cached,
        }
    }
}

/// Translate a message you may read. A pair no configured engine covers is a 422
/// `translation_unavailable`, never a fake translation; an engine that does not answer is 503.
#[utoipa::path(
    post, path = "/messages/{id}/translations", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    request_body = TranslateBody,
    responses(
        (status = 200, body = TranslationDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn translate(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<MessageId>,
    body: Result<Json<TranslateBody>, JsonRejection>,
) -> Result<Json<TranslationDto>, ApiError> {
    let Json(body) = body?;
    let view = state
        .app
        .translate_message(&caller, id, &body.target)
        .await?;
    Ok(Json(view.into()))
}

/// Translate a request's own text (the buyer's first message), for anyone who may see the
/// request. Errors as for a message.
#[utoipa::path(
    post, path = "/requests/{id}/translations", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    request_body = TranslateBody,
    responses(
        (status = 200, body = TranslationDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn translate_request(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Result<Json<TranslateBody>, JsonRejection>,
) -> Result<Json<TranslationDto>, ApiError> {
    let Json(body) = body?;
    let view = state
        .app
        .translate_request(&caller, id, &body.target)
        .await?;
    Ok(Json(view.into()))
}
