//! The append-only history of requests.

use parley_domain::webhook::WebhookEvent;
use parley_domain::{Actor, Audience, AuthorKind, Event, EventKind, RequestId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{parse, time, variant};
use crate::statement::Statement;
use crate::{Connection, StoreError, webhooks};

/// Appends an event. With a `dedupe_key`, a second event with the same key is not stored and
/// `false` is returned (for “once per viewer” events).
pub async fn append(
    conn: &mut Connection,
    event: &Event,
    dedupe_key: Option<&str>,
) -> Result<bool, StoreError> {
    let added = append_statement(event, dedupe_key)
        .execute(&mut *conn)
        .await?
        > 0;
    // What the marketplace hears of it: queued with it (see `webhooks`).
    if added && let Some(hook) = WebhookEvent::of_event(event) {
        webhooks::fanout_statement(&hook).execute(conn).await?;
    }
    Ok(added)
}

pub(crate) fn append_statement<'a>(event: &'a Event, dedupe_key: Option<&'a str>) -> Statement<'a> {
    Statement::new(
        "INSERT INTO events (id, request_id, party_id, kind, audience, actor_kind, actor_id, \
           actor_name, data, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING",
        vec![
            event.id.to_string().into(),
            event.request_id.to_string().into(),
            event.party.map(|p| p.to_string()).into(),
            event.kind.as_str().into(),
            event.audience.as_str().into(),
            event.actor.kind.as_str().into(),
            event.actor.id.as_deref().into(),
            event.actor.name.as_str().into(),
            event.data.to_string().into(),
            dedupe_key.into(),
            event.created_at.0.into(),
        ],
    )
}

fn audience(value: &str) -> Result<Audience, StoreError> {
    match value {
        "party" => Ok(Audience::Party),
        "party_and_buyer" => Ok(Audience::PartyAndBuyer),
        "sellers" => Ok(Audience::Sellers),
        "everyone" => Ok(Audience::Everyone),
        other => Err(StoreError::Corrupt(format!("audience: {other}"))),
    }
}

fn event(row: &AnyRow) -> Result<Event, StoreError> {
    Ok(Event {
        id: parse(&row.try_get::<String, _>("id")?, "event id")?,
        request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
        party: row
            .try_get::<Option<String>, _>("party_id")?
            .map(|p| parse(&p, "org id"))
            .transpose()?,
        kind: variant(EventKind::parse(&row.try_get::<String, _>("kind")?))?,
        audience: audience(&row.try_get::<String, _>("audience")?)?,
        actor: Actor {
            kind: variant(AuthorKind::parse(&row.try_get::<String, _>("actor_kind")?))?,
            id: row.try_get("actor_id")?,
            name: row.try_get("actor_name")?,
        },
        data: serde_json::from_str(&row.try_get::<String, _>("data")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: time(row.try_get::<i64, _>("created_at")?),
    })
}

/// Every event of a request, newest first. The caller filters them with the access policy.
pub async fn of_request(conn: &mut Connection, id: RequestId) -> Result<Vec<Event>, StoreError> {
    sqlx::query(
        "SELECT id, request_id, party_id, kind, audience, actor_kind, actor_id, actor_name, \
           data, created_at \
         FROM events WHERE request_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(event)
    .collect()
}
