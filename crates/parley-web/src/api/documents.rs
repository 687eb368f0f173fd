//! Document download.

use crate::ids::Id;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use parley_domain::DocumentId;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

/// Download a document (logs “opened” once per viewer on the other side).
#[utoipa::path(
    get, path = "/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "Document id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<DocumentId>,
) -> Result<impl IntoResponse, ApiError> {
    let (document, bytes) = state.app.open_document(&caller, id).await?;
    Ok(download_response(&document, bytes))
}

/// A document as a download: never rendered in our origin, never sniffed, never cached by
/// shared caches. The filename was cleaned of quotes and control characters when stored.
/// The raw email behind an emailed message, as an `.eml` download.
pub(crate) fn original_response(id: &str, raw: Vec<u8>) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, "message/rfc822".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"message-{id}.eml\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        raw,
    )
        .into_response()
}

pub(crate) fn download_response(
    document: &parley_domain::Document,
    bytes: bytes::Bytes,
) -> axum::response::Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        document
            .filename
            .replace(|c: char| !c.is_ascii() || c == '"', "_")
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
