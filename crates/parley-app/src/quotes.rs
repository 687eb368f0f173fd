//! Quotes (guide section 3 and 6): sent with a message (a quote document, and its terms when
//! the seller enables online payment), versioned per thread, answered by the buyer.

use parley_domain::policy::{Action, can};
use parley_domain::quote::{Quote, QuoteInput, QuoteStatus, QuoteTerms};
use parley_domain::{
    Actor, AuthorKind, Document, DocumentKind, EventKind, FieldError, MessageId, QuoteId,
    RequestId, Thread, Timestamp,
};
use parley_store::{Connection, StoreError, events, quotes};
use serde_json::json;

use crate::events::new_event;
use crate::files::CheckedUpload;
use crate::requests::authorize;
use crate::{App, AppError, Caller, now};

fn error(field: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// Checks a message's quote: one quote document at most, sent by a seller, with valid terms
/// when online payment is enabled. Returns the terms to record (`Some(None)`: a quote without
/// online payment; `None`: no quote).
pub(crate) fn check_quote(
    author: AuthorKind,
    uploads: &[CheckedUpload],
    input: Option<&QuoteInput>,
    errors: &mut Vec<FieldError>,
) -> Option<Option<QuoteTerms>> {
    let quotes = uploads
        .iter()
        .filter(|u| u.kind == DocumentKind::Quote)
        .count();
    if quotes > 0 && author != AuthorKind::Member {
        errors.push(error(
            "document_kind",
            "quote_not_allowed",
            "Only sellers send quotes.",
        ));
        return None;
    }
    if quotes > 1 {
        errors.push(error("quote", "one_quote", "Send one quote at a time."));
        return None;
    }
    match (quotes, input) {
        (0, Some(_)) => {
            errors.push(error(
                "quote",
                "quote_document_required",
                "Attach the quote as a PDF (Attach a document → Quote).",
            ));
            None
        }
        (0, None) => None,
        (_, None) => Some(None),
        (_, Some(input)) => match QuoteTerms::parse(input, now()) {
            Ok(terms) => Some(Some(terms)),
            Err(found) => {
                errors.extend(found);
                None
            }
        },
    }
}

/// The quote a message's documents carry, ready to record.
pub(crate) fn quote_of(
    message: MessageId,
    thread: &Thread,
    documents: &[Document],
    terms: Option<QuoteTerms>,
    at: Timestamp,
) -> Option<Quote> {
    let document = documents.iter().find(|d| d.kind == DocumentKind::Quote)?;
    Some(Quote {
        id: QuoteId::new(),
        request_id: thread.request_id,
        thread_id: thread.id,
        message_id: message,
        document_id: document.id,
        version: 0,
        status: QuoteStatus::Sent,
        terms,
        decided_at: None,
        decision_comment: None,
        created_at: at,
    })
}

/// Records a sent quote in the message's transaction: its version, the one it supersedes,
/// and the history event.
pub(crate) async fn record_quote(
    tx: &mut Connection,
    quote: &Quote,
    (party, event_id): (parley_domain::OrganizationId, parley_domain::EventId),
    actor: &Actor,
) -> Result<(), StoreError> {
    let (stored, superseded) = quotes::insert_version(tx, quote).await?;
    let terms = stored.terms.as_ref();
    let mut event = new_event(
        stored.request_id,
        Some(party),
        EventKind::QuoteSent,
        actor.clone(),
        json!({
            "quote_id": stored.id,
            "version": stored.version,
            "document_id": stored.document_id,
            "online_payment": terms.is_some(),
            "reference": terms.map(|t| t.reference.clone()),
            "total": terms.map(|t| t.total().to_string()),
            "valid_until": terms.map(|t| t.valid_until.to_rfc3339()),
            "superseded": superseded,
        }),
        stored.created_at,
    );
    event.id = event_id;
    events::append(tx, &event, None).await?;
    Ok(())
}

impl App {
    /// The buyer accepts (`accept`) or declines a quote, with an optional comment. An expired
    /// quote cannot be accepted; a superseded or already answered one cannot be answered.
    pub async fn answer_quote(
        &self,
        caller: &Caller,
        id: QuoteId,
        accept: bool,
        comment: &str,
    ) -> Result<Quote, AppError> {
        let (quote, party) = self.buyers_quote(caller, id).await?;
        let at = now();
        match quote.status {
            QuoteStatus::Sent => {}
            QuoteStatus::Superseded => {
                return Err(AppError::Conflict("quote_superseded".to_owned()));
            }
            QuoteStatus::Accepted | QuoteStatus::Declined => {
                return Err(AppError::Conflict("quote_answered".to_owned()));
            }
        }
        if accept && quote.expired(at) {
            return Err(AppError::invalid(
                "quote",
                "quote_expired",
                "This quote has expired; ask the seller for a new one.",
            ));
        }
        let comment = comment.trim().to_owned();
        let (status, kind) = if accept {
            (QuoteStatus::Accepted, EventKind::QuoteAccepted)
        } else {
            (QuoteStatus::Declined, EventKind::QuoteDeclined)
        };
        let event = new_event(
            quote.request_id,
            Some(party),
            kind,
            caller.actor(),
            json!({ "quote_id": quote.id, "version": quote.version, "comment": comment }),
            at,
        );
        self.store
            .write((event, comment), move |tx, (event, comment)| {
                Box::pin(async move {
                    let comment = Some(comment.as_str()).filter(|c| !c.is_empty());
                    if !quotes::decide(tx, id, status, comment, at).await? {
                        return Err(AppError::Conflict("quote_answered".to_owned()));
                    }
                    events::append(tx, event, None).await?;
                    Ok(())
                })
            })
            .await?;
        let mut conn = self.store.read().await?;
        Ok(quotes::get(&mut conn, id).await?)
    }

    /// The quotes of a request the caller may read, newest first.
    pub async fn quotes_of(
        &self,
        caller: &Caller,
        request: RequestId,
    ) -> Result<Vec<Quote>, AppError> {
        let access = authorize(&self.store, caller, request, Action::ViewRequest).await?;
        let mut conn = self.store.read().await?;
        let readable: Vec<_> = access
            .threads
            .iter()
            .filter(|t| {
                can(
                    &caller.principal(),
                    Action::ReadThread(t.party),
                    &access.parties,
                )
            })
            .map(|t| t.id)
            .collect();
        Ok(quotes::of_threads(&mut conn, &readable).await?)
    }
}
