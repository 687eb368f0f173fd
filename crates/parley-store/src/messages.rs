//! Messages of threads and the documents attached to them.

use parley_domain::{
    AuthorKind, Channel, Document, DocumentId, DocumentKind, Message, MessageId, RequestId,
    ThreadId, Timestamp,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{email, emails, emails_json, language, parse, time, variant};
use crate::{Connection, StoreError, dynamic_query};

const MESSAGE_COLUMNS: &str = "id, thread_id, request_id, author_kind, author_id, sender_email, \
    cc, body, language, channel, created_at, read_at";

fn message(row: &AnyRow) -> Result<Message, StoreError> {
    message_prefixed(row, "")
}

/// Reads a message from columns named `{prefix}{column}`.
fn message_prefixed(row: &AnyRow, prefix: &str) -> Result<Message, StoreError> {
    let text = |column: &str| row.try_get::<String, _>(format!("{prefix}{column}").as_str());
    Ok(Message {
        id: parse(&text("id")?, "message id")?,
        thread_id: parse(&text("thread_id")?, "thread id")?,
        request_id: parse(&text("request_id")?, "request id")?,
        author_kind: variant(AuthorKind::parse(&text("author_kind")?))?,
        author_id: text("author_id")?,
        sender: email(&text("sender_email")?)?,
        cc: emails(&text("cc")?)?,
        body: text("body")?,
        language: language(&text("language")?)?,
        channel: variant(Channel::parse(&text("channel")?))?,
        created_at: time(row.try_get(format!("{prefix}created_at").as_str())?),
        read_at: row
            .try_get::<Option<i64>, _>(format!("{prefix}read_at").as_str())?
            .map(time),
    })
}

pub async fn insert(conn: &mut Connection, message: &Message) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO messages (id, thread_id, request_id, author_kind, author_id, sender_email, \
           cc, body, language, channel, created_at, read_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(message.id.to_string())
    .bind(message.thread_id.to_string())
    .bind(message.request_id.to_string())
    .bind(message.author_kind.as_str())
    .bind(&message.author_id)
    .bind(message.sender.as_str())
    .bind(emails_json(&message.cc))
    .bind(&message.body)
    .bind(message.language.code())
    .bind(message.channel.as_str())
    .bind(message.created_at.0)
    .bind(message.read_at.map(|t| t.0))
    .execute(conn)
    .await?;
    Ok(())
}

/// The messages of the given threads, newest first, each with its documents, in one query.
pub async fn with_documents(
    conn: &mut Connection,
    threads: &[ThreadId],
) -> Result<Vec<(Message, Vec<Document>)>, StoreError> {
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    let columns = |prefix: &str, list: &str| {
        list.split(", ")
            .map(|c| format!("{prefix}.{} AS {prefix}_{}", c.trim(), c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sql = format!(
        "SELECT {}, {} FROM messages m LEFT JOIN documents d ON d.message_id = m.id \
         WHERE m.thread_id IN ({}) ORDER BY m.created_at DESC, m.id DESC, d.created_at, d.id",
        columns("m", MESSAGE_COLUMNS),
        columns("d", DOCUMENT_COLUMNS),
        placeholders(1, threads.len())
    );
    let mut query = dynamic_query(sql);
    for id in threads {
        query = query.bind(id.to_string());
    }
    let mut out: Vec<(Message, Vec<Document>)> = Vec::new();
    for row in query.fetch_all(conn).await? {
        let id: String = row.try_get("m_id")?;
        if out.last().is_none_or(|(m, _)| m.id.to_string() != id) {
            out.push((message_prefixed(&row, "m_")?, Vec::new()));
        }
        if row.try_get::<Option<String>, _>("d_id")?.is_some()
            && let Some((_, documents)) = out.last_mut()
        {
            documents.push(document_prefixed(&row, "d_")?);
        }
    }
    Ok(out)
}

/// The messages of the given threads, newest first.
pub async fn of_threads(
    conn: &mut Connection,
    threads: &[ThreadId],
) -> Result<Vec<Message>, StoreError> {
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = placeholders(1, threads.len());
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE thread_id IN ({placeholders}) \
         ORDER BY created_at DESC, id DESC"
    );
    let mut query = dynamic_query(sql);
    for id in threads {
        query = query.bind(id.to_string());
    }
    query.fetch_all(conn).await?.iter().map(message).collect()
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

fn document(row: &AnyRow) -> Result<Document, StoreError> {
    document_prefixed(row, "")
}

/// Reads a document from columns named `{prefix}{column}`.
fn document_prefixed(row: &AnyRow, prefix: &str) -> Result<Document, StoreError> {
    let text = |column: &str| row.try_get::<String, _>(format!("{prefix}{column}").as_str());
    let number = |column: &str| row.try_get::<i64, _>(format!("{prefix}{column}").as_str());
    Ok(Document {
        id: parse(&text("id")?, "document id")?,
        message_id: parse(&text("message_id")?, "message id")?,
        thread_id: parse(&text("thread_id")?, "thread id")?,
        request_id: parse(&text("request_id")?, "request id")?,
        kind: variant(DocumentKind::parse(&text("kind")?))?,
        filename: text("filename")?,
        content_type: text("content_type")?,
        size_bytes: u64::try_from(number("size_bytes")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        sha256: text("sha256")?,
        storage_key: text("storage_key")?,
        created_at: time(number("created_at")?),
    })
}

pub async fn insert_document(conn: &mut Connection, doc: &Document) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO documents (id, message_id, thread_id, request_id, kind, filename, \
           content_type, size_bytes, sha256, storage_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(doc.id.to_string())
    .bind(doc.message_id.to_string())
    .bind(doc.thread_id.to_string())
    .bind(doc.request_id.to_string())
    .bind(doc.kind.as_str())
    .bind(&doc.filename)
    .bind(&doc.content_type)
    .bind(i64::try_from(doc.size_bytes).unwrap_or(i64::MAX))
    .bind(&doc.sha256)
    .bind(&doc.storage_key)
    .bind(doc.created_at.0)
    .execute(conn)
    .await?;
    Ok(())
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

/// The documents of a request, for the threads given, newest first.
pub async fn documents_of_request(
    conn: &mut Connection,
    request: RequestId,
) -> Result<Vec<Document>, StoreError> {
    dynamic_query(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE request_id = $1 \
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(request.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(document)
    .collect()
}

/// `$first, $first+1, …` for `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
