//! Outbound mail, queued in the database in the same transaction as what it announces.

use sqlx::Row;

use crate::{Connection, StoreError};

/// A queued email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    /// What it is about (`sign_in_link`, …), for logs and metrics.
    pub kind: String,
    pub created_at: i64,
}

pub async fn enqueue(conn: &mut Connection, mail: &Mail) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (id, recipient, subject, text_body, kind, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&mail.id)
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.text_body)
    .bind(&mail.kind)
    .bind(mail.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The most recent mail, newest first.
pub async fn recent(conn: &mut Connection, limit: u32) -> Result<Vec<Mail>, StoreError> {
    sqlx::query(
        "SELECT id, recipient, subject, text_body, kind, created_at FROM outbox \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(Mail {
            id: row.try_get("id")?,
            recipient: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            text_body: row.try_get("text_body")?,
            kind: row.try_get("kind")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .collect()
}
