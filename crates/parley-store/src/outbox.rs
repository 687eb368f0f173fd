//! Outbound mail, queued in the database in the same transaction as what it announces, and
//! claimed by delivery workers with a lease (several processes may run workers).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::messages::placeholders;
use crate::{Connection, StoreError, dynamic_query};

mod delivery;
pub use delivery::{
    PruneMark, claim_many, due, get_many, mark_due_sent, mark_failed, mark_sent_many,
    prune_delivered, waiting,
};

/// A queued email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    /// The HTML alternative, when there is one.
    pub html_body: Option<String>,
    /// Display name and address it comes from; `None` for Parley's own no-reply address.
    /// A masked address here makes replies come back through the relay.
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    /// What it is about (`sign_in_link`, `new_message`, …), for logs and metrics.
    pub kind: String,
    pub created_at: i64,
    /// For a notice that quotes a message: its bodies are rendered when it is read, from this
    /// (see migration 0010); `text_body` and `html_body` are empty until then.
    pub notice: Option<StoredNotice>,
    /// The recipient and conversation of a new-message notice, whose notices are gathered
    /// (migration 0016); `None` for mail sent on its own.
    pub gather_key: Option<String>,
    /// When it is due; `None`: at once (its `created_at`).
    pub due_at: Option<i64>,
}

/// What a notice says around the message it quotes, as the app wrote it, and that message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredNotice {
    pub message_id: String,
    /// Opaque to the store (the app's JSON).
    pub content: String,
    /// The quoted message's body: filled when the mail is read, ignored when it is queued.
    pub quote: String,
}

/// A mail being delivered, with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub mail: Mail,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// A mail's columns: its delivery state in `outbox`, its bodies in `outbox_bodies` (written
/// once, so the state's updates stay small: see migration 0009), or for a notice, what it says
/// in `outbox_notices` and the body of the message it quotes (migration 0010).
const COLUMNS: &str = "o.id, o.recipient, o.subject, b.text_body, b.html_body, o.from_name, \
    o.from_address, o.kind, o.created_at, o.attempts, o.sent_at, o.last_error, \
    n.message_id AS notice_message_id, n.content AS notice_content, m.body AS notice_quote";

const FROM: &str = "outbox o LEFT JOIN outbox_bodies b ON b.mail_id = o.id \
    LEFT JOIN outbox_notices n ON n.mail_id = o.id LEFT JOIN messages m ON m.id = n.message_id";

fn queued(row: &AnyRow) -> Result<Queued, StoreError> {
    Ok(Queued {
        mail: Mail {
            id: row.try_get("id")?,
            recipient: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            text_body: row
                .try_get::<Option<String>, _>("text_body")?
                .unwrap_or_default(),
            html_body: row.try_get("html_body")?,
            from_name: row.try_get("from_name")?,
            from_address: row.try_get("from_address")?,
            kind: row.try_get("kind")?,
            created_at: row.try_get("created_at")?,
            notice: row
                .try_get::<Option<String>, _>("notice_message_id")?
                .map(|message_id| -> Result<StoredNotice, StoreError> {
                    Ok(StoredNotice {
                        message_id,
                        content: row.try_get("notice_content")?,
                        quote: row
                            .try_get::<Option<String>, _>("notice_quote")?
                            .unwrap_or_default(),
                    })
                })
                .transpose()?,
            gather_key: None,
            due_at: None,
        },
        attempts: row.try_get("attempts")?,
        sent_at: row.try_get("sent_at")?,
        last_error: row.try_get("last_error")?,
    })
}

pub async fn enqueue(conn: &mut Connection, mail: &Mail) -> Result<(), StoreError> {
    enqueue_many(conn, std::slice::from_ref(mail)).await
}

/// Mails per INSERT: SQLite resolves each bound value's name by a linear search of the
/// statement's parameters, so one statement's binding costs grow with the square of its
/// values (perf: 2 % of the relay's CPU with 200 mails at once).
const ENQUEUE_CHUNK: usize = 32;

/// Queues several mails, a few statements per [`ENQUEUE_CHUNK`] of them (their states, then
/// their bodies or notices).
pub async fn enqueue_many(conn: &mut Connection, mails: &[Mail]) -> Result<(), StoreError> {
    for chunk in mails.chunks(ENQUEUE_CHUNK) {
        enqueue_chunk(conn, chunk).await?;
    }
    Ok(())
}

