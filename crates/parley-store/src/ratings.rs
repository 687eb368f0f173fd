//! Response ratings of a manufacturer's network (guide FAQ a), summed by the database in one
//! pass over the threads instead of reading every thread (10 s at a million requests): counts
//! by party, and each party's first-response times as one text the median is taken from here
//! (a median cannot be summed, and the database's window functions sorted twice as long).
//! [`thread_figures`] reads the threads themselves, for the definition in
//! `parley_domain::rating::rate` that these sums are tested against.

use std::collections::HashMap;

use parley_domain::rating::{Tally, ThreadFigures};
use parley_domain::{OrganizationId, Outcome, Timestamp};
use sqlx::Row;

use crate::rows::parse;
use crate::{Connection, StoreError};

/// The threads a rating counts — the other parties' threads on the manufacturer's requests
/// received since `$2`, and the manufacturer's own thread where the request went to no other
/// party (else it is not the manufacturer's to answer), which `threads.rated_for` marks
/// (migration 0029) — but threads declined as spam, summed by party. One range of one index,
/// party after party: 0.66 s on SQLite (its index holds the columns read) and 0.7 s on
/// PostgreSQL at a million requests, where joining each of the manufacturer's threads to the
/// request's others and sorting by party took 3.1–4.6 s and 2.3–3.6 s (docs/PERFORMANCE.md).
/// `times!()` aggregates the first-response times as text, in each backend's words.
macro_rules! tallies_sql {
    ($times:literal) => {
        concat!(
            "SELECT party, COUNT(*) AS received, \
               SUM(CASE WHEN contacted_at IS NOT NULL THEN 1 ELSE 0 END) AS answered, \
               SUM(CASE WHEN declined_at IS NOT NULL THEN 1 ELSE 0 END) AS declined, \
               SUM(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END) AS won, \
               SUM(CASE WHEN outcome = 'lost' THEN 1 ELSE 0 END) AS lost, \
               SUM(CASE WHEN handled_at <= received_at + $3 THEN 1 ELSE 0 END) AS in_time, \
               SUM(CASE WHEN handled_at IS NULL AND $4 <= received_at + $3 THEN 1 ELSE 0 END) \
                 AS pending, ",
            $times,
            " AS times \
             FROM (SELECT organization_id AS party, created_at AS received_at, contacted_at, \
                     declined_at, outcome, \
                     CASE WHEN contacted_at IS NULL THEN declined_at \
                          WHEN declined_at IS NULL OR contacted_at < declined_at THEN contacted_at \
                          ELSE declined_at END AS handled_at \
                   FROM threads \
                   WHERE rated_for = $1 AND request_created_at >= $2 \
                     AND NOT (declined_at IS NOT NULL AND decline_reason = 'spam')) rated \
             GROUP BY party"
        )
    };
}

/// Each party's counts and median first response, and the network's median (its members'
/// threads together: a median is not the sum of medians).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies {
    pub parties: HashMap<OrganizationId, (Tally, Option<i64>)>,
    pub network_median_ms: Option<i64>,
}

fn count(row: &sqlx::any::AnyRow, column: &str) -> Result<u64, StoreError> {
    Ok(row.try_get::<i64, _>(column)?.unsigned_abs())
}

/// Sums the ratings of `manufacturer`'s network over the requests received since `from`, with
/// a request handled in time when answered or declined within `window_ms`, at `now`.
pub async fn tallies(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    from: i64,
    window_ms: i64,
    now: Timestamp,
) -> Result<Tallies, StoreError> {
    let sql = if crate::search::is_postgres(conn) {
        tallies_sql!("string_agg((contacted_at - received_at)::text, ',')")
    } else {
        // NULL differences (not answered) are left out by group_concat itself.
        tallies_sql!("group_concat(contacted_at - received_at, ',')")
    };
    let rows = sqlx::query(sql)
        .bind(manufacturer.to_string())
        .bind(from)
        .bind(window_ms)
        .bind(now.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut tallies = Tallies::default();
    let mut network_times = Vec::new();
    for row in rows {
        let party = parse(&row.try_get::<String, _>("party")?, "org")?;
        let tally = Tally {
            received: count(&row, "received")?,
            handled_in_time: count(&row, "in_time")?,
            pending: count(&row, "pending")?,
            answered: count(&row, "answered")?,
            declined: count(&row, "declined")?,
            won: count(&row, "won")?,
            lost: count(&row, "lost")?,
        };
        let mut times = row
            .try_get::<Option<String>, _>("times")?
            .unwrap_or_default()
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::parse::<i64>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Corrupt(format!("a response time: {e}")))?;
        let median = parley_domain::rating::median(&mut times);
        if party != manufacturer {
            network_times.append(&mut times);
        }
        tallies.parties.insert(party, (tally, median));
    }
    tallies.network_median_ms = parley_domain::rating::median(&mut network_times);
    Ok(tallies)
}

/// Every thread of the manufacturer's requests received in `[from, until)`, as the rating's
/// definition reads them (the reference [`tallies`] is tested against).
pub async fn thread_figures(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    from: i64,
    until: i64,
) -> Result<Vec<ThreadFigures>, StoreError> {
    sqlx::query(
        "SELECT t.organization_id, t.created_at, t.contacted_at, t.declined_at, t.outcome, \
           (SELECT COUNT(*) FROM threads o WHERE o.request_id = r.id) AS parties \
         FROM requests r JOIN threads t ON t.request_id = r.id \
         WHERE r.manufacturer_id = $1 AND r.created_at >= $2 AND r.created_at < $3 \
           AND NOT (t.declined_at IS NOT NULL AND t.decline_reason = 'spam')",
    )
    .bind(manufacturer.to_string())
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(ThreadFigures {
            party: parse(&row.try_get::<String, _>("organization_id")?, "org")?,
            created_at: Timestamp(row.try_get("created_at")?),
            contacted_at: row
                .try_get::<Option<i64>, _>("contacted_at")?
                .map(Timestamp),
            declined_at: row.try_get::<Option<i64>, _>("declined_at")?.map(Timestamp),
            outcome: row
                .try_get::<Option<String>, _>("outcome")?
                .map(|o| crate::rows::variant(Outcome::parse(&o)))
                .transpose()?,
            routed_elsewhere: row.try_get::<i64, _>("parties")? > 1,
        })
    })
    .collect()
}
