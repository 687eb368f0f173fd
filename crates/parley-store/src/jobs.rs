//! The jobs queue: rows written in the transaction of what caused them, claimed with a lease
//! (safe with several workers and processes: a claim is one guarded UPDATE), finished as done,
//! tried again later, or dead. Jobs sharing an ordering key run one after another.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Connection, StoreError};

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub kind: String,
    pub subject: Option<String>,
    pub ordering_key: Option<String>,
    pub payload: String,
    pub run_at: i64,
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub subject: Option<String>,
    pub payload: String,
    /// Attempts including this one.
    pub attempts: i64,
    /// The lease this claim holds: finishing checks it, so a worker whose lease ran out and
    /// whose job was claimed again records nothing.
    pub leased_until: i64,
}

/// What became of an attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done {
        code: Option<i64>,
    },
    /// Try again at `run_at`.
    Retry {
        run_at: i64,
        error: String,
        code: Option<i64>,
    },
    /// Given up: kept, visible, never tried again.
    Dead {
        error: String,
        code: Option<i64>,
    },
}

/// A job as listed (a webhook's deliveries).
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub last_code: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// Queues `job`; an id already queued is left as it is.
pub async fn enqueue(conn: &mut Connection, job: &NewJob) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO jobs (id, kind, subject, ordering_key, payload, run_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&job.id)
    .bind(&job.kind)
    .bind(job.subject.as_deref())
    .bind(job.ordering_key.as_deref())
    .bind(&job.payload)
    .bind(job.run_at)
    .bind(crate::now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes a lease until `lease_until` on up to `limit` jobs due at `at` and not leased, each
/// the oldest pending one of its ordering key.
pub async fn claim(
    conn: &mut Connection,
    at: i64,
    lease_until: i64,
    limit: u32,
) -> Result<Vec<Job>, StoreError> {
    let rows = sqlx::query(
        "UPDATE jobs SET leased_until = $1, attempts = attempts + 1 \
         WHERE seq IN ( \
             SELECT j.seq FROM jobs j \
             WHERE j.state = 'pending' AND j.run_at <= $2 \
               AND (j.leased_until IS NULL OR j.leased_until < $3) \
               AND (j.ordering_key IS NULL OR NOT EXISTS ( \
                   SELECT 1 FROM jobs e WHERE e.ordering_key = j.ordering_key \
                     AND e.state = 'pending' AND e.seq < j.seq)) \
             ORDER BY j.run_at, j.seq LIMIT $4) \
           AND state = 'pending' AND (leased_until IS NULL OR leased_until < $5) \
         RETURNING id, kind, subject, payload, attempts, leased_until",
    )
    .bind(lease_until)
    .bind(at)
    .bind(at)
    .bind(i64::from(limit))
    .bind(at)
    .fetch_all(conn)
    .await?;
    rows.iter().map(job).collect()
}

fn job(row: &AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
        leased_until: row.try_get("leased_until")?,
    })
}

/// Records what became of `job`'s attempt at `at`; `false` when its lease was lost.
pub async fn finish(
    conn: &mut Connection,
    job: &Job,
    outcome: &Outcome,
    at: i64,
) -> Result<bool, StoreError> {
    let (state, run_at, error, code, finished) = match outcome {
        Outcome::Done { code } => ("done", None, None, *code, Some(at)),
        Outcome::Retry {
            run_at,
            error,
            code,
        } => ("pending", Some(*run_at), Some(error.as_str()), *code, None),
        Outcome::Dead { error, code } => ("dead", None, Some(error.as_str()), *code, Some(at)),
    };
    let changed = sqlx::query(
        "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), last_error = $3, \
           last_code = $4, finished_at = $5, leased_until = NULL \
         WHERE id = $6 AND leased_until = $7",
    )
    .bind(state)
    .bind(run_at)
    .bind(error)
    .bind(code)
    .bind(finished)
    .bind(&job.id)
    .bind(job.leased_until)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// The jobs about `subject`, newest first, up to `limit`.
pub async fn of_subject(
    conn: &mut Connection,
    subject: &str,
    limit: u32,
) -> Result<Vec<Listed>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, payload, state, attempts, run_at, last_error, last_code, created_at, \
           finished_at \
         FROM jobs WHERE subject = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(subject)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Listed {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                payload: row.try_get("payload")?,
                state: row.try_get("state")?,
                attempts: row.try_get("attempts")?,
                run_at: row.try_get("run_at")?,
                last_error: row.try_get("last_error")?,
                last_code: row.try_get("last_code")?,
                created_at: row.try_get("created_at")?,
                finished_at: row.try_get("finished_at")?,
            })
        })
        .collect()
}

/// The queue's state per kind, for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct KindStats {
    pub kind: String,
    pub pending: i64,
    pub dead: i64,
    /// The creation time of the oldest pending job.
    pub oldest_pending: Option<i64>,
}

/// [`KindStats`] of every kind with pending or dead jobs.
pub async fn stats(conn: &mut Connection) -> Result<Vec<KindStats>, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, \
           SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS pending, \
           SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END) AS dead, \
           MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest \
         FROM jobs WHERE state <> 'done' GROUP BY kind ORDER BY kind",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(KindStats {
                kind: row.try_get("kind")?,
                pending: row.try_get("pending")?,
                dead: row.try_get("dead")?,
                oldest_pending: row.try_get("oldest")?,
            })
        })
        .collect()
}

/// Forgets jobs finished (done) before `before`: retention.
pub async fn forget_done(conn: &mut Connection, before: i64) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
            .bind(before)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
