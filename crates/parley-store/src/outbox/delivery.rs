//! Delivering the queue: claiming due mails under a lease, recording each attempt, and pruning
//! delivered mail to its metadata after the retention period.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{COLUMNS, FROM, Queued, queued};
use crate::messages::placeholders;
use crate::{Connection, StoreError, dynamic_query};

/// The ids of up to `$2` mails due at `$1`, oldest first: not sent, their time come, and no
/// live lease on them.
const DUE_IDS: &str = "SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
    AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_attempt_at, id LIMIT $2";

/// The `id` column of `rows`.
fn id_column(rows: &[AnyRow]) -> Result<Vec<String>, StoreError> {
    rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
}

/// Ids of mail due for (another) attempt at `now`, oldest first.
pub async fn due(conn: &mut Connection, now: i64, limit: u32) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(DUE_IDS)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await?;
    id_column(&rows)
}

/// Mails by id (those that exist), in no particular order.
pub async fn get_many(conn: &mut Connection, ids: &[String]) -> Result<Vec<Queued>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut query = dynamic_query(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE o.id IN ({})",
        placeholders.join(", ")
    ));
    for id in ids {
        query = query.bind(id.clone());
    }
    query.fetch_all(conn).await?.iter().map(queued).collect()
}

/// Takes the lease until `until` on those of `ids` that are still due and free, in one
/// statement; returns the ids taken. The conditions in the UPDATE are what make claiming safe
/// across workers and processes on both databases.
pub async fn claim_many(
    conn: &mut Connection,
    ids: &[String],
    now: i64,
    until: i64,
) -> Result<Vec<String>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = dynamic_query(format!(
        "UPDATE outbox SET claimed_until = $1 WHERE id IN ({}) AND sent_at IS NULL \
           AND (claimed_until IS NULL OR claimed_until < $2) RETURNING id",
        placeholders(3, ids.len())
    ))
    .bind(until)
    .bind(now);
    for id in ids {
        query = query.bind(id.clone());
    }
    id_column(&query.fetch_all(conn).await?)
}

/// Marks up to `limit` due mails delivered, in one statement, and returns their ids: for the
/// development mailbox, where nothing leaves (so no lease is needed). `sent_at IS NULL` is
/// checked again on each row, so two workers never both take a mail (PostgreSQL re-checks it
/// on a row another transaction just updated).
pub async fn mark_due_sent(
    conn: &mut Connection,
    now: i64,
    limit: u32,
) -> Result<Vec<String>, StoreError> {
    let rows = dynamic_query(format!(
        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, \
           last_error = NULL \
         WHERE sent_at IS NULL AND id IN ({DUE_IDS}) RETURNING id"
    ))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    id_column(&rows)
}

/// Records the delivery of `ids`, in one statement.
pub async fn mark_sent_many(
    conn: &mut Connection,
    ids: &[String],
    at: i64,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut query = dynamic_query(format!(
        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, \
           last_error = NULL WHERE id IN ({})",
        placeholders(2, ids.len())
    ))
    .bind(at);
    for id in ids {
        query = query.bind(id.clone());
    }
    query.execute(conn).await?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn mark_failed(
    conn: &mut Connection,
    id: &str,
    error: &str,
    next_attempt_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = $2, \
           next_attempt_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(next_attempt_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The mail waiting to go out (not sent, not given up) and when the oldest was queued.
pub async fn waiting(conn: &mut Connection) -> Result<(i64, Option<i64>), StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS waiting, MIN(created_at) AS oldest FROM outbox \
         WHERE sent_at IS NULL AND next_attempt_at < $1",
    )
    .bind(i64::MAX)
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("waiting")?, row.try_get("oldest")?))
}

/// Where pruning delivered mail left off: the last mail pruned, by (sent at, id).
pub type PruneMark = (i64, String);

/// Prunes the bodies of up to `limit` mails delivered after `after` and before `before` (their
/// text, HTML and a notice's content; the `outbox` row stays: recipient, subject, kind, times),
/// oldest first, and returns the last one pruned and how many (`None`: none left).
pub async fn prune_delivered(
    conn: &mut Connection,
    after: &PruneMark,
    before: i64,
    limit: u32,
) -> Result<Option<(PruneMark, usize)>, StoreError> {
    // `outbox_pending_idx` (sent_at, …) reads the range in order.
    let rows = sqlx::query(
        "SELECT id, sent_at FROM outbox \
         WHERE sent_at IS NOT NULL AND sent_at < $1 AND (sent_at, id) > ($2, $3) \
         ORDER BY sent_at, id LIMIT $4",
    )
    .bind(before)
    .bind(after.0)
    .bind(after.1.clone())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    let Some(last) = rows.last() else {
        return Ok(None);
    };
    let mark = (last.try_get("sent_at")?, last.try_get("id")?);
    let ids = id_column(&rows)?;
    for table in ["outbox_bodies", "outbox_notices"] {
        let mut query = dynamic_query(format!(
            "DELETE FROM {table} WHERE mail_id IN ({})",
            placeholders(1, ids.len())
        ));
        for id in &ids {
            query = query.bind(id.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(Some((mark, ids.len())))
}
