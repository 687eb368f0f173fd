//! Sign-in links and browser sessions, both stored as SHA-256 hashes of their secret.

use sqlx::Row;

use crate::tokens::TokenOwner;
use crate::{Connection, StoreError};

fn owner_parts(owner: &TokenOwner) -> Result<(&'static str, &str), StoreError> {
    match owner {
        TokenOwner::Member(id) => Ok(("member", id)),
        TokenOwner::Buyer(id) => Ok(("buyer", id)),
        TokenOwner::Marketplace(_) => Err(StoreError::Conflict("web_sessions_kind_check".into())),
    }
}

fn owner_from(kind: &str, id: String) -> Result<TokenOwner, StoreError> {
    match kind {
        "member" => Ok(TokenOwner::Member(id)),
        "buyer" => Ok(TokenOwner::Buyer(id)),
        other => Err(StoreError::Corrupt(format!("session kind {other}"))),
    }
}

pub async fn insert_link(
    conn: &mut Connection,
    token_hash: &str,
    owner: &TokenOwner,
    next_path: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    let (kind, id) = owner_parts(owner)?;
    sqlx::query(
        "INSERT INTO sign_in_links \
           (token_hash, principal_kind, principal_id, next_path, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(kind)
    .bind(id)
    .bind(next_path)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Uses a link: returns its owner and where it leads if it exists, is unused and unexpired,
/// and marks it used (one-time) in the same statement.
pub async fn use_link(
    conn: &mut Connection,
    token_hash: &str,
    now: i64,
) -> Result<Option<(TokenOwner, String)>, StoreError> {
    let row = sqlx::query(
        "UPDATE sign_in_links SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING principal_kind, principal_id, next_path",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let owner = owner_from(
        &row.try_get::<String, _>("principal_kind")?,
        row.try_get("principal_id")?,
    )?;
    Ok(Some((owner, row.try_get("next_path")?)))
}

pub async fn insert_session(
    conn: &mut Connection,
    token_hash: &str,
    owner: &TokenOwner,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    let (kind, id) = owner_parts(owner)?;
    sqlx::query(
        "INSERT INTO web_sessions \
           (token_hash, principal_kind, principal_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(kind)
    .bind(id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The owner and CSRF token of an unexpired session.
pub async fn session(
    conn: &mut Connection,
    token_hash: &str,
    now: i64,
) -> Result<Option<(TokenOwner, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT principal_kind, principal_id, csrf_token FROM web_sessions \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let owner = owner_from(
        &row.try_get::<String, _>("principal_kind")?,
        row.try_get("principal_id")?,
    )?;
    Ok(Some((owner, row.try_get("csrf_token")?)))
}

/// Ends a session, and with it any expired ones.
pub async fn delete_session(
    conn: &mut Connection,
    token_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1 OR expires_at <= $2")
        .bind(token_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
