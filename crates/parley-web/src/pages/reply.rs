//! Sending a reply from the request page, with its documents (guide section 2a): a failed
//! send shows the page again with its errors in red, keeping what was typed and attached.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::AppError;
use parley_app::messages::Draft;
use parley_domain::{Channel, FieldError, RequestId};

use super::request_page::{FormValues, page};
use super::session::{SENDER_COOKIE, SignedMultipart, set_cookie};
use super::{PageError, Tr, render};
use crate::AppState;
use crate::api::messages::read_form;
use crate::ids::Id;

pub async fn send(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Id(id): Id<RequestId>,
    SignedMultipart { session, multipart }: SignedMultipart,
) -> Result<Response, PageError> {
    let read = match read_form(multipart).await {
        Ok(read) => read,
        Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            // Too large to read at all: nothing typed can be kept but the sender.
            let errors = vec![FieldError::send(
                "document",
                parley_domain::SendErrorCode::FileTooLarge,
                "The attached file is larger than allowed.",
            )];
            let signed_in = session.for_reading();
            let form = FormValues::fresh(signed_in, &headers, state.app.online_payment_available());
            let page = page(&state, signed_in, tr, id, form, errors).await?;
            return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)).into_response());
        }
        Err(_) => return Err(PageError::NotFound),
    };
    let signed_in = session.verify(read.csrf.as_deref())?;
    let caller = signed_in.caller();
    let draft = read.draft;
    let kind = read.document_kind.unwrap_or_else(|| "other".to_owned());
    let mut documents: Vec<parley_app::Upload> = draft
        .documents
        .iter()
        // A browser without any file selected still sends an empty part: that is no document.
        .filter(|d| !(d.bytes.is_empty() && d.filename.is_empty()))
        .cloned()
        .collect();
    // Documents kept from the last try go again, unless a new file replaced them.
    let mut kept = Vec::new();
    if documents.is_empty() {
        for token in &read.kept {
            if let Ok(mut upload) = state.app.kept_draft_document(caller, token).await {
                upload.kind.clone_from(&kind);
                kept.push(parley_app::drafts::KeptDocument {
                    token: token.clone(),
                    filename: upload.filename.clone(),
                    kind: kind.clone(),
                });
                documents.push(upload);
            }
        }
    }
    let form = FormValues {
        sender: draft.sender.clone().unwrap_or_default(),
        cc: draft.cc.clone(),
        body: draft.body.clone(),
        kind: kind.clone(),
        online_payment: draft.quote.is_some(),
        quote: draft.quote.clone().unwrap_or_default(),
        kept: Vec::new(),
    };
    // The payment fields belong to a quote: chosen "Quote", they go with the message (and a
    // quote without its PDF is refused, never sent as text alone).
    let quote = draft.quote.clone().filter(|_| kind == "quote");
    let sent = Draft {
        documents: documents.clone(),
        quote,
        ..draft
    };
    match state.app.send_message(caller, id, sent, Channel::Web).await {
        Ok(_) => {
            for document in &kept {
                state
                    .app
                    .forget_draft_document(caller, &document.token)
                    .await;
            }
            let back = Redirect::to(&format!("/requests/{id}#history"));
            if signed_in.is_seller() && !form.sender.trim().is_empty() {
                let remember =
                    set_cookie(&state, SENDER_COOKIE, form.sender.trim(), 365 * 24 * 3600);
                Ok(([(SET_COOKIE, remember)], back).into_response())
            } else {
                Ok(back.into_response())
            }
        }
        Err(AppError::Invalid(errors)) => {
            // Nothing attached is lost: new files are kept for the next try.
            if kept.is_empty() {
                for upload in documents.iter().filter(|d| !d.bytes.is_empty()) {
                    kept.push(state.app.keep_draft_document(caller, upload).await?);
                }
            }
            let form = FormValues { kept, ..form };
            let page = page(&state, &signed_in, tr, id, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
