//! Posting a message, as multipart (with documents) or JSON.

use crate::ids::Id;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use parley_app::Upload;
use parley_app::messages::Draft;
use parley_domain::{Channel, RequestId};

use super::dto::{MessageBody, MessageDto, message};
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

/// Post a message in a thread, with optional PDF documents.
///
/// As `multipart/form-data`: text fields `body`, `sender`, `cc`, `party`, `document_kind`
/// (`quote` or `other`, for the `document` files; default `other`), and file fields `document`
/// and `quote`. A quote with online payment adds `online_payment=1` and `quote_amount`,
/// `quote_currency`, `quote_valid_until` (YYYY-MM-DD), `quote_reference`, and optionally
/// `quote_description`, `quote_shipping`, `quote_tax` (exact decimals). As
/// `application/json`: a message without documents.
#[utoipa::path(
    post, path = "/requests/{id}/messages", tag = "messages",
    params(("id" = String, Path, description = "Request id")),
    request_body(content = MessageBody, description = "JSON, or the multipart form described above"),
    responses(
        (status = 201, body = MessageDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "message_empty, message_too_long (over 20,000 characters), sender_empty, sender_invalid, cc_invalid, file_too_large, document_not_pdf", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_message(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    request: Request,
) -> Result<impl IntoResponse, ApiError> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let draft = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        read_form(multipart).await?.draft
    } else if content_type.starts_with("application/json") {
        let Json(body) = Json::<MessageBody>::from_request(request, &state).await?;
        Draft {
            body: body.body,
            sender: body.sender,
            cc: body.cc.unwrap_or_default(),
            party: body.party,
            thread: None,
            documents: Vec::new(),
            quote: None,
        }
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send multipart/form-data or application/json.",
        ));
    };
    let sent = state
        .app
        .send_message(&caller, id, draft, Channel::Api)
        .await?;
    Ok((StatusCode::CREATED, Json(message(&sent, &caller))))
}

/// A message form as read: the draft, and what only the web page sends.
pub(crate) struct FormRead {
    pub draft: Draft,
    /// The session's CSRF token.
    pub csrf: Option<String>,
    /// Quote or other document, as chosen (whether or not a file came with it).
    pub document_kind: Option<String>,
    /// Tokens of documents kept from an earlier try of the form (see `App::keep_draft_document`).
    pub kept: Vec<String>,
}

/// Reads a message form (API or web page).
pub(crate) async fn read_form(
    mut multipart: Multipart,
) -> Result<FormRead, axum::extract::multipart::MultipartError> {
    let mut draft = Draft::default();
    let mut csrf = None;
    let mut kept = Vec::new();
    let mut document_kind = None;
    let mut online_payment = false;
    let mut terms = parley_domain::quote::QuoteInput::default();
    let mut files: Vec<(String, Upload)> = Vec::new();
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "document" | "quote" => {
                let filename = field.file_name().unwrap_or("document.pdf").to_owned();
                let bytes = field.bytes().await?;
                files.push((
                    name.clone(),
                    Upload {
                        field: name.clone(),
                        kind: if name == "quote" {
                            "quote".into()
                        } else {
                            String::new()
                        },
                        filename,
                        bytes,
                    },
                ));
            }
            "body" => draft.body = field.text().await?,
            "sender" => draft.sender = Some(field.text().await?),
            "cc" => draft.cc = field.text().await?,
            "party" => draft.party = Some(field.text().await?),
            "document_kind" => document_kind = Some(field.text().await?),
            "csrf" => csrf = Some(field.text().await?),
            "kept_document" => kept.push(field.text().await?),
            // "I want to enable online payment", and the quote form's fields.
            "online_payment" => {
                let value = field.text().await?;
                online_payment = matches!(value.trim(), "1" | "on" | "true" | "yes");
            }
            "quote_amount" => terms.amount = field.text().await?,
            "quote_currency" => terms.currency = field.text().await?,
            "quote_valid_until" => terms.valid_until = field.text().await?,
            "quote_reference" => terms.reference = field.text().await?,
            "quote_description" => terms.description = field.text().await?,
            "quote_shipping" => terms.shipping = field.text().await?,
            "quote_tax" => terms.tax = field.text().await?,
            _ => {}
        }
    }
    draft.documents = files
        .into_iter()
        .map(|(name, mut upload)| {
            if name == "document" {
                upload.kind = document_kind.clone().unwrap_or_else(|| "other".into());
            }
            upload
        })
        .collect();
    draft.quote = online_payment.then_some(terms);
    Ok(FormRead {
        draft,
        csrf,
        document_kind,
        kept,
    })
}
