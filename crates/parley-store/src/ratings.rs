//! Response ratings of a manufacturer's network (guide FAQ a), summed by the database: one
//! pass for the counts, one for the medians, instead of reading every thread (10 s at a
//! million requests). [`thread_figures`] reads the threads themselves, for the definition in
//! `parley_domain::rating::rate` that these sums are tested against.

use std::collections::HashMap;

use parley_domain::rating::{Tally, ThreadFigures};
use parley_domain::{OrganizationId, Outcome, Timestamp};
use sqlx::Row;

use crate::rows::parse;
use crate::{Connection, StoreError};

/// The threads a rating counts: every thread of the manufacturer's requests received since
/// `$2` (the manufacturer has a thread on each, so its own threads find them), but threads
/// declined as spam, and the manufacturer's own thread where the request went to another party
/// too (not the manufacturer's to answer).
macro_rules! rated {
    () => {
        "WITH rated AS ( \
    SELECT o.organization_id AS party, o.created_at AS received_at, o.contacted_at, \
           o.declined_at, o.outcome \
    FROM threads m JOIN threads o ON o.request_id = m.request_id \
    WHERE m.organization_id = $1 AND m.request_created_at >= $2 \
      AND NOT (o.declined_at IS NOT NULL AND o.decline_reason = 'spam') \
      AND (o.organization_id <> $1 OR NOT EXISTS ( \
          SELECT 1 FROM threads x WHERE x.request_id = m.request_id AND x.organization_id <> $1))) "
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
    let counts = concat!(
        rated!(),
        "SELECT party, COUNT(*) AS received, \
           SUM(CASE WHEN contacted_at IS NOT NULL THEN 1 ELSE 0 END) AS answered, \
           SUM(CASE WHEN declined_at IS NOT NULL THEN 1 ELSE 0 END) AS declined, \
           SUM(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END) AS won, \
           SUM(CASE WHEN outcome = 'lost' THEN 1 ELSE 0 END) AS lost, \
           SUM(CASE WHEN handled_at <= received_at + $3 THEN 1 ELSE 0 END) AS in_time, \
           SUM(CASE WHEN handled_at IS NULL AND $4 <= received_at + $3 THEN 1 ELSE 0 END) \
             AS pending \
         FROM (SELECT party, received_at, contacted_at, declined_at, outcome, \
                 CASE WHEN contacted_at IS NULL THEN declined_at \
                      WHEN declined_at IS NULL OR contacted_at < declined_at THEN contacted_at \
                      ELSE declined_at END AS handled_at \
               FROM rated) h \
         GROUP BY party"
    );
    let mut tallies = Tallies::default();
    for row in sqlx::query(counts)
        .bind(manufacturer.to_string())
        .bind(from)
        .bind(window_ms)
        .bind(now.0)
        .fetch_all(&mut *conn)
        .await?
    {
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
        tallies.parties.insert(party, (tally, None));
    }
    // The middle one or two first-response times, per party and over the network; an even
    // count's median is the mean of its two middle values, as in the definition.
    let medians = concat!(
        rated!(),
        ", answered AS ( \
             SELECT party, contacted_at - received_at AS d FROM rated \
             WHERE contacted_at IS NOT NULL), \
         ranked AS ( \
             SELECT party, d, ROW_NUMBER() OVER (PARTITION BY party ORDER BY d) AS n, \
                    COUNT(*) OVER (PARTITION BY party) AS total FROM answered \
             UNION ALL \
             SELECT '' AS party, d, ROW_NUMBER() OVER (ORDER BY d) AS n, \
                    COUNT(*) OVER () AS total FROM answered WHERE party <> $1) \
         SELECT party, (MIN(d) + MAX(d)) / 2 AS median FROM ranked \
         WHERE n = (total + 1) / 2 OR n = total / 2 + 1 GROUP BY party"
    );
    for row in sqlx::query(medians)
        .bind(manufacturer.to_string())
        .bind(from)
        .fetch_all(&mut *conn)
        .await?
    {
        let party = row.try_get::<String, _>("party")?;
        let median = Some(row.try_get::<i64, _>("median")?);
        if party.is_empty() {
            tallies.network_median_ms = median;
        } else if let Some(entry) = tallies.parties.get_mut(&parse(&party, "org")?) {
            entry.1 = median;
        }
    }
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
