//! Database facts turned into errors the use cases can act on.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched.
    #[error("not found")]
    NotFound,
    /// A named constraint refused the write (unique key, check…).
    #[error("constraint {0} violated")]
    Conflict(String),
    /// A stored value could not be parsed back (a bug or a database from another version).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The store was closed (shutting down).
    #[error("the database is closed")]
    Closed,
    /// The database URL names a database we don't support.
    #[error("unsupported database URL: use sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(sqlx::Error),
    /// The relay's spool could not be written or read (see `spool`).
    #[error("spool: {0}")]
    Spool(std::io::Error),
    /// An error of the SQLite writer's direct connection (see `direct`).
    #[error(transparent)]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            rusqlite::Error::QueryReturnedNoRows => Self::NotFound,
            rusqlite::Error::SqliteFailure(failure, Some(message))
                if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                match sqlite_constraint_name(message) {
                    Some(name) => Self::Conflict(name),
                    None => Self::Sqlite(error),
                }
            }
            _ => Self::Sqlite(error),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) => match constraint_name(db.as_ref()) {
                Some(name) => Self::Conflict(name),
                None => Self::Database(error),
            },
            _ => Self::Database(error),
        }
    }
}

/// PostgreSQL names the violated constraint; SQLite only says
/// `UNIQUE constraint failed: table.column, …`, which we map to the same names the
/// migrations give (`table_column_key`) so callers match one name on both databases.
fn constraint_name(db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    if let Some(name) = db.constraint() {
        return Some(name.to_owned());
    }
    sqlite_constraint_name(db.message())
}

fn sqlite_constraint_name(message: &str) -> Option<String> {
    if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
        let first = columns.split(',').next()?.trim();
        let (table, column) = first.split_once('.')?;
        return Some(sqlite_unique_name(table, column));
    }
    message
        .strip_prefix("CHECK constraint failed: ")
        .map(|name| name.trim().to_owned())
}

/// The constraint names of the migrations, keyed by the first column SQLite reports.
fn sqlite_unique_name(table: &str, column: &str) -> String {
    match (table, column) {
        ("products", "manufacturer_id") => "products_reference_key".to_owned(),
        ("requests", "marketplace_id") => "requests_external_ref_key".to_owned(),
        ("threads", "request_id") => "threads_party_key".to_owned(),
        ("network_links", "manufacturer_id") => "network_links_pkey".to_owned(),
        ("api_tokens", "token_hash") => "api_tokens_pkey".to_owned(),
        ("events", "dedupe_key") => "events_dedupe_key".to_owned(),
        ("relay_addresses", "thread_id") => "relay_addresses_holder_key".to_owned(),
        ("relay_addresses", "token") => "relay_addresses_pkey".to_owned(),
        ("messages", "thread_id") => crate::messages::EMAIL_REPEAT.to_owned(),
        _ => format!("{table}_{column}_key"),
    }
}

impl StoreError {
    /// Whether this is a violation of the named constraint.
    #[must_use]
    pub fn is_conflict(&self, constraint: &str) -> bool {
        matches!(self, Self::Conflict(name) if name == constraint)
    }
}
