//! Everything one new message writes, as one value: the same rows whether they go through
//! sqlx ([`record`], inside a caller's transaction) or through the SQLite writer's direct
//! connection ([`crate::Store::record_message`]), which is the hot path of every reply.

use parley_domain::webhook::WebhookEvent;
use parley_domain::{Document, Event, Message, Timestamp};

use crate::statement::Statement;
use crate::{Connection, StoreError, bounces, events, messages, requests, webhooks};

/// A new message and what it changes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MessageRecord {
    pub message: Message,
    /// The raw email, for an emailed reply (the spool keeps it beside the JSON, as bytes).
    #[serde(skip)]
    pub original: Option<Vec<u8>>,
    pub documents: Vec<Document>,
    /// The “message sent” event.
    pub sent: Event,
    /// The “buyer contacted” event: appended only when this is the first message of its
    /// thread's party (a guarded UPDATE decides, exact even when two first replies race).
    pub contacted: Option<Event>,
    /// Whether this message answers the request (the first reply of a seller).
    pub answers_request: bool,
    /// When the request arrived: the response time the marketplace hears with
    /// `request.first_response` (absent in spool entries of earlier versions).
    #[serde(default)]
    pub request_created_at: Option<Timestamp>,
}

impl MessageRecord {
    /// The inserts that always happen, in order.
    fn inserts(&self) -> Vec<Statement<'_>> {
        let mut statements = Vec::with_capacity(5 + self.documents.len());
        statements.push(messages::insert_statement(
            &self.message,
            self.original.as_deref(),
        ));
        statements.push(messages::queue_notifications_statement(self.message.id));
        statements.extend(self.documents.iter().map(messages::document_statement));
        statements.push(events::append_statement(&self.sent, None));
        // Whoever writes from an address shows it works again (see `bounces`).
        statements.push(bounces::used_again_statement(self.message.sender.as_str()));
        statements
    }

    fn contacted_update(&self) -> Statement<'static> {
        requests::mark_contacted_statement(self.message.thread_id, self.message.created_at)
    }

    fn answered_update(&self) -> Statement<'static> {
        requests::mark_answered_statement(self.message.request_id, self.message.created_at)
    }

    /// The webhooks' `request.first_response`, queued when this message answered the request.
    fn first_response(&self) -> Option<Statement<'static>> {
        let (party, created_at) = self.sent.party.zip(self.request_created_at)?;
        Some(webhooks::fanout_statement(&WebhookEvent::first_response(
            self.message.id,
            self.message.request_id,
            party,
            (created_at, self.message.created_at),
        )))
    }
}

/// Writes `record` in the caller's transaction.
pub async fn record(conn: &mut Connection, record: &MessageRecord) -> Result<(), StoreError> {
    for statement in record.inserts() {
        statement.execute(&mut *conn).await?;
    }
    if let Some(contacted) = &record.contacted
        && record.contacted_update().execute(&mut *conn).await? > 0
    {
        events::append_statement(contacted, None)
            .execute(&mut *conn)
            .await?;
    }
    if record.answers_request
        && record.answered_update().execute(&mut *conn).await? > 0
        && let Some(hooks) = record.first_response()
    {
        hooks.execute(&mut *conn).await?;
    }
    Ok(())
}

/// [`record`] on the writer's direct connection, inside its open transaction.
pub(crate) fn record_direct(
    conn: &rusqlite::Connection,
    record: &MessageRecord,
) -> Result<(), StoreError> {
    apply_direct(conn, record, false).map(|_| ())
}

/// [`record_direct`] for a spooled message, which may be stored already: by an earlier fold
/// (replayed after a crash) or as the same email sent twice (same Message-ID from the same
/// sender). Those are skipped: `Ok(false)`. The message's row is the first statement, and a
/// refused statement leaves the transaction as it was, so a skipped message writes nothing.
pub(crate) fn fold_direct(
    conn: &rusqlite::Connection,
    record: &MessageRecord,
) -> Result<bool, StoreError> {
    apply_direct(conn, record, true)
}

fn apply_direct(
    conn: &rusqlite::Connection,
    record: &MessageRecord,
    skip_repeats: bool,
) -> Result<bool, StoreError> {
    let mut statements = record.inserts().into_iter();
    if let Some(message) = statements.next() {
        match message.execute_direct(conn) {
            Err(error)
                if skip_repeats
                    && (error.is_conflict("messages_id_key")
                        || error.is_conflict(messages::EMAIL_REPEAT)) =>
            {
                return Ok(false);
            }
            other => {
                other?;
            }
        }
    }
    for statement in statements {
        statement.execute_direct(conn)?;
    }
    if let Some(contacted) = &record.contacted
        && record.contacted_update().execute_direct(conn)? > 0
    {
        events::append_statement(contacted, None).execute_direct(conn)?;
    }
    if record.answers_request
        && record.answered_update().execute_direct(conn)? > 0
        && let Some(hooks) = record.first_response()
    {
        hooks.execute_direct(conn)?;
    }
    Ok(true)
}
