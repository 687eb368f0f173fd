//! Parley's storage: the only crate with SQL. SQLite (the default, embedded) and PostgreSQL
//! (for scale) behind one interface, through sqlx's `Any` driver with runtime queries written
//! in the SQL both understand (`$n` placeholders, ids and JSON as text, times as BIGINT).
//!
//! The use-case layer owns transactions: it hands [`Store::write`] a unit of work that calls the
//! functions of each module (`requests::insert(tx, …)`); the unit runs in one transaction.

pub mod backup;
mod error;
mod rows;
pub mod seed;
mod sqlite;
mod statement;
mod storage;

pub mod bounces;
pub mod directory;
pub mod events;
pub mod held;
pub mod jobs;
pub mod lists;
pub mod message_record;
pub mod messages;
pub mod metrics;
pub mod network;
pub mod orders;
pub mod outbox;
pub mod provisioning;
pub mod quotes;
pub mod ratings;
pub mod relay;
pub mod reminders;
pub mod request_documents;
pub mod requests;
mod search;
pub mod sessions;
pub mod tokens;
pub mod translations;
pub mod webhooks;

use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};

pub use error::StoreError;
use sqlite::setup::{
    SQLITE_PRAGMAS, SQLITE_WRITER_PRAGMAS, checkpoint_in_background, direct_options, sqlite_pool,
    with_create_mode,
};
pub use sqlite::setup::{SqliteOptions, SqliteSync};
use sqlite::{direct, spool, writer};

pub use spool::Arrival;
pub use writer::BoxFuture;

