//! Stored machine translations, and what a translation request needs in one query.

use parley_domain::{
    LanguageCode, MemberId, MessageId, OrganizationId, RequestId, RequestParties, Timestamp,
};
use sqlx::Row;

use crate::rows::{language, parse};
use crate::{Connection, StoreError};

/// A stored translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTranslation {
    pub text: String,
    pub engine: String,
    pub via: Option<LanguageCode>,
}

/// A message as a translation request sees it: its request, thread party, author side,
/// language and text, the cached translation into the target if any, and whether this reader's
/// "translated" event exists; and what the access policy needs to decide whether the reader
/// may read the message's thread: the request's buyer and manufacturer, the thread's party, and
/// the reader's grant on that party if any. The translation is served from the cache on every
/// read, so all of it is one query.
#[derive(Debug, Clone)]
pub struct ToTranslate {
    pub request_id: parley_domain::RequestId,
    pub thread_id: parley_domain::ThreadId,
    pub party: OrganizationId,
    /// Enough of the request's parties to check `ReadThread(party)` with the policy.
    pub parties: RequestParties,
    pub author_kind: String,
    pub language: LanguageCode,
    pub body: String,
    pub cached: Option<StoredTranslation>,
    pub recorded: bool,
}

/// One query for [`ToTranslate`]; `None` when the message does not exist.
pub async fn to_translate(
    conn: &mut Connection,
    message: MessageId,
    target: LanguageCode,
    event_key: &str,
    reader: Option<MemberId>,
) -> Result<Option<ToTranslate>, StoreError> {
    let row = sqlx::query(
        "SELECT m.request_id, m.thread_id, th.organization_id AS party, r.buyer_id, \
           r.manufacturer_id, m.author_kind, m.language, m.body, \
           t.text AS t_text, t.engine AS t_engine, t.via AS t_via, \
           (SELECT COUNT(*) FROM events e WHERE e.dedupe_key = $3) AS recorded, \
           (SELECT COUNT(*) FROM grants g WHERE g.request_id = m.request_id \
              AND g.member_id = $4 AND g.party_id = th.organization_id \
              AND g.revoked_at IS NULL) AS granted \
         FROM messages m JOIN threads th ON th.id = m.thread_id \
           JOIN requests r ON r.id = m.request_id \
           LEFT JOIN translations t ON t.message_id = m.id AND t.target = $2 \
         WHERE m.id = $1 ORDER BY t.created_at LIMIT 1",
    )
    .bind(message.to_string())
    .bind(target.code())
    .bind(event_key)
    .bind(reader.map(|m| m.to_string()).unwrap_or_default())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let cached = stored(&row)?;
    let party: OrganizationId = parse(&row.try_get::<String, _>("party")?, "org")?;
    let grants = match reader {
        Some(member) if row.try_get::<i64, _>("granted")? > 0 => vec![(member, party)],
        _ => Vec::new(),
    };
    Ok(Some(ToTranslate {
        party,
        parties: RequestParties {
            buyer: parse(&row.try_get::<String, _>("buyer_id")?, "buyer id")?,
            manufacturer: parse(&row.try_get::<String, _>("manufacturer_id")?, "org")?,
            parties: vec![party],
            grants,
        },
        request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
        thread_id: parse(&row.try_get::<String, _>("thread_id")?, "thread id")?,
        author_kind: row.try_get("author_kind")?,
        language: language(&row.try_get::<String, _>("language")?)?,
        body: row.try_get("body")?,
        cached,
        recorded: row.try_get::<i64, _>("recorded")? > 0,
    }))
}

/// Stores a translation (a concurrent identical one wins silently).
pub async fn insert(
    conn: &mut Connection,
    message: MessageId,
    target: LanguageCode,
    translation: &StoredTranslation,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO translations (message_id, target, engine, text, via, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id, target, engine) DO NOTHING";
    store(conn, sql, message.to_string(), target, translation, at).await
}

/// Binds a translation of the text keyed `key` to `sql` (one of the two inserts) and runs it.
async fn store(
    conn: &mut Connection,
    sql: &'static str,
    key: String,
    target: LanguageCode,
    translation: &StoredTranslation,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(key)
        .bind(target.code())
        .bind(&translation.engine)
        .bind(&translation.text)
        .bind(translation.via.map(LanguageCode::code))
        .bind(at.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// A request's own text (the buyer's first message) to translate into `target`, with the
/// stored translation when a reader asked before.
pub struct RequestToTranslate {
    pub text: String,
    pub language: LanguageCode,
    pub cached: Option<StoredTranslation>,
}

/// The request's text and language, and its stored translation into `target`; `None` when
/// there is no such request.
pub async fn request_to_translate(
    conn: &mut Connection,
    request: RequestId,
    target: LanguageCode,
) -> Result<Option<RequestToTranslate>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT r.message, r.language, t.text AS t_text, t.engine AS t_engine, t.via AS t_via \
         FROM requests r LEFT JOIN request_translations t \
           ON t.request_id = r.id AND t.target = $2 \
         WHERE r.id = $1 ORDER BY t.created_at LIMIT 1",
    )
    .bind(request.to_string())
    .bind(target.code())
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let cached = stored(&row)?;
    Ok(Some(RequestToTranslate {
        text: row.try_get("message")?,
        language: language(&row.try_get::<String, _>("language")?)?,
        cached,
    }))
}

/// Stores a translation of a request's text (a concurrent identical one wins silently).
pub async fn insert_for_request(
    conn: &mut Connection,
    request: RequestId,
    target: LanguageCode,
    translation: &StoredTranslation,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO request_translations (request_id, target, engine, text, via, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (request_id, target, engine) DO NOTHING";
    store(conn, sql, request.to_string(), target, translation, at).await
}

/// The stored translation a query joined in (`t_text`, `t_engine`, `t_via`), if any.
fn stored(row: &sqlx::any::AnyRow) -> Result<Option<StoredTranslation>, StoreError> {
    let Some(text) = row.try_get::<Option<String>, _>("t_text")? else {
        return Ok(None);
    };
    Ok(Some(StoredTranslation {
        text,
        engine: row.try_get("t_engine")?,
        via: row
            .try_get::<Option<String>, _>("t_via")?
            .as_deref()
            .map(language)
            .transpose()?,
    }))
}