async fn enqueue_chunk(conn: &mut Connection, mails: &[Mail]) -> Result<(), StoreError> {
    if mails.is_empty() {
        return Ok(());
    }
    let mut query = dynamic_query(format!(
        "INSERT INTO outbox (id, recipient, subject, from_name, from_address, kind, created_at, \
           next_attempt_at, gather_key) VALUES {}",
        value_rows(mails.len(), 9)
    ));
    for mail in mails {
        query = query
            .bind(mail.id.clone())
            .bind(mail.recipient.clone())
            .bind(mail.subject.clone())
            .bind(mail.from_name.clone())
            .bind(mail.from_address.clone())
            .bind(mail.kind.clone())
            .bind(mail.created_at)
            .bind(mail.due_at.unwrap_or(mail.created_at))
            .bind(mail.gather_key.clone());
    }
    query.execute(&mut *conn).await?;
    let (notices, rendered): (Vec<&Mail>, Vec<&Mail>) =
        mails.iter().partition(|mail| mail.notice.is_some());
    if !rendered.is_empty() {
        let mut query = dynamic_query(format!(
            "INSERT INTO outbox_bodies (mail_id, text_body, html_body) VALUES {}",
            value_rows(rendered.len(), 3)
        ));
        for mail in rendered {
            query = query
                .bind(mail.id.clone())
                .bind(mail.text_body.clone())
                .bind(mail.html_body.clone());
        }
        query.execute(&mut *conn).await?;
    }
    if !notices.is_empty() {
        let mut query = dynamic_query(format!(
            "INSERT INTO outbox_notices (mail_id, message_id, content) VALUES {}",
            value_rows(notices.len(), 3)
        ));
        for (mail, notice) in notices.iter().filter_map(|m| Some((m, m.notice.as_ref()?))) {
            query = query
                .bind(mail.id.clone())
                .bind(notice.message_id.clone())
                .bind(notice.content.clone());
        }
        query.execute(conn).await?;
    }
    Ok(())
}

/// `($1, $2, $3), ($4, $5, $6)` for two rows of three values.
fn value_rows(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|i| format!("({})", placeholders(i * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The latest mail queued for `gather_key` since `since`: its id, when it was queued, whether
/// it is still waiting (not sent, due after `now`) and how many notices it gathers.
pub async fn latest_gathered(
    conn: &mut Connection,
    gather_key: &str,
    since: i64,
    now: i64,
) -> Result<Option<(String, i64, bool, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, created_at, gathered, \
           CASE WHEN sent_at IS NULL AND next_attempt_at > $3 THEN 1 ELSE 0 END AS waiting \
         FROM outbox WHERE gather_key = $1 AND created_at > $2 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(gather_key)
    .bind(since)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.map(|row| -> Result<_, StoreError> {
        Ok((
            row.try_get("id")?,
            row.try_get("created_at")?,
            row.try_get::<i64, _>("waiting")? == 1,
            row.try_get("gathered")?,
        ))
    })
    .transpose()
}

/// Makes the waiting digest `id` announce `mail` (the newest notice of its conversation)
/// instead, one more notice gathered.
pub async fn regather(conn: &mut Connection, id: &str, mail: &Mail) -> Result<(), StoreError> {
    let Some(notice) = &mail.notice else {
        return Err(StoreError::Corrupt(
            "a gathered mail without its notice".to_owned(),
        ));
    };
    sqlx::query(
        "UPDATE outbox SET subject = $2, from_name = $3, from_address = $4, \
           gathered = gathered + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(mail.subject.clone())
    .bind(mail.from_name.clone())
    .bind(mail.from_address.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE outbox_notices SET message_id = $2, content = $3 WHERE mail_id = $1")
        .bind(id)
        .bind(notice.message_id.clone())
        .bind(notice.content.clone())
        .execute(conn)
        .await?;
    Ok(())
}

/// The most recent mail, newest first.
pub async fn recent(conn: &mut Connection, limit: u32) -> Result<Vec<Queued>, StoreError> {
    recent_before(conn, limit, None).await
}

/// The most recent mail queued before `before` (created at, id), newest first: pages of the
/// development mailbox.
pub async fn recent_before(
    conn: &mut Connection,
    limit: u32,
    before: Option<(i64, &str)>,
) -> Result<Vec<Queued>, StoreError> {
    let (at, id) = before.unwrap_or((i64::MAX, ""));
    dynamic_query(format!(
        "SELECT {COLUMNS} FROM {FROM} \
         WHERE o.created_at < $2 OR (o.created_at = $2 AND o.id < $3) \
         ORDER BY o.created_at DESC, o.id DESC LIMIT $1"
    ))
    .bind(i64::from(limit))
    .bind(at)
    .bind(id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(queued)
    .collect()
}
