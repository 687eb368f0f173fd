//! Typed ids from the path. A malformed id is as absent as an unknown one: 404, never a 400
//! that would tell a prober which ids are well-formed.

use axum::extract::{FromRequestParts, OriginalUri, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// The one `{id}` of a route, parsed.
pub struct Id<T>(pub T);

/// The two ids of a route such as `/requests/{id}/cc/{member}`, parsed.
pub struct Ids<A, B>(pub A, pub B);

/// Not found, said the way the caller's surface says it (problem+json under `/api`).
pub struct IdNotFound {
    api: bool,
}

impl IntoResponse for IdNotFound {
    fn into_response(self) -> Response {
        if self.api {
            crate::ApiError::not_found().into_response()
        } else {
            crate::pages::PageError::NotFound.into_response()
        }
    }
}

fn not_found(parts: &Parts) -> IdNotFound {
    let path = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(parts.uri.path(), |uri| uri.0.path());
    IdNotFound {
        api: path.starts_with("/api/"),
    }
}

impl<S: Send + Sync, T: std::str::FromStr> FromRequestParts<S> for Id<T> {
    type Rejection = IdNotFound;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, IdNotFound> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found(parts))?;
        text.parse().map(Id).map_err(|_| not_found(parts))
    }
}

impl<S: Send + Sync, A: std::str::FromStr, B: std::str::FromStr> FromRequestParts<S> for Ids<A, B> {
    type Rejection = IdNotFound;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, IdNotFound> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found(parts))?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(Ids(a, b)),
            _ => Err(not_found(parts)),
        }
    }
}
