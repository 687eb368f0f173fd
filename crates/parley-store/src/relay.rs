//! Masked addresses of the email relay.

use sqlx::Row;
use sqlx::any::AnyRow;

use parley_domain::{Buyer, Member};

use crate::messages::placeholders;
use crate::rows::{country, email, language, parse};
use crate::{Connection, StoreError, dynamic_query};

/// Who holds a masked address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderKind {
    Buyer,
    Member,
    /// Someone copied on a message; writes on behalf of the member who copied them.
    Cc,
}

impl HolderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Member => "member",
            Self::Cc => "cc",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "buyer" => Ok(Self::Buyer),
            "member" => Ok(Self::Member),
            "cc" => Ok(Self::Cc),
            other => Err(StoreError::Corrupt(format!("relay holder kind {other}"))),
        }
    }
}

/// A masked address: mail to `token@relay-domain` must come from `email`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayAddress {
    pub token: String,
    pub thread_id: String,
    pub request_id: String,
    pub holder_kind: HolderKind,
    /// The buyer or member id; for [`HolderKind::Cc`], the member who copied them.
    pub holder_id: String,
    pub email: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str =
    "token, thread_id, request_id, holder_kind, holder_id, email, created_at, revoked_at";

fn address(row: &AnyRow) -> Result<RelayAddress, StoreError> {
    Ok(RelayAddress {
        token: row.try_get("token")?,
        thread_id: row.try_get("thread_id")?,
        request_id: row.try_get("request_id")?,
        holder_kind: HolderKind::parse(&row.try_get::<String, _>("holder_kind")?)?,
        holder_id: row.try_get("holder_id")?,
        email: row.try_get("email")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// Who holds an address, as stored.
#[derive(Debug, Clone)]
pub enum Holder {
    Buyer(Buyer),
    /// The member, or for [`HolderKind::Cc`] the member who copied the person.
    Member(Member),
}

/// The address with `token` and its holder, in one query (the relay asks at every RCPT TO).
pub async fn target(
    conn: &mut Connection,
    token: &str,
) -> Result<Option<(RelayAddress, Holder)>, StoreError> {
    let row = sqlx::query(
        "SELECT a.token, a.thread_id, a.request_id, a.holder_kind, a.holder_id, a.email, \
           a.created_at, a.revoked_at, \
           COALESCE(b.name, m.name) AS h_name, COALESCE(b.email, m.email) AS h_email, \
           COALESCE(b.phone, m.phone) AS h_phone, COALESCE(b.language, m.language) AS h_language, \
           b.company AS h_company, b.country AS h_country, m.organization_id AS h_org \
         FROM relay_addresses a \
           LEFT JOIN buyers b ON a.holder_kind = 'buyer' AND b.id = a.holder_id \
           LEFT JOIN members m ON a.holder_kind <> 'buyer' AND m.id = a.holder_id \
         WHERE a.token = $1",
    )
    .bind(token)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let address = address(&row)?;
    let Some(name) = row.try_get::<Option<String>, _>("h_name")? else {
        return Err(StoreError::Corrupt(format!(
            "relay address {token} without holder"
        )));
    };
    let holder_email = email(&row.try_get::<String, _>("h_email")?)?;
    let phone = row.try_get("h_phone")?;
    let holder_language = language(&row.try_get::<String, _>("h_language")?)?;
    let holder = match address.holder_kind {
        HolderKind::Buyer => Holder::Buyer(Buyer {
            id: parse(&address.holder_id, "buyer id")?,
            name,
            company: row.try_get("h_company")?,
            country: country(&row.try_get::<String, _>("h_country")?)?,
            language: holder_language,
            email: holder_email,
            phone,
        }),
        HolderKind::Member | HolderKind::Cc => Holder::Member(Member {
            id: parse(&address.holder_id, "member id")?,
            organization_id: parse(&row.try_get::<String, _>("h_org")?, "org id")?,
            name,
            email: holder_email,
            phone,
            language: holder_language,
        }),
    };
    Ok(Some((address, holder)))
}

/// The addresses of one thread (revoked ones too: a holder keeps one address per thread).
pub async fn of_thread(
    conn: &mut Connection,
    thread_id: &str,
) -> Result<Vec<RelayAddress>, StoreError> {
    dynamic_query(format!(
        "SELECT {COLUMNS} FROM relay_addresses WHERE thread_id = $1"
    ))
    .bind(thread_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(address)
    .collect()
}

/// Inserts new addresses in one statement.
pub async fn insert_many(conn: &mut Connection, new: &[RelayAddress]) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..new.len())
        .map(|i| format!("({})", placeholders(i * 7 + 1, 7)))
        .collect();
    let mut query = dynamic_query(format!(
        "INSERT INTO relay_addresses \
           (token, thread_id, request_id, holder_kind, holder_id, email, created_at) VALUES {}",
        rows.join(", ")
    ));
    for address in new {
        query = query
            .bind(address.token.clone())
            .bind(address.thread_id.clone())
            .bind(address.request_id.clone())
            .bind(address.holder_kind.as_str())
            .bind(address.holder_id.clone())
            .bind(address.email.clone())
            .bind(address.created_at);
    }
    query.execute(conn).await?;
    Ok(())
}

/// Revokes an address: mail to it is refused from now on. `false` when there is no such
/// address or it was revoked already.
pub async fn revoke(conn: &mut Connection, token: &str, at: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE relay_addresses SET revoked_at = $2 WHERE token = $1 AND revoked_at IS NULL",
    )
    .bind(token)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a revoked address a new token and makes it live again (its holder was given access
/// again); mail to the old token stays refused.
pub async fn reissue(
    conn: &mut Connection,
    old_token: &str,
    new_token: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE relay_addresses SET token = $2, revoked_at = NULL, created_at = $3 \
         WHERE token = $1",
    )
    .bind(old_token)
    .bind(new_token)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes the masked addresses `email` writes from in one thread (as a member, or as a person
/// copied on a message before people in copy had grants); returns their tokens, so caches can
/// forget them.
pub async fn revoke_held_by(
    conn: &mut Connection,
    thread_id: &str,
    email: &str,
    at: i64,
) -> Result<Vec<String>, StoreError> {
    let tokens: Vec<String> = sqlx::query(
        "SELECT token FROM relay_addresses \
         WHERE thread_id = $1 AND email = $2 AND holder_kind IN ('member', 'cc') \
           AND revoked_at IS NULL",
    )
    .bind(thread_id)
    .bind(email)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| row.try_get("token"))
    .collect::<Result<_, _>>()?;
    sqlx::query(
        "UPDATE relay_addresses SET revoked_at = $3 \
         WHERE thread_id = $1 AND email = $2 AND holder_kind IN ('member', 'cc') \
           AND revoked_at IS NULL",
    )
    .bind(thread_id)
    .bind(email)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(tokens)
}

/// The live addresses of a request, oldest first (the demo prints them; operators list them).
pub async fn of_request(
    conn: &mut Connection,
    request_id: &str,
) -> Result<Vec<RelayAddress>, StoreError> {
    dynamic_query(format!(
        "SELECT {COLUMNS} FROM relay_addresses WHERE request_id = $1 AND revoked_at IS NULL \
         ORDER BY created_at, token"
    ))
    .bind(request_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(address)
    .collect()
}
