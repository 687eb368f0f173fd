//! Bearer-token authentication as an extractor: handlers that take [`Authenticated`] run only
//! for a known caller.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use parley_app::{AppError, Caller};

use crate::{ApiError, AppState};

/// The caller, resolved from `Authorization: Bearer …`.
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .ok_or(AppError::Unauthenticated)?;
        let caller = state.app.authenticate(token).await?;
        // Counted once known: an unknown token is refused before it costs anything.
        state.app.api_call(token)?;
        Ok(Self(caller))
    }
}
