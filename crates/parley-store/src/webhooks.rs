//! A marketplace's webhook endpoints, and the fan-out of a request's events to them as jobs
//! (kind `webhook`, one per endpoint, in the transaction of the event).

use parley_domain::MarketplaceId;
use parley_domain::webhook::WebhookEvent;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::parse;
use crate::statement::Statement;
use crate::{Connection, StoreError};

/// The jobs kind of a webhook delivery.
pub const JOB_KIND: &str = "webhook";

/// An endpoint.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub marketplace_id: MarketplaceId,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    /// The secret before the last rotation, still used to sign until `previous_until`.
    pub previous_secret: Option<(String, i64)>,
    pub created_at: i64,
}

fn webhook(row: &AnyRow) -> Result<Webhook, StoreError> {
    let events: String = row.try_get("events")?;
    let previous: Option<String> = row.try_get("previous_secret")?;
    let until: Option<i64> = row.try_get("previous_until")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        marketplace_id: parse(
            &row.try_get::<String, _>("marketplace_id")?,
            "marketplace id",
        )?,
        url: row.try_get("url")?,
        events: events.split(',').map(str::to_owned).collect(),
        secret: row.try_get("secret")?,
        previous_secret: previous.zip(until),
        created_at: row.try_get("created_at")?,
    })
}

/// Stores a new endpoint.
pub async fn insert(conn: &mut Connection, hook: &Webhook) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhooks (id, marketplace_id, url, events, secret, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&hook.id)
    .bind(hook.marketplace_id.to_string())
    .bind(&hook.url)
    .bind(hook.events.join(","))
    .bind(&hook.secret)
    .bind(hook.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The endpoints of `marketplace` that are not deleted, oldest first.
pub async fn of_marketplace(
    conn: &mut Connection,
    marketplace: MarketplaceId,
) -> Result<Vec<Webhook>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, marketplace_id, url, events, secret, previous_secret, previous_until, \
           created_at \
         FROM webhooks WHERE marketplace_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
    )
    .bind(marketplace.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(webhook).collect()
}

/// The endpoint `id`, deleted or not (a delivery queued before a deletion finds it so).
pub async fn get(conn: &mut Connection, id: &str) -> Result<Option<(Webhook, bool)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, marketplace_id, url, events, secret, previous_secret, previous_until, \
           created_at, deleted_at \
         FROM webhooks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let deleted: Option<i64> = row.try_get("deleted_at")?;
        Ok((webhook(&row)?, deleted.is_some()))
    })
    .transpose()
}

/// Deletes `id` of `marketplace`: nothing more is queued for it, and what was queued is
/// dropped when its turn comes. `false` when there was no such endpoint.
pub async fn delete(
    conn: &mut Connection,
    marketplace: MarketplaceId,
    id: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE webhooks SET deleted_at = $1 \
         WHERE id = $2 AND marketplace_id = $3 AND deleted_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .bind(marketplace.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Replaces the secret of `id`; the old one keeps signing until `previous_until`.
pub async fn rotate(
    conn: &mut Connection,
    marketplace: MarketplaceId,
    id: &str,
    secret: &str,
    previous_until: i64,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE webhooks SET previous_secret = secret, previous_until = $1, secret = $2 \
         WHERE id = $3 AND marketplace_id = $4 AND deleted_at IS NULL",
    )
    .bind(previous_until)
    .bind(secret)
    .bind(id)
    .bind(marketplace.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Queues `event` for every endpoint of the request's marketplace that subscribed to its type:
/// one job each, in order per endpoint and request. One statement, so it runs on every write
/// path of the store (sqlx units and SQLite's direct connection alike).
pub(crate) fn fanout_statement(event: &WebhookEvent) -> Statement<'static> {
    Statement::new(
        "INSERT INTO jobs (id, kind, subject, ordering_key, payload, run_at, created_at) \
         SELECT $1 || ':' || w.id, 'webhook', w.id, w.id || ':' || r.id, $2, $3, $4 \
         FROM requests r JOIN webhooks w ON w.marketplace_id = r.marketplace_id \
         WHERE r.id = $5 AND w.deleted_at IS NULL AND (',' || w.events || ',') LIKE $6 \
         ON CONFLICT (id) DO NOTHING",
        vec![
            event.id.clone().into(),
            event.body().into(),
            event.at.0.into(),
            event.at.0.into(),
            event.request_id.to_string().into(),
            format!("%,{},%", event.event_type).into(),
        ],
    )
}
