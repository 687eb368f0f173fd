//! Parley's storage: the only crate with SQL. SQLite (the default, embedded) and PostgreSQL
//! (for scale) behind one interface, through sqlx's `Any` driver with runtime queries written
//! in the SQL both understand (`$n` placeholders, ids and JSON as text, times as BIGINT).
//!
//! The use-case layer owns transactions: it calls [`Store::begin`] and passes the connection
//! to the functions of each module (`requests::insert(&mut tx, …)`).

mod error;
mod rows;

pub mod directory;
pub mod events;
pub mod messages;
pub mod requests;
pub mod tokens;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};

pub use error::StoreError;

/// A connection, inside a transaction or not.
pub type Connection = sqlx::AnyConnection;
/// A transaction; commit it with `tx.commit().await`.
pub type Transaction = sqlx::Transaction<'static, Any>;

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
/// With SQLite, writes go through a pool of one connection: SQLite has one writer at a time,
/// and queuing in the pool is far cheaper than its busy-retry loop (which sleeps). Reads use
/// their own pool, concurrent thanks to WAL. With PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Store {
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://path/to/file.db` or `postgres://…`), creating a SQLite
    /// file if needed.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        if url.starts_with("sqlite:") {
            let url = with_create_mode(url);
            let writer = sqlite_pool(&url, 1).await?;
            let reader = sqlite_pool(&url, 8).await?;
            Ok(Self {
                writer,
                reader,
                backend: Backend::Sqlite,
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Self {
                writer: pool.clone(),
                reader: pool,
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

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.writer).await?;
        Ok(())
    }

    /// Starts a read-write transaction.
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        Ok(self.writer.begin().await?)
    }

    /// A connection for reads outside a transaction.
    pub async fn read(&self) -> Result<PoolConnection<Any>, StoreError> {
        Ok(self.reader.acquire().await?)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.read().await?;
        conn.execute("SELECT 1").await?;
        Ok(())
    }

    /// Closes every connection (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

async fn sqlite_pool(url: &str, size: u32) -> Result<AnyPool, StoreError> {
    Ok(AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL lets readers run beside the writer; NORMAL is durable against process
                // crashes and loses at most the last commits on power loss, the usual trade.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
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
