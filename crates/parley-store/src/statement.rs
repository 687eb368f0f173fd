//! A write statement as data (its SQL and its values), run either through sqlx (PostgreSQL,
//! and SQLite units in general) or on the SQLite writer's direct connection (see `direct`).
//! One definition per statement, so both paths write exactly the same rows.

use std::borrow::Cow;

use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::{Connection, StoreError};

/// One bound value. Nulls keep their type: PostgreSQL refuses a text null in a BIGINT column.
#[derive(Debug, Clone)]
pub(crate) enum Param<'a> {
    Text(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Blob(Option<&'a [u8]>),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(Some(Cow::Borrowed(text)))
    }
}

impl From<String> for Param<'_> {
    fn from(text: String) -> Self {
        Self::Text(Some(Cow::Owned(text)))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(text: Option<&'a str>) -> Self {
        Self::Text(text.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Param<'_> {
    fn from(text: Option<String>) -> Self {
        Self::Text(text.map(Cow::Owned))
    }
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::Int(value)
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Text(Some(text)) => ValueRef::Text(text.as_bytes()),
            Self::Int(Some(value)) => ValueRef::Integer(*value),
            Self::Blob(Some(bytes)) => ValueRef::Blob(bytes),
            Self::Text(None) | Self::Int(None) | Self::Blob(None) => ValueRef::Null,
        }))
    }
}

/// A statement with its values (`$1`, `$2`… in order, each used once: SQLite numbers such
/// parameters by first appearance, so the same text binds by position on both paths).
#[derive(Debug, Clone)]
pub(crate) struct Statement<'a> {
    pub sql: &'static str,
    pub params: Vec<Param<'a>>,
}

impl<'a> Statement<'a> {
    pub(crate) fn new(sql: &'static str, params: Vec<Param<'a>>) -> Self {
        Self { sql, params }
    }

    /// Runs it through sqlx; returns the number of rows changed.
    pub(crate) async fn execute(self, conn: &mut Connection) -> Result<u64, StoreError> {
        let mut query = sqlx::query(self.sql);
        for param in self.params {
            query = match param {
                Param::Text(text) => query.bind(text.map(Cow::into_owned)),
                Param::Int(value) => query.bind(value),
                Param::Blob(bytes) => query.bind(bytes.map(<[u8]>::to_vec)),
            };
        }
        Ok(query.execute(conn).await?.rows_affected())
    }

    /// Runs it on a direct SQLite connection (a prepared statement kept in the connection's
    /// cache); returns the number of rows changed.
    pub(crate) fn execute_direct(&self, conn: &rusqlite::Connection) -> Result<u64, StoreError> {
        let mut statement = conn.prepare_cached(self.sql)?;
        let changed = statement.execute(rusqlite::params_from_iter(self.params.iter()))?;
        Ok(changed as u64)
    }
}
