//! Opening a document (access-checked, logged once per viewer on the other side), and the
//! original of an emailed message.

use bytes::Bytes;
use parley_domain::policy::{Action, can};
use parley_domain::{
    AuthorKind, Document, DocumentId, EventKind, MessageId, OrganizationId, RequestId, ThreadId,
};
use parley_store::{Store, events, messages};
use serde_json::json;

use crate::events::new_event;
use crate::requests::authorize;
use crate::{App, AppError, Caller, now};

impl App {
    /// The document and its bytes. When the viewer is on the other side of the conversation
    /// from its author (the buyer opening a seller's quote), the history records “opened”, once
    /// per viewer. Only authenticated callers get here, so link scanners never count.
    pub async fn open_document(
        &self,
        caller: &Caller,
        id: DocumentId,
    ) -> Result<(Document, Bytes), AppError> {
        // No pooled connection is held while the access check reads (it may need one).
        let document = messages::document_by_id(&mut *self.store.read().await?, id).await?;
        let party = thread_party(
            &self.store,
            caller,
            document.request_id,
            document.thread_id,
            Action::OpenDocument,
        )
        .await?;
        let message = messages::get(&mut *self.store.read().await?, document.message_id).await?;
        let bytes = self.files.get(&document.storage_key).await?;
        let viewer_side = match caller {
            Caller::Buyer(_) => AuthorKind::Buyer,
            _ => AuthorKind::Member,
        };
        if viewer_side != message.author_kind {
            let event = new_event(
                document.request_id,
                Some(party),
                EventKind::DocumentOpened,
                caller.actor(),
                json!({ "document_id": document.id, "kind": document.kind, "filename": document.filename }),
                now(),
            );
            let key = format!("opened:{}:{}", document.id, caller.viewer_key());
            self.store
                .write((event, key), |tx, (event, key)| {
                    Box::pin(events::append(tx, event, Some(key)))
                })
                .await?;
        }
        Ok((document, bytes))
    }

    /// An emailed message's original. The sender's own side (the buyer for a buyer's email;
    /// the party's members and the people acting for it for a seller's) gets the raw email;
    /// the other side gets a readable view without the headers that identify the sender's
    /// mailbox and with every address masked (FAQ a).
    pub async fn email_original(
        &self,
        caller: &Caller,
        id: MessageId,
    ) -> Result<Original, AppError> {
        let message = messages::get(&mut *self.store.read().await?, id).await?;
        thread_party(
            &self.store,
            caller,
            message.request_id,
            message.thread_id,
            Action::ReadThread,
        )
        .await?;
        let raw = messages::original(&mut *self.store.read().await?, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let own_side =
            matches!(caller, Caller::Buyer(_)) == (message.author_kind == AuthorKind::Buyer);
        if own_side {
            return Ok(Original::Raw(raw));
        }
        let parsed = parley_mail::parse_email(&raw).unwrap_or_default();
        let mask = |text: &str| parley_mail::mask_addresses(text, &[], &self.settings.relay_domain);
        Ok(Original::Readable(EmailView {
            request: message.request_id,
            received_at: message.created_at,
            subject: parsed.subject.as_deref().map(mask).unwrap_or_default(),
            text: message
                .email
                .map(|email| email.full_body)
                .unwrap_or(message.body),
            attachments: parsed
                .attachments
                .iter()
                .map(|a| {
                    (
                        crate::files::clean_filename(&a.filename),
                        a.content_type.clone(),
                        a.bytes.len(),
                    )
                })
                .collect(),
        }))
    }
}

/// An emailed message's original, as the caller may have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Original {
    /// The raw email (RFC 5322), for the sender's own side.
    Raw(Vec<u8>),
    /// What the other side may read of it.
    Readable(EmailView),
}

/// An email as the other side reads it: no headers that identify the sender's mailbox (no
/// Return-Path, Received, Reply-To, Sender, DKIM-Signature, X-Originating-IP, Message-ID…),
/// addresses masked in the text (they were masked when the email was received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailView {
    pub request: RequestId,
    pub received_at: parley_domain::Timestamp,
    pub subject: String,
    pub text: String,
    /// Each attachment's file name, declared type and size in bytes.
    pub attachments: Vec<(String, String, usize)>,
}

/// The party of `thread` in `request`, when the caller may do `action` in it (one of the
/// per-thread actions); "not found" otherwise.
async fn thread_party(
    store: &Store,
    caller: &Caller,
    request: RequestId,
    thread: ThreadId,
    action: fn(OrganizationId) -> Action,
) -> Result<OrganizationId, AppError> {
    let access = authorize(store, caller, request, Action::ViewRequest).await?;
    let party = access
        .threads
        .iter()
        .find(|t| t.id == thread)
        .map(|t| t.party)
        .ok_or(AppError::NotFound)?;
    if can(&caller.principal(), action(party), &access.parties) {
        Ok(party)
    } else {
        Err(AppError::NotFound)
    }
}
