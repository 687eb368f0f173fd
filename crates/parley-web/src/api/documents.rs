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
    Ok(open(&state, &caller, id).await?)
}

/// A message's document or, failing that, one the buyer sent with a request.
pub(crate) async fn open(
    state: &AppState,
    caller: &parley_app::Caller,
    id: DocumentId,
) -> Result<axum::response::Response, parley_app::AppError> {
    match state.app.open_document(caller, id).await {
        Ok((document, bytes)) => Ok(download_response(&document.filename, bytes)),
        Err(parley_app::AppError::NotFound) => {
            let (document, bytes) = state.app.open_request_document(caller, id).await?;
            Ok(download_response(&document.filename, bytes))
        }
        Err(other) => Err(other),
    }
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

pub(crate) fn download_response(filename: &str, bytes: bytes::Bytes) -> axum::response::Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename.replace(|c: char| !c.is_ascii() || c == '"', "_")
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
