//! Emailed replies held because their sender could not be verified (migration 0027): kept
//! whole until the masked address's holder releases or deletes them.

use sqlx::Row;

use crate::{Connection, StoreError};

/// A held reply, without its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReply {
    pub id: String,
    pub request_id: String,
    pub thread_id: String,
    /// The masked address it was sent to.
    pub token: String,
    /// Who the address writes as (`Caller::viewer_key`): the only one who sees it.
    pub holder_key: String,
    /// The envelope sender (the From header, which had to match).
    pub sender: String,
    pub subject: String,
    /// The reply's first words, for recognising it.
    pub preview: String,
    /// The `Authentication-Results` found.
    pub results: String,
    pub received_at: i64,
}

macro_rules! columns {
    () => {
        "id, request_id, thread_id, token, holder_key, sender, subject, preview, results, \
         received_at"
    };
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<HeldReply, StoreError> {
    Ok(HeldReply {
        id: row.try_get("id")?,
        request_id: row.try_get("request_id")?,
        thread_id: row.try_get("thread_id")?,
        token: row.try_get("token")?,
        holder_key: row.try_get("holder_key")?,
        sender: row.try_get("sender")?,
        subject: row.try_get("subject")?,
        preview: row.try_get("preview")?,
        results: row.try_get("results")?,
        received_at: row.try_get("received_at")?,
    })
}

/// Keeps a held reply with its raw email.
pub async fn insert(conn: &mut Connection, held: &HeldReply, raw: &[u8]) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO held_replies (id, request_id, thread_id, token, holder_key, sender, \
           subject, preview, results, received_at, raw) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&held.id)
    .bind(&held.request_id)
    .bind(&held.thread_id)
    .bind(&held.token)
    .bind(&held.holder_key)
    .bind(&held.sender)
    .bind(&held.subject)
    .bind(&held.preview)
    .bind(&held.results)
    .bind(held.received_at)
    .bind(raw)
    .execute(conn)
    .await?;
    Ok(())
}

/// The replies of a request held for one holder, oldest first.
pub async fn of_holder(
    conn: &mut Connection,
    request_id: &str,
    holder_key: &str,
) -> Result<Vec<HeldReply>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM held_replies WHERE request_id = $1 AND holder_key = $2 ORDER BY received_at, id"
    ))
    .bind(request_id)
    .bind(holder_key)
    .fetch_all(conn)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// One held reply with its raw email.
pub async fn with_raw(
    conn: &mut Connection,
    id: &str,
) -> Result<Option<(HeldReply, Vec<u8>)>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", raw FROM held_replies WHERE id = $1"
    );
    let Some(row) = sqlx::query(sql).bind(id).fetch_optional(conn).await? else {
        return Ok(None);
    };
    Ok(Some((from_row(&row)?, row.try_get("raw")?)))
}

/// Removes a held reply (released or deleted); whether it was there.
pub async fn remove(conn: &mut Connection, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM held_replies WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
