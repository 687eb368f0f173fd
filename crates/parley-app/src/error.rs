//! The use cases' error type; adapters map each variant to their protocol (HTTP status, SMTP
//! reply code…).

use parley_domain::FieldError;
use parley_store::StoreError;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing there for this caller: it does not exist, or the caller may not see it (the two
    /// are never told apart, so ids leak nothing).
    #[error("not found")]
    NotFound,
    /// No valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// The caller is known but this kind of caller cannot do this at all (a buyer asking for
    /// the buyer's phone, a marketplace key reading threads).
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// The input broke rules; every problem is listed.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The operation conflicts with what is stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too many of these from this caller for now (sign-in emails, API calls, emailed
    /// replies); they may try again after `retry_after`.
    #[error("rate limited: retry after {retry_after:?}")]
    RateLimited { retry_after: std::time::Duration },
    /// A service we depend on (a translation engine) failed; the cause is logged, the caller
    /// may try again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours or of infrastructure, with its cause (and the cause's own sources):
    /// logged with [`AppError::chain`], never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// An error and each of its sources, joined by `: `.
pub(crate) fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl AppError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }

    /// The error and each of its sources, joined by `: `, for logs.
    #[must_use]
    pub fn chain(&self) -> String {
        source_chain(self)
    }

    /// One invalid field (for adapters that check their own input shape).
    #[must_use]
    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::invalid(field, code, message)
    }

    pub(crate) fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }])
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(name) => Self::Conflict(name),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<object_store::Error> for AppError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => {
                Self::internal(format!("document bytes missing: {error}"))
            }
            other => Self::Internal(Box::new(other)),
        }
    }
}
