//! Parsing stored text back into domain types: a failure means a corrupt row.

use std::str::FromStr;

use parley_domain::{CountryCode, EmailAddress, LanguageCode, Timestamp};

use crate::StoreError;

pub(crate) fn parse<T: FromStr>(value: &str, what: &str) -> Result<T, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{what}: {value}")))
}

pub(crate) fn email(value: &str) -> Result<EmailAddress, StoreError> {
    EmailAddress::parse(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn emails(json: &str) -> Result<Vec<EmailAddress>, StoreError> {
    let list: Vec<String> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    list.iter().map(|s| email(s)).collect()
}

pub(crate) fn emails_json(list: &[EmailAddress]) -> String {
    let texts: Vec<&str> = list.iter().map(EmailAddress::as_str).collect();
    serde_json::to_string(&texts).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn language(value: &str) -> Result<LanguageCode, StoreError> {
    LanguageCode::parse(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn country(value: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn variant<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn time(millis: i64) -> Timestamp {
    Timestamp(millis)
}

/// Reading a result row by column name, whichever connection produced it: sqlx's rows, or
/// the direct SQLite connection's (see `direct`). Mappers written against this serve both.
pub(crate) trait Columns {
    fn text(&self, name: &str) -> Result<String, StoreError>;
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, name: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError>;
}

impl Columns for sqlx::any::AnyRow {
    fn text(&self, name: &str) -> Result<String, StoreError> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
    fn int(&self, name: &str) -> Result<i64, StoreError> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, name: &str) -> Result<String, StoreError> {
        Ok(self.get(name)?)
    }
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get(name)?)
    }
    fn int(&self, name: &str) -> Result<i64, StoreError> {
        Ok(self.get(name)?)
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.get(name)?)
    }
}
