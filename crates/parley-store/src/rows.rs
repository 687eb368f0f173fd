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
