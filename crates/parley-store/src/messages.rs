//! Messages of threads and the documents attached to them.

use parley_domain::{
    AuthorKind, Channel, Document, DocumentId, DocumentKind, EmailOrigin, Message, MessageId,
    ThreadId, Timestamp,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{email, emails, emails_json, language, parse, time, variant};
use crate::statement::{Param, Statement};
use crate::{Connection, StoreError, dynamic_query};

const MESSAGE_COLUMNS: &str = "id, thread_id, request_id, author_kind, author_id, sender_email, \
    cc, body, language, channel, created_at, read_at, full_body, email_message_id";

/// [`MESSAGE_COLUMNS`] of the table aliased `m`, with the expressions that give the body and
/// the whole email.
macro_rules! message_columns_of_m {
    ($body:literal, $full_body:literal) => {
        concat!(
            "m.id, m.thread_id, m.request_id, m.author_kind, m.author_id, m.sender_email, m.cc, ",
            $body,
            " AS body, m.language, m.channel, m.created_at, m.read_at, ",
            $full_body,
            " AS full_body, m.email_message_id"
        )
    };
}

const MESSAGE_COLUMNS_OF_M: &str = message_columns_of_m!("m.body", "m.full_body");

fn message(row: &AnyRow) -> Result<Message, StoreError> {
    Ok(Message {
        id: parse(&row.try_get::<String, _>("id")?, "message id")?,
        thread_id: parse(&row.try_get::<String, _>("thread_id")?, "thread id")?,
        request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
        author_kind: variant(AuthorKind::parse(&row.try_get::<String, _>("author_kind")?))?,
        author_id: row.try_get("author_id")?,
        sender: email(&row.try_get::<String, _>("sender_email")?)?,
        cc: emails(&row.try_get::<String, _>("cc")?)?,
        body: row.try_get("body")?,
        language: language(&row.try_get::<String, _>("language")?)?,
        channel: variant(Channel::parse(&row.try_get::<String, _>("channel")?))?,
        created_at: time(row.try_get("created_at")?),
        read_at: row.try_get::<Option<i64>, _>("read_at")?.map(time),
        email: row
            .try_get::<Option<String>, _>("full_body")?
            .map(|full_body| -> Result<EmailOrigin, StoreError> {
                Ok(EmailOrigin {
                    full_body: if full_body.is_empty() {
                        row.try_get("body")?
                    } else {
                        full_body
                    },
                    message_id: row.try_get("email_message_id")?,
                })
            })
            .transpose()?,
    })
}

pub async fn insert(conn: &mut Connection, message: &Message) -> Result<(), StoreError> {
    insert_statement(message, None).execute(&mut *conn).await?;
    queue_notifications_statement(message.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The unique index an emailed message repeated (same thread, sender and Message-ID) meets.
pub const EMAIL_REPEAT: &str = "messages_email_message_id_key";

/// Whether `message`, an emailed one, repeats one stored before (what [`EMAIL_REPEAT`] would
/// refuse), read on a direct connection.
pub(crate) fn email_repeat_direct(
    conn: &rusqlite::Connection,
    message: &Message,
) -> Result<bool, StoreError> {
    let Some(message_id) = message.email.as_ref().and_then(|e| e.message_id.as_deref()) else {
        return Ok(false);
    };
    let mut statement = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM messages \
           WHERE thread_id = ?1 AND sender_email = ?2 AND email_message_id = ?3)",
    )?;
    let thread = message.thread_id.to_string();
    Ok(statement.query_row(
        rusqlite::params![thread, message.sender.as_str(), message_id],
        |row| row.get::<_, bool>(0),
    )?)
}

/// The message's row; `raw`, the email it came from, is kept in it (its last column, so that
/// reading the others never walks the raw email's overflow pages).
pub(crate) fn insert_statement<'a>(message: &'a Message, raw: Option<&'a [u8]>) -> Statement<'a> {
    Statement::new(
        "INSERT INTO messages (id, thread_id, request_id, author_kind, author_id, sender_email, \
           cc, body, language, channel, created_at, read_at, full_body, email_message_id, \
           email_raw) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        vec![
            message.id.to_string().into(),
            message.thread_id.to_string().into(),
            message.request_id.to_string().into(),
            message.author_kind.as_str().into(),
            message.author_id.as_str().into(),
            message.sender.as_str().into(),
            emails_json(&message.cc).into(),
            message.body.as_str().into(),
            message.language.code().into(),
            message.channel.as_str().into(),
            message.created_at.0.into(),
            message.read_at.map(|t| t.0).into(),
            // Most replies lose nothing to trimming: their whole text is the body, stored
            // once ("").
            message
                .email
                .as_ref()
                .map(|e| {
                    if e.full_body == message.body {
                        ""
                    } else {
                        e.full_body.as_str()
                    }
                })
                .into(),
            message
                .email
                .as_ref()
                .and_then(|e| e.message_id.as_deref())
                .into(),
            Param::Blob(raw),
        ],
    )
}

