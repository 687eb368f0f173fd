//! How Parley opens a SQLite database: its pragmas, the options it is run with, the read pool
//! and the writer's direct connection, and the checkpoints in the background.

use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

use super::{direct, spool};
use crate::StoreError;

pub(crate) fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// How the writer's direct connection opens the database of `url`: `None` for an in-memory
/// database (a second connection would see another database).
pub(crate) fn direct_options(
    url: &str,
    sync_pragma: &str,
) -> Result<Option<direct::DirectOptions>, StoreError> {
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
    let path = options.get_filename();
    if url.contains("mode=memory") || path.as_os_str().is_empty() || path == Path::new(":memory:") {
        return Ok(None);
    }
    Ok(Some(direct::DirectOptions {
        path: path.to_path_buf(),
        pragmas: format!("{SQLITE_PRAGMAS} {SQLITE_WRITER_PRAGMAS} {sync_pragma}"),
    }))
}

/// WAL lets readers run beside the writer. `synchronous = NORMAL` is for the read connections;
/// the writer raises it to FULL (below).
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

/// The writer leaves checkpoints (copying the WAL into the database, with an fsync) to
/// [`checkpoint_in_background`]; the high threshold is only a backstop should that task fall
/// behind. Statement journals (the pages a statement changes, kept until it ends, so that a
/// constraint failing midway undoes only that statement) stay in memory: in a temporary file
/// they were a `pwrite` per page, half of the seed's system calls.
pub(crate) const SQLITE_WRITER_PRAGMAS: &str =
    "PRAGMA wal_autocheckpoint = 20000; PRAGMA temp_store = MEMORY;";

/// How Parley uses a SQLite database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    pub sync: SqliteSync,
    /// How long an emailed message may wait in the relay's spool for others to be folded
    /// into SQLite with (see `spool`): longer makes larger transactions under load, and is
    /// how far the history may lag behind the relay's `250`.
    pub relay_fold: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            sync: SqliteSync::Full,
            relay_fold: spool::FOLD_INTERVAL,
        }
    }
}

/// How SQLite commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// The WAL is synced before a commit is acknowledged: what Parley accepted (an email
    /// answered `250`, a message answered `201`) survives a power cut. Group commit (see
    /// `writer`) shares each sync among the writes queued together.
    #[default]
    Full,
    /// Synced at checkpoints only: survives a crash of Parley, may lose the last commits on a
    /// power cut; about 1.6 times the write throughput on this project's machine.
    Normal,
}

/// Copies the WAL back into the database twice a second without blocking the writer or
/// readers (a passive checkpoint), until the pool closes.
pub(crate) async fn checkpoint_in_background(pool: AnyPool) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(%error, "WAL checkpoint failed");
        }
    }
}

pub(crate) async fn sqlite_pool(url: &str, size: u32) -> Result<AnyPool, StoreError> {
    Ok(AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
}