/// A connection, inside a transaction or not.
pub type Connection = sqlx::AnyConnection;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The database. Cheap to clone.
///
/// With SQLite, writes go to one connection on a thread of its own (see `writer`): SQLite has
/// one writer at a time, and queuing units there is far cheaper than its busy-retry loop (which
/// sleeps) or a shared pool connection. Reads use their own pool, concurrent thanks to WAL.
/// With PostgreSQL, writes and reads share one pool.
#[derive(Clone, Debug)]
pub struct Store {
    writer: Option<writer::Writer>,
    /// Direct read connections (SQLite on a file only).
    readers: Option<std::sync::Arc<direct::DirectReaders>>,
    /// Where emailed messages are accepted, once [`Store::migrate`] opened it (SQLite on a
    /// file only; see `spool`).
    spool: std::sync::Arc<std::sync::OnceLock<spool::Spool>>,
    /// The SQLite file, when there is one.
    sqlite_file: Option<std::path::PathBuf>,
    /// How long spooled messages wait for company (see [`SqliteOptions::relay_fold`]).
    relay_fold: Duration,
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://path/to/file.db` or `postgres://…`), creating a SQLite
    /// file if needed. SQLite commits are synced to disk before they are acknowledged.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, SqliteOptions::default()).await
    }

    /// [`Store::connect`] with SQLite's commit durability chosen (PostgreSQL keeps its own
    /// `synchronous_commit` setting).
    pub async fn connect_with(url: &str, sqlite: SqliteOptions) -> Result<Self, StoreError> {
        let sync = sqlite.sync;
        install_default_drivers();
        if url.starts_with("sqlite:") {
            let url = with_create_mode(url);
            let pool = sqlite_pool(&url, 8).await?;
            let options: AnyConnectOptions = url.parse()?;
            let sync_pragma = match sync {
                SqliteSync::Full => "PRAGMA synchronous = FULL;",
                SqliteSync::Normal => "PRAGMA synchronous = NORMAL;",
            };
            let direct = direct_options(&url, sync_pragma)?;
            let sqlite_file = direct.as_ref().map(|options| options.path.clone());
            let readers = direct
                .clone()
                .map(|options| std::sync::Arc::new(direct::DirectReaders::new(options)));
            let writer = writer::Writer::start(
                move || {
                    Box::pin(async move {
                        let mut conn = options.connect().await?;
                        conn.execute(SQLITE_PRAGMAS).await?;
                        conn.execute(SQLITE_WRITER_PRAGMAS).await?;
                        conn.execute(sync_pragma).await?;
                        Ok(conn)
                    })
                },
                direct,
            )
            .await?;
            tokio::spawn(checkpoint_in_background(pool.clone()));
            Ok(Self {
                writer: Some(writer),
                readers,
                spool: std::sync::Arc::default(),
                sqlite_file,
                relay_fold: sqlite.relay_fold,
                pool,
                backend: Backend::Sqlite,
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Self {
                writer: None,
                readers: None,
                spool: std::sync::Arc::default(),
                sqlite_file: None,
                relay_fold: sqlite.relay_fold,
                pool,
                backend: Backend::Postgres,
            })
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connects to `url` (see [`Store::connect_with`]), applies the migrations and gets ready
    /// to write: on SQLite on a file, emailed replies an earlier run acknowledged and had not
    /// put in their conversations yet go there first (see `spool`).
    pub async fn open(url: &str, sqlite: SqliteOptions) -> Result<Self, StoreError> {
        let store = Self::connect_with(url, sqlite).await?;
        store.migrate().await?;
        store.open_spool().await?;
        Ok(store)
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        search::backfill(&self.pool).await
    }

    /// With SQLite on a file: folds what an earlier run left in the spool and starts spooling
    /// emailed messages (unless another process spools for this database).
    async fn open_spool(&self) -> Result<(), StoreError> {
        let (Some(writer), Some(file)) = (&self.writer, &self.sqlite_file) else {
            return Ok(());
        };
        if self.spool.get().is_some() || !writer.has_direct() {
            return Ok(());
        }
        if let Some(spool) = spool::Spool::open(
            spool::SpoolPaths::new(file),
            writer.clone(),
            self.relay_fold,
        )
        .await?
        {
            let _ = self.spool.set(spool);
        }
        Ok(())
    }

    /// An emailed reply on its way, from the relay's `DATA` until stored (see [`Arrival`]).
    #[must_use]
    pub fn email_arriving(&self) -> Arrival {
        Arrival::new(self.spool.get().map(spool::Spool::receiving))
    }

    /// How far the conversations lag behind the relay's answers, where emailed replies are
    /// made durable before `250` and folded into their conversations a moment later (SQLite
    /// on a file); `None` where they are written directly.
    #[must_use]
    pub fn intake_lag(&self) -> Option<metrics::IntakeLag> {
        self.spool.get().map(spool::Spool::lag)
    }

    /// Runs `unit` on `data` in a read-write transaction, committed when it returns `Ok`,
    /// rolled back when it returns `Err`; the result comes back once the commit is done. The
    /// unit may run more than once (see `writer`), so it must only touch the database.
    pub async fn write<D, T, E, F>(&self, data: D, unit: F) -> Result<T, E>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> Fn(&'c mut Connection, &'c D) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.run(data, unit).await,
            None => {
                let mut conn = self.pool.acquire().await.map_err(StoreError::from)?;
                writer::in_transaction(&mut conn, &data, unit).await
            }
        }
    }

    /// Writes a new message and what it changes ([`message_record::MessageRecord`]) in one
    /// transaction. With SQLite this runs on the writer's direct connection, the fastest
    /// path there is; with PostgreSQL it is an ordinary unit.
    pub async fn record_message(
        &self,
        record: message_record::MessageRecord,
    ) -> Result<(), StoreError> {
        // An emailed message has no reader waiting to see it: it is durable once spooled, and
        // in its conversation a fold later (see `spool`). A repeat of one stored before is
        // refused here, as the unique index would (one still in the spool is skipped there).
        if let (Some(spool), Some(readers)) = (self.spool.get(), &self.readers)
            && record.message.channel == parley_domain::Channel::Email
        {
            if readers.with(|conn| messages::email_repeat_direct(conn, &record.message))? {
                return Err(StoreError::Conflict(messages::EMAIL_REPEAT.to_owned()));
            }
            return spool.append(record, spool::take_ticket()).await;
        }
        match &self.writer {
            Some(writer) if writer.has_direct() => {
                writer
                    .run_direct(record, |conn, record| {
                        message_record::record_direct(conn, record)
                    })
                    .await
            }
            _ => {
                self.write(record, |tx, record| {
                    Box::pin(message_record::record(tx, record))
                })
                .await
            }
        }
    }

    /// A request with its threads, parties and grants ([`requests::access`]): with SQLite on
    /// a direct connection (see `direct`), kept while no access changes (see
    /// `access_cache`); through the pool otherwise.
    pub async fn access(
        &self,
        id: parley_domain::RequestId,
    ) -> Result<requests::Access, StoreError> {
        match &self.readers {
            Some(readers) => readers.with(|conn| readers.access.access(conn, id)),
            None => requests::access(&mut *self.read().await?, id).await,
        }
    }

    /// A connection for reads outside a transaction.
    pub async fn read(&self) -> Result<PoolConnection<Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.read().await?;
        conn.execute("SELECT 1").await?;
        Ok(())
    }

    /// Closes every connection (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        if let Some(spool) = self.spool.get() {
            spool.close().await;
        }
        if let Some(readers) = &self.readers {
            readers.close();
        }
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// The current time in Unix milliseconds.
#[must_use]
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A query whose text is assembled from constants of this crate (column lists, placeholder
/// lists): never from input, which is always bound.
pub(crate) fn dynamic_query(
    sql: String,
) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

/// Creates an empty PostgreSQL database named `name` on the server of `server_url` and returns
/// its URL (used by the test suites for a fresh database per test, and by operators).
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String, StoreError> {
    use sqlx::migrate::MigrateDatabase;
    install_default_drivers();
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::UnsupportedUrl);
    }
    let base = server_url.split('?').next().unwrap_or(server_url);
    let (prefix, _) = base.rsplit_once('/').ok_or(StoreError::UnsupportedUrl)?;
    let url = format!("{prefix}/{name}");
    Any::create_database(&url).await?;
    Ok(url)
}
