//! API bearer tokens, stored as SHA-256 hashes so a database leak gives no usable token.

use sqlx::Row;

use crate::{Connection, StoreError, now_millis};

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOwner {
    Member(String),
    Buyer(String),
    Marketplace(String),
}

impl TokenOwner {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Self::Member(id) => ("member", id),
            Self::Buyer(id) => ("buyer", id),
            Self::Marketplace(id) => ("marketplace", id),
        }
    }
}

pub async fn insert(
    conn: &mut Connection,
    token_hash: &str,
    owner: &TokenOwner,
    label: &str,
) -> Result<(), StoreError> {
    let (kind, id) = owner.parts();
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, principal_kind, principal_id, label, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(kind)
    .bind(id)
    .bind(label)
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// The owner of an unrevoked token.
pub async fn owner(
    conn: &mut Connection,
    token_hash: &str,
) -> Result<Option<TokenOwner>, StoreError> {
    let row = sqlx::query(
        "SELECT principal_kind, principal_id FROM api_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get("principal_id")?;
    match row.try_get::<String, _>("principal_kind")?.as_str() {
        "member" => Ok(Some(TokenOwner::Member(id))),
        "buyer" => Ok(Some(TokenOwner::Buyer(id))),
        "marketplace" => Ok(Some(TokenOwner::Marketplace(id))),
        other => Err(StoreError::Corrupt(format!("token kind {other}"))),
    }
}

/// Revokes a token; returns whether it existed.
pub async fn revoke(conn: &mut Connection, token_hash: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2")
        .bind(now_millis())
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() > 0)
}
