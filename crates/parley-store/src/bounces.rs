//! Bounces of outbound mail, and the addresses that bounce for good.

use sqlx::Row;

use crate::messages::placeholders;
use crate::statement::Statement;
use crate::{Connection, StoreError, dynamic_query};

/// Hard bounces after which an address is marked undeliverable.
pub const UNDELIVERABLE_AFTER: i64 = 2;

/// The mail a bounce returns: its recipient and, for a notice, the message it quoted.
#[derive(Debug, Clone)]
pub struct Bounced {
    pub recipient: String,
    pub kind: String,
    pub message_id: Option<String>,
}

/// Marks mail `id` bounced with `error` and stops its retries; `None` when there is no such
/// mail or it bounced already (a bounce is noted once).
pub async fn mark_bounced(
    conn: &mut Connection,
    id: &str,
    error: &str,
    at: i64,
) -> Result<Option<Bounced>, StoreError> {
    let changed = sqlx::query(
        "UPDATE outbox SET bounced_at = $1, last_error = $2, next_attempt_at = $3, \
           claimed_until = NULL \
         WHERE id = $4 AND bounced_at IS NULL",
    )
    .bind(at)
    .bind(error)
    .bind(i64::MAX)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT o.recipient, o.kind, n.message_id FROM outbox o \
         LEFT JOIN outbox_notices n ON n.mail_id = o.id WHERE o.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(Some(Bounced {
        recipient: row.try_get("recipient")?,
        kind: row.try_get("kind")?,
        message_id: row.try_get("message_id")?,
    }))
}

/// Counts a hard bounce of `email`; returns whether it is now marked undeliverable.
pub async fn hard_bounce(
    conn: &mut Connection,
    email: &str,
    error: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let email = email.to_lowercase();
    sqlx::query(
        "INSERT INTO undeliverable_addresses (email, hard_bounces, last_error, updated_at) \
         VALUES ($1, 1, $2, $3) \
         ON CONFLICT (email) DO UPDATE SET hard_bounces = undeliverable_addresses.hard_bounces + 1, \
           last_error = excluded.last_error, updated_at = excluded.updated_at",
    )
    .bind(&email)
    .bind(error)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let marked = sqlx::query(
        "UPDATE undeliverable_addresses SET marked_at = $1 \
         WHERE email = $2 AND marked_at IS NULL AND hard_bounces >= $3",
    )
    .bind(at)
    .bind(&email)
    .bind(UNDELIVERABLE_AFTER)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(marked > 0)
}

/// Which of `emails` are marked undeliverable (and the last error of each), in one query.
pub async fn undeliverable(
    conn: &mut Connection,
    emails: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = dynamic_query(format!(
        "SELECT email, last_error FROM undeliverable_addresses \
         WHERE marked_at IS NOT NULL AND email IN ({})",
        placeholders(1, emails.len())
    ));
    for email in emails {
        query = query.bind(email.to_lowercase());
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("email")?, row.try_get("last_error")?)))
        .collect()
}

/// The address is used again (its holder wrote from it): it is deliverable again. A statement,
/// so it runs on every path that records a message.
pub(crate) fn used_again_statement(email: &str) -> Statement<'static> {
    Statement::new(
        "DELETE FROM undeliverable_addresses WHERE email = $1",
        vec![email.to_lowercase().into()],
    )
}
