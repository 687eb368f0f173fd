//! What automatic reminders need: the requests a handler has left unhandled, the quotes about to
//! expire unanswered, and each member's choice to receive reminders or not.

use parley_domain::{MemberId, OrganizationId, QuoteId, RequestId, ThreadId};
use sqlx::Row;

use crate::rows::parse;
use crate::{Connection, StoreError};

/// A party's thread its handler has neither answered nor declined nor closed.
#[derive(Debug, Clone)]
pub struct Unhandled {
    pub request_id: RequestId,
    pub thread_id: ThreadId,
    pub party: OrganizationId,
    pub member: MemberId,
    pub time_zone: Option<String>,
    pub created_at: i64,
}

/// Threads of requests that arrived between `after` and `before`, unhandled by their handler
/// (active, with reminders on), and not yet reminded of (no job `reminder:handle:<thread>`);
/// oldest first.
pub async fn unhandled(
    conn: &mut Connection,
    (after, before): (i64, i64),
    limit: u32,
) -> Result<Vec<Unhandled>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.id AS request_id, t.id AS thread_id, t.organization_id, m.id AS member_id, \
           m.time_zone, r.created_at \
         FROM requests r \
         JOIN members m ON m.id = r.handler_member_id \
         JOIN threads t ON t.request_id = r.id AND t.organization_id = m.organization_id \
         WHERE r.created_at > $1 AND r.created_at <= $2 \
           AND t.contacted_at IS NULL AND t.declined_at IS NULL AND t.outcome IS NULL \
           AND m.deactivated_at IS NULL AND m.reminders_off_at IS NULL \
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = 'reminder:handle:' || t.id) \
         ORDER BY r.created_at LIMIT $3",
    )
    .bind(after)
    .bind(before)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Unhandled {
                request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
                thread_id: parse(&row.try_get::<String, _>("thread_id")?, "thread id")?,
                party: parse(&row.try_get::<String, _>("organization_id")?, "org id")?,
                member: parse(&row.try_get::<String, _>("member_id")?, "member id")?,
                time_zone: row.try_get("time_zone")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Whether the thread is still unhandled by `member`, who is still its request's handler,
/// active and with reminders on.
pub async fn still_unhandled(
    conn: &mut Connection,
    thread: ThreadId,
    member: MemberId,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM threads t \
         JOIN requests r ON r.id = t.request_id \
         JOIN members m ON m.id = r.handler_member_id \
         WHERE t.id = $1 AND m.id = $2 AND t.contacted_at IS NULL AND t.declined_at IS NULL \
           AND t.outcome IS NULL AND m.deactivated_at IS NULL AND m.reminders_off_at IS NULL",
    )
    .bind(thread.to_string())
    .bind(member.to_string())
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// A quote sent to the buyer and still unanswered.
#[derive(Debug, Clone)]
pub struct Expiring {
    pub quote_id: QuoteId,
    pub request_id: RequestId,
    pub party: OrganizationId,
    pub valid_until: i64,
}

/// Quotes still open whose validity ends between `after` and `before`, in threads neither
/// declined nor closed, not yet reminded of (no job `reminder:quote:<quote>`).
pub async fn expiring_quotes(
    conn: &mut Connection,
    (after, before): (i64, i64),
    limit: u32,
) -> Result<Vec<Expiring>, StoreError> {
    let rows = sqlx::query(
        "SELECT q.id, q.request_id, t.organization_id, q.valid_until \
         FROM quotes q JOIN threads t ON t.id = q.thread_id \
         WHERE q.status = 'sent' AND q.valid_until > $1 AND q.valid_until <= $2 \
           AND t.declined_at IS NULL AND t.outcome IS NULL \
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = 'reminder:quote:' || q.id) \
         ORDER BY q.valid_until LIMIT $3",
    )
    .bind(after)
    .bind(before)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Expiring {
                quote_id: parse(&row.try_get::<String, _>("id")?, "quote id")?,
                request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
                party: parse(&row.try_get::<String, _>("organization_id")?, "org id")?,
                valid_until: row.try_get("valid_until")?,
            })
        })
        .collect()
}

/// Whether the quote is still open (sent, unanswered, not superseded) in a live thread.
pub async fn quote_still_open(conn: &mut Connection, quote: QuoteId) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM quotes q JOIN threads t ON t.id = q.thread_id \
         WHERE q.id = $1 AND q.status = 'sent' AND t.declined_at IS NULL AND t.outcome IS NULL",
    )
    .bind(quote.to_string())
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// Turns a member's reminders on or off.
pub async fn set_reminders(
    conn: &mut Connection,
    member: MemberId,
    on: bool,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE members SET reminders_off_at = $1 WHERE id = $2")
        .bind((!on).then_some(at))
        .bind(member.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a member receives reminders.
pub async fn reminders_on(conn: &mut Connection, member: MemberId) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT reminders_off_at FROM members WHERE id = $1")
        .bind(member.to_string())
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<Option<i64>, _>("reminders_off_at")?.is_none())
}
