//! Direct SQLite connections (rusqlite), beside sqlx's, for the hottest paths.
//!
//! sqlx runs each SQLite connection on a thread of its own and every statement is a round
//! trip to it: two thread wake-ups per statement. On the relay's path (an emailed reply: the
//! access check's two reads, then the writes) perf showed those hand-offs as the largest cost
//! on this 2-core machine. Here the statement runs on the calling thread: the writer's own
//! thread for writes (see `writer`), and for the access check the async task's thread itself,
//! which a read of a few rows by primary key holds for some microseconds (less than the
//! wake-ups it saves). Everything else keeps using sqlx.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::OpenFlags;
use tokio::sync::oneshot;

use crate::StoreError;

/// How direct connections open the database: its file, and the statements run first.
#[derive(Debug, Clone)]
pub(crate) struct DirectOptions {
    pub path: PathBuf,
    pub pragmas: String,
}

/// Opens the writer's direct connection.
pub(crate) fn open_direct(options: &DirectOptions) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open_with_flags(
        &options.path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(&options.pragmas)?;
    Ok(conn)
}

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 8;

/// Read-only direct connections, taken by whichever thread needs one.
#[derive(Debug)]
pub(crate) struct DirectReaders {
    options: DirectOptions,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// Accesses read on these connections (see `access_cache`).
    pub(crate) access: super::access_cache::AccessCache,
}

impl DirectReaders {
    pub(crate) fn new(options: DirectOptions) -> Self {
        Self {
            options,
            idle: Mutex::new(Vec::new()),
            access: super::access_cache::AccessCache::default(),
        }
    }

    /// Runs `read` on an idle connection (opening one when none is idle).
    pub(crate) fn with<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = rusqlite::Connection::open_with_flags(
                    &self.options.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.execute_batch("PRAGMA busy_timeout = 5000;")?;
                conn
            }
        };
        let result = read(&conn);
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Closes the idle connections (at shutdown, so that the writer's close is the last one
    /// and SQLite checkpoints its WAL).
    pub(crate) fn close(&self) {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

/// A unit for the writer's direct connection (queued by `Writer::run_direct`).
pub(crate) trait DirectJob: Send {
    /// Runs the unit, keeping its result; `true` when it succeeded.
    fn run(&mut self, conn: &rusqlite::Connection) -> bool;
    /// Sends the kept result, or `failure` when the batch could not commit.
    fn deliver(self: Box<Self>, failure: Option<StoreError>);
}

pub(crate) struct DirectPending<D, T, F> {
    pub(crate) data: D,
    pub(crate) unit: F,
    pub(crate) result: Option<Result<T, StoreError>>,
    pub(crate) reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<D, T, F> DirectJob for DirectPending<D, T, F>
where
    D: Send + 'static,
    T: Send + 'static,
    F: Fn(&rusqlite::Connection, &D) -> Result<T, StoreError> + Send + 'static,
{
    fn run(&mut self, conn: &rusqlite::Connection) -> bool {
        let result = (self.unit)(conn, &self.data);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn deliver(self: Box<Self>, failure: Option<StoreError>) {
        let result = match (failure, self.result) {
            (Some(error), _) => Err(error),
            (None, Some(result)) => result,
            (None, None) => Err(StoreError::Closed),
        };
        let _ = self.reply.send(result);
    }
}

/// Runs direct units in one transaction; if one fails, the transaction is rolled back and
/// each unit runs again alone, as the writer's sqlx batches do. (A savepoint per unit would
/// avoid the re-runs, but SQLite then journals every page a unit touches: 3 % of the relay's
/// CPU in perf, for failures that are rare.)
pub(crate) fn run_direct_batch(
    conn: &mut rusqlite::Connection,
    mut batch: Vec<Box<dyn DirectJob>>,
) {
    let started = std::time::Instant::now();
    let units = batch.len();
    if batch.len() > 1 {
        match run_direct_together(conn, &mut batch) {
            Ok(true) => {
                crate::metrics::DIRECT.batch(units, started, true);
                for job in batch {
                    job.deliver(None);
                }
                return;
            }
            Ok(false) => {}
            Err(error) => {
                // The commit itself failed: nothing of the batch is stored.
                crate::metrics::DIRECT.batch(units, started, false);
                tracing::error!(%error, "direct batch commit failed");
                for job in batch {
                    job.deliver(Some(StoreError::Closed));
                }
                return;
            }
        }
    }
    for mut job in batch {
        let failure = run_direct_alone(conn, job.as_mut()).err();
        job.deliver(failure);
    }
    crate::metrics::DIRECT.batch(units, started, true);
}

/// `Ok(false)`: a unit failed and everything was rolled back.
fn run_direct_together(
    conn: &mut rusqlite::Connection,
    batch: &mut [Box<dyn DirectJob>],
) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for job in batch.iter_mut() {
        if !job.run(&tx) {
            tx.rollback()?;
            return Ok(false);
        }
    }
    tx.commit()?;
    Ok(true)
}

fn run_direct_alone(
    conn: &mut rusqlite::Connection,
    job: &mut dyn DirectJob,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if job.run(&tx) {
        tx.commit()?;
    } else {
        tx.rollback()?;
    }
    Ok(())
}