/// Puts a new message in the queue of those whose notifications the mail worker has yet to
/// queue (see [`pending_notifications`]).
pub(crate) fn queue_notifications_statement(message: MessageId) -> Statement<'static> {
    Statement::new(
        "INSERT INTO notification_queue (message_id) VALUES ($1)",
        vec![message.to_string().into()],
    )
}

/// The raw email a message came from, if it came by email.
pub async fn original(
    conn: &mut Connection,
    message: MessageId,
) -> Result<Option<Vec<u8>>, StoreError> {
    let row = sqlx::query("SELECT email_raw FROM messages WHERE id = $1")
        .bind(message.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row
        .map(|row| row.try_get::<Option<Vec<u8>>, _>("email_raw"))
        .transpose()?
        .flatten())
}

/// The messages of the given threads, newest first, each with its documents, in one query.
pub async fn with_documents(
    conn: &mut Connection,
    threads: &[ThreadId],
) -> Result<Vec<(Message, Vec<Document>)>, StoreError> {
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {}, {DOCUMENT_COLUMNS_PREFIXED} FROM messages m \
           LEFT JOIN documents d ON d.message_id = m.id \
         WHERE m.thread_id IN ({}) ORDER BY m.created_at DESC, m.id DESC, d.created_at, d.id",
        MESSAGE_COLUMNS_OF_M,
        placeholders(1, threads.len())
    );
    let mut query = dynamic_query(sql);
    for id in threads {
        query = query.bind(id.to_string());
    }
    group_documents(&query.fetch_all(conn).await?)
}

/// Rows of messages joined with their documents, one message per run of rows.
fn group_documents(rows: &[AnyRow]) -> Result<Vec<(Message, Vec<Document>)>, StoreError> {
    let mut out: Vec<(Message, Vec<Document>)> = Vec::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        if out.last().is_none_or(|(m, _)| m.id.to_string() != id) {
            out.push((message(row)?, Vec::new()));
        }
        if row.try_get::<Option<String>, _>("d_id")?.is_some()
            && let Some((_, documents)) = out.last_mut()
        {
            documents.push(document_with(row, &PREFIXED)?);
        }
    }
    Ok(out)
}

/// [`MESSAGE_COLUMNS_OF_M`] without the texts: the body and the whole email read as empty
/// (an emailed message keeps an empty whole email, so that it still reads as emailed).
const MESSAGE_HEAD_COLUMNS_OF_M: &str =
    message_columns_of_m!("''", "CASE WHEN m.full_body IS NULL THEN NULL ELSE '' END");

/// Messages whose notifications are not queued yet, oldest first, with their documents, but
/// without their text (an empty body): a notice quotes its message by reference and renders
/// it when delivered, so the 5–100 KB of each body are not read here.
pub async fn pending_notifications(
    conn: &mut Connection,
    limit: u32,
) -> Result<Vec<(Message, Vec<Document>)>, StoreError> {
    let rows = dynamic_query(format!(
        "SELECT {MESSAGE_HEAD_COLUMNS_OF_M}, {DOCUMENT_COLUMNS_PREFIXED} FROM \
           (SELECT message_id FROM notification_queue ORDER BY message_id LIMIT $1) q \
           JOIN messages m ON m.id = q.message_id \
           LEFT JOIN documents d ON d.message_id = m.id \
         ORDER BY m.created_at, m.id, d.created_at, d.id"
    ))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    group_documents(&rows)
}

/// Takes the pending notifications of `ids` for queuing, in one statement; returns the ids
/// taken (another worker may have taken some).
pub async fn claim_notifications(
    conn: &mut Connection,
    ids: &[MessageId],
) -> Result<Vec<MessageId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = dynamic_query(format!(
        "DELETE FROM notification_queue WHERE message_id IN ({}) RETURNING message_id",
        placeholders(1, ids.len())
    ));
    for id in ids {
        query = query.bind(id.to_string());
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| parse(&row.try_get::<String, _>("message_id")?, "message id"))
        .collect()
}

