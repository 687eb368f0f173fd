//! Sending a message, with optional documents, in a party's thread: the one path for web
//! replies, API calls and (later) emailed replies.

use parley_domain::message::validate_message;
use parley_domain::policy::{Action, acting_parties, can};
use parley_domain::{
    AuthorKind, Channel, Document, DocumentId, EmailOrigin, EventKind, FieldError, Message,
    MessageId, OrganizationId, RequestId, RequestParties, Thread, ThreadId,
};
use parley_store::message_record::{self, MessageRecord};
use serde_json::json;

use crate::events::new_event;
use crate::files::{self, check_uploads};
use crate::requests::MessageView;
use crate::{App, AppError, Caller, Upload, now};

/// A message as typed.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub body: String,
    /// The Sender field: `None` when not sent (the caller's own address is used).
    pub sender: Option<String>,
    /// The Copy field.
    pub cc: String,
    /// Which party's thread; needed only when the caller may write in several.
    pub party: Option<String>,
    /// The thread itself, when the channel knows it (an emailed reply's masked address).
    pub thread: Option<ThreadId>,
    pub documents: Vec<Upload>,
    /// The quote's terms, when the message carries a quote with online payment enabled.
    pub quote: Option<parley_domain::quote::QuoteInput>,
}

/// Picks the thread to write in: the one named, or the only one the caller may write in.
fn choose_thread<'t>(
    caller: &Caller,
    threads: &'t [Thread],
    parties: &RequestParties,
    named: Option<&str>,
    thread: Option<ThreadId>,
) -> Result<&'t Thread, AppError> {
    let principal = caller.principal();
    if let Some(id) = thread {
        let thread = threads
            .iter()
            .find(|t| t.id == id)
            .ok_or(AppError::NotFound)?;
        if !can(&principal, Action::PostMessage(thread.party), parties) {
            return Err(AppError::NotFound);
        }
        return Ok(thread);
    }
    if let Some(text) = named.map(str::trim).filter(|t| !t.is_empty()) {
        let party: OrganizationId = text.parse().map_err(|_| AppError::NotFound)?;
        if !can(&principal, Action::PostMessage(party), parties) {
            return Err(AppError::NotFound);
        }
        return threads
            .iter()
            .find(|t| t.party == party)
            .ok_or(AppError::NotFound);
    }
    let writable: Vec<&Thread> = match caller {
        Caller::Member(_) => {
            let acting = acting_parties(&principal, parties);
            threads
                .iter()
                .filter(|t| acting.contains(&t.party))
                .collect()
        }
        _ => threads
            .iter()
            .filter(|t| can(&principal, Action::PostMessage(t.party), parties))
            .collect(),
    };
    match writable.as_slice() {
        [only] => Ok(only),
        [] => Err(AppError::NotFound),
        _ => Err(AppError::invalid(
            "party",
            "party_required",
            "Say which seller's conversation this message belongs to.",
        )),
    }
}

impl App {
    /// Sends a message in a thread of the request. Every rule is checked before anything is
    /// stored, and every problem is reported at once; nothing is half-sent.
    #[tracing::instrument(skip_all, fields(request = %request_id, channel = %channel))]
    pub async fn send_message(
        &self,
        caller: &Caller,
        request_id: RequestId,
        draft: Draft,
        channel: Channel,
    ) -> Result<MessageView, AppError> {
        self.send(caller, request_id, draft, channel, None).await
    }

