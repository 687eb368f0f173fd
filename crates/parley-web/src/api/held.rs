//! Emailed replies held because their sender could not be verified (DMARC): the masked
//! address's holder lists, releases or deletes them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use parley_app::held::HeldReply;
use parley_app::relay::Received;
use parley_domain::{RequestId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::ids::{Id, Ids};

#[derive(Debug, Serialize, ToSchema)]
pub struct HeldReplyDto {
    pub id: String,
    /// The address it came from (it claims to be yours).
    pub sender: String,
    pub subject: String,
    /// The reply's first words.
    pub preview: String,
    /// What SPF, DKIM and DMARC said (`Authentication-Results`).
    pub authentication_results: String,
    pub received_at: String,
}

impl From<HeldReply> for HeldReplyDto {
    fn from(h: HeldReply) -> Self {
        Self {
            id: h.id,
            sender: h.sender,
            subject: h.subject,
            preview: h.preview,
            authentication_results: h.results,
            received_at: Timestamp(h.received_at).to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasedDto {
    /// `posted`, or `duplicate` when the same email was already in the conversation.
    pub outcome: String,
    /// The message it became.
    pub message_id: Option<String>,
}

/// Replies of this request sent as you but held: their sender could not be verified (their
/// domain's DMARC policy says reject or quarantine, and they failed it).
#[utoipa::path(
    get, path = "/requests/{id}/held", tag = "messages",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, body = Vec<HeldReplyDto>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
) -> Result<Json<Vec<HeldReplyDto>>, ApiError> {
    // Whoever may not see the request gets the same 404 as for an unknown one.
    state.app.request_detail(&caller, id).await?;
    let held = state.app.held_replies(&caller, id).await?;
    Ok(Json(held.into_iter().map(Into::into).collect()))
}

/// Release a held reply: it is yours, post it in its conversation as it was emailed. 409
/// `address_revoked` when its masked address was revoked since.
#[utoipa::path(
    post, path = "/requests/{id}/held/{held}/release", tag = "messages",
    params(
        ("id" = String, Path, description = "Request id"),
        ("held" = String, Path, description = "Held reply id"),
    ),
    responses(
        (status = 200, body = ReleasedDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn release(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Ids(id, held): Ids<RequestId, String>,
) -> Result<Json<ReleasedDto>, ApiError> {
    let released = match state.app.release_held_reply(&caller, id, &held).await? {
        Received::Stored { message_id } => ReleasedDto {
            outcome: "posted".to_owned(),
            message_id: Some(message_id),
        },
        _ => ReleasedDto {
            outcome: "duplicate".to_owned(),
            message_id: None,
        },
    };
    Ok(Json(released))
}

/// Delete a held reply (it was not yours).
#[utoipa::path(
    delete, path = "/requests/{id}/held/{held}", tag = "messages",
    params(
        ("id" = String, Path, description = "Request id"),
        ("held" = String, Path, description = "Held reply id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Ids(id, held): Ids<RequestId, String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_held_reply(&caller, id, &held).await?;
    Ok(StatusCode::NO_CONTENT)
}