pub async fn get(conn: &mut Connection, id: MessageId) -> Result<Message, StoreError> {
    let row = dynamic_query(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    message(&row)
}

/// Marks as read the unread messages of `thread` written by `author_kind`, returning them.
pub async fn mark_read(
    conn: &mut Connection,
    thread: ThreadId,
    author_kind: AuthorKind,
    at: Timestamp,
) -> Result<Vec<Message>, StoreError> {
    dynamic_query(format!(
        "UPDATE messages SET read_at = $1 \
         WHERE thread_id = $2 AND author_kind = $3 AND read_at IS NULL \
         RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(at.0)
    .bind(thread.to_string())
    .bind(author_kind.as_str())
    .fetch_all(conn)
    .await?
    .iter()
    .map(message)
    .collect()
}

const DOCUMENT_COLUMNS: &str = "id, message_id, thread_id, request_id, kind, filename, \
    content_type, size_bytes, sha256, storage_key, created_at";

/// The names under which a query returns a document's columns.
struct DocumentNames {
    id: &'static str,
    message_id: &'static str,
    thread_id: &'static str,
    request_id: &'static str,
    kind: &'static str,
    filename: &'static str,
    content_type: &'static str,
    size_bytes: &'static str,
    sha256: &'static str,
    storage_key: &'static str,
    created_at: &'static str,
}

const PLAIN: DocumentNames = DocumentNames {
    id: "id",
    message_id: "message_id",
    thread_id: "thread_id",
    request_id: "request_id",
    kind: "kind",
    filename: "filename",
    content_type: "content_type",
    size_bytes: "size_bytes",
    sha256: "sha256",
    storage_key: "storage_key",
    created_at: "created_at",
};

/// Documents joined to messages, whose column names they would share.
const PREFIXED: DocumentNames = DocumentNames {
    id: "d_id",
    message_id: "d_message_id",
    thread_id: "d_thread_id",
    request_id: "d_request_id",
    kind: "d_kind",
    filename: "d_filename",
    content_type: "d_content_type",
    size_bytes: "d_size_bytes",
    sha256: "d_sha256",
    storage_key: "d_storage_key",
    created_at: "d_created_at",
};

const DOCUMENT_COLUMNS_PREFIXED: &str = "d.id AS d_id, d.message_id AS d_message_id, \
    d.thread_id AS d_thread_id, d.request_id AS d_request_id, d.kind AS d_kind, \
    d.filename AS d_filename, d.content_type AS d_content_type, d.size_bytes AS d_size_bytes, \
    d.sha256 AS d_sha256, d.storage_key AS d_storage_key, d.created_at AS d_created_at";

fn document(row: &AnyRow) -> Result<Document, StoreError> {
    document_with(row, &PLAIN)
}

fn document_with(row: &AnyRow, names: &DocumentNames) -> Result<Document, StoreError> {
    let text = |column: &str| row.try_get::<String, _>(column);
    Ok(Document {
        id: parse(&text(names.id)?, "document id")?,
        message_id: parse(&text(names.message_id)?, "message id")?,
        thread_id: parse(&text(names.thread_id)?, "thread id")?,
        request_id: parse(&text(names.request_id)?, "request id")?,
        kind: variant(DocumentKind::parse(&text(names.kind)?))?,
        filename: text(names.filename)?,
        content_type: text(names.content_type)?,
        size_bytes: u64::try_from(row.try_get::<i64, _>(names.size_bytes)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        sha256: text(names.sha256)?,
        storage_key: text(names.storage_key)?,
        created_at: time(row.try_get::<i64, _>(names.created_at)?),
    })
}

pub async fn insert_document(conn: &mut Connection, doc: &Document) -> Result<(), StoreError> {
    document_statement(doc).execute(conn).await?;
    Ok(())
}

pub(crate) fn document_statement(doc: &Document) -> Statement<'_> {
    Statement::new(
        "INSERT INTO documents (id, message_id, thread_id, request_id, kind, filename, \
           content_type, size_bytes, sha256, storage_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            doc.id.to_string().into(),
            doc.message_id.to_string().into(),
            doc.thread_id.to_string().into(),
            doc.request_id.to_string().into(),
            doc.kind.as_str().into(),
            doc.filename.as_str().into(),
            doc.content_type.as_str().into(),
            i64::try_from(doc.size_bytes).unwrap_or(i64::MAX).into(),
            doc.sha256.as_str().into(),
            doc.storage_key.as_str().into(),
            doc.created_at.0.into(),
        ],
    )
}

pub async fn document_by_id(conn: &mut Connection, id: DocumentId) -> Result<Document, StoreError> {
    let row = dynamic_query(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    document(&row)
}

/// `$first, $first+1, …` for `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