    /// [`App::send_message`], and for an emailed reply its origin and raw bytes.
    pub(crate) async fn send(
        &self,
        caller: &Caller,
        request_id: RequestId,
        draft: Draft,
        channel: Channel,
        email: Option<(EmailOrigin, Vec<u8>)>,
    ) -> Result<MessageView, AppError> {
        let (author_kind, author_id, own_address, language) = match caller {
            Caller::Member(m) => (
                AuthorKind::Member,
                m.id.to_string(),
                m.email.clone(),
                m.language,
            ),
            Caller::Buyer(b) => (
                AuthorKind::Buyer,
                b.id.to_string(),
                b.email.clone(),
                b.language,
            ),
            Caller::Marketplace(_) => return Err(AppError::NotFound),
        };
        // Access first: a caller who may not write here learns nothing from validation errors.
        let access =
            crate::requests::authorize(&self.store, caller, request_id, Action::ViewRequest)
                .await?;
        let thread = choose_thread(
            caller,
            &access.threads,
            &access.parties,
            draft.party.as_deref(),
            draft.thread,
        )?
        .clone();
        let request_answered = access.request.answered_at.is_some();
        let request_created_at = access.request.created_at;

        let mut errors: Vec<FieldError> = Vec::new();
        let valid = match validate_message(&draft.body, draft.sender.as_deref(), &draft.cc) {
            Ok(valid) => Some(valid),
            Err(found) => {
                errors.extend(found);
                None
            }
        };
        let uploads = check_uploads(
            draft.documents,
            self.settings.max_document_bytes,
            &mut errors,
        );
        let quote_terms =
            crate::quotes::check_quote(author_kind, &uploads, draft.quote.as_ref(), &mut errors);
        let Some(valid) = valid.filter(|_| errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        // Buyers always write from their own address; sellers may give another (FAQ c).
        let sender = match author_kind {
            AuthorKind::Member => valid.sender.unwrap_or(own_address),
            _ => own_address,
        };
        let at = now();
        let message = Message {
            id: MessageId::new(),
            thread_id: thread.id,
            request_id,
            author_kind,
            author_id,
            sender,
            cc: valid.cc,
            language: parley_translate::detect::detect(&valid.body, language),
            body: valid.body,
            channel,
            created_at: at,
            read_at: None,
            email: None,
        };
        let mut message = message;
        let original = email.map(|(origin, raw)| {
            message.email = Some(origin);
            raw
        });
        // Bytes go to the object store before the transaction: a crash in between leaves an
        // unreferenced file, never a document row without its file.
        let mut documents = Vec::new();
        for upload in uploads {
            let id = DocumentId::new();
            let key = files::storage_key(id);
            let document = Document {
                id,
                message_id: message.id,
                thread_id: thread.id,
                request_id,
                kind: upload.kind,
                filename: upload.filename,
                content_type: "application/pdf".to_owned(),
                size_bytes: upload.bytes.len() as u64,
                sha256: files::sha256_hex(&upload.bytes),
                storage_key: key.clone(),
                created_at: at,
            };
            self.files.put(&key, upload.bytes).await?;
            documents.push(document);
        }
        let quote = quote_terms
            .and_then(|terms| crate::quotes::quote_of(message.id, &thread, &documents, terms, at));
        let result = self
            .record_message(
                caller,
                &thread,
                (request_answered, request_created_at),
                (&message, original),
                &documents,
                quote,
            )
            .await;
        if result.is_err() {
            for document in &documents {
                self.files.delete(&document.storage_key).await;
            }
        }
        result?;
        Ok(MessageView { message, documents })
    }

    async fn record_message(
        &self,
        caller: &Caller,
        thread: &Thread,
        (request_answered, request_created_at): (bool, parley_domain::Timestamp),
        (message, original): (&Message, Option<Vec<u8>>),
        documents: &[Document],
        quote: Option<parley_domain::quote::Quote>,
    ) -> Result<(), AppError> {
        let (actor, thread, message, documents) = (
            caller.actor(),
            thread.clone(),
            message.clone(),
            documents.to_vec(),
        );
        let document_list: Vec<_> = documents
            .iter()
            .map(|d| json!({ "id": d.id, "kind": d.kind, "filename": d.filename, "size_bytes": d.size_bytes }))
            .collect();
        // The quote's event id is drawn first, the status the other parties see (this party
        // contacted the buyer, once) next, the message's event last: at the same millisecond
        // the history then shows the message on top, with its quote and status under it.
        // The people the Copy field puts in copy show under all of them.
        let cc_events: Vec<parley_domain::EventId> = message
            .cc
            .iter()
            .map(|_| parley_domain::EventId::new())
            .collect();
        let quote_event = parley_domain::EventId::new();
        let contacted = new_event(
            message.request_id,
            Some(thread.party),
            EventKind::BuyerContacted,
            actor.clone(),
            json!({}),
            message.created_at,
        );
        let sent = new_event(
            message.request_id,
            Some(thread.party),
            EventKind::MessageSent,
            actor.clone(),
            json!({ "message_id": message.id, "channel": message.channel, "documents": document_list }),
            message.created_at,
        );
        // The store decides, with a guarded UPDATE, whether this is the thread's first reply;
        // what was loaded before skips that work in the usual case.
        let record = MessageRecord {
            contacted: (message.author_kind == AuthorKind::Member && thread.contacted_at.is_none())
                .then_some(contacted),
            answers_request: message.author_kind == AuthorKind::Member && !request_answered,
            request_created_at: Some(request_created_at),
            message,
            original,
            documents,
            sent,
        };
        // People in the Copy field are put in copy of the request (see `copies`).
        let copier = match caller {
            Caller::Member(member) if !record.message.cc.is_empty() => Some(member.clone()),
            _ => None,
        };
        if quote.is_none() && copier.is_none() {
            self.store.record_message(record).await?;
            return Ok(());
        }
        self.store
            .write(
                (record, quote, thread.party, copier, cc_events),
                move |tx, (record, quote, party, copier, cc_events)| {
                    let quote_event = quote_event;
                    Box::pin(async move {
                        message_record::record(&mut *tx, record).await?;
                        if let Some(by) = copier {
                            crate::copies::copy_from_message(
                                &mut *tx,
                                (record.message.request_id, request_created_at),
                                *party,
                                (&record.message.cc, cc_events),
                                (by, &record.sent.actor),
                                record.message.created_at,
                            )
                            .await?;
                        }
                        if let Some(quote) = quote {
                            crate::quotes::record_quote(
                                tx,
                                quote,
                                (*party, quote_event),
                                &record.sent.actor,
                            )
                            .await?;
                        }
                        Ok::<_, AppError>(())
                    })
                },
            )
            .await?;
        Ok(())
    }
}
