//! The body of `POST /requests`: JSON (documents in base64), or multipart with the JSON in a
//! part `request` and the buyer's files in `document` parts.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use base64::Engine as _;
use parley_app::Upload;
use parley_domain::FieldError;

use super::dto::CreateRequestBody;
use crate::AppState;
use crate::error::ApiError;

/// The request's fields and its documents, every undecodable document reported at once.
pub(super) async fn read(
    request: Request,
    state: &AppState,
) -> Result<(CreateRequestBody, Vec<Upload>), ApiError> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let mut body = None;
        let mut uploads = Vec::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?
        {
            match field.name().unwrap_or_default() {
                "request" => {
                    let text = field
                        .text()
                        .await
                        .map_err(|e| ApiError::bad_request(e.body_text()))?;
                    // Read as a JSON body is, so its errors name their field alike.
                    let Json(request) = Json::<CreateRequestBody>::from_bytes(text.as_bytes())?;
                    body = Some(request);
                }
                "document" => {
                    let filename = field.file_name().unwrap_or("document.pdf").to_owned();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| ApiError::bad_request(e.body_text()))?;
                    uploads.push(upload(uploads.len(), filename, bytes));
                }
                _ => {}
            }
        }
        let body = body.ok_or_else(|| {
            ApiError::bad_request("a multipart request needs its JSON in a part named request")
        })?;
        return Ok((body, uploads));
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send application/json or multipart/form-data.",
        ));
    }
    let Json(mut body) = Json::<CreateRequestBody>::from_request(request, state).await?;
    let mut uploads = Vec::new();
    let mut errors = Vec::new();
    for (index, document) in std::mem::take(&mut body.documents).into_iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(document.content_base64.trim()) {
            Ok(bytes) => uploads.push(upload(index, document.filename, bytes.into())),
            Err(_) => errors.push(FieldError {
                field: format!("documents[{index}]"),
                code: "document_not_base64".to_owned(),
                message: "The document's content is not base64.".to_owned(),
            }),
        }
    }
    if errors.is_empty() {
        Ok((body, uploads))
    } else {
        Err(parley_app::AppError::Invalid(errors).into())
    }
}

fn upload(index: usize, filename: String, bytes: bytes::Bytes) -> Upload {
    Upload {
        field: format!("documents[{index}]"),
        kind: "other".to_owned(),
        filename,
        bytes,
    }
}
