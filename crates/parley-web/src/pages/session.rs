//! The browser side of sign-in: the session cookie, the signed-in extractors, CSRF checks.
//!
//! CSRF holds by construction: [`SignedIn`] refuses every method that changes something (403),
//! so a handler that changes state can only get its signed-in person from [`SignedForm`]
//! (which checks the form's `csrf` field) or from [`Unverified::verify`] (multipart forms,
//! whose token is one of their parts). A new POST handler that forgets cannot work at all.

use axum::extract::{FromRequest, FromRequestParts, Multipart, OriginalUri, Request};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::web_sessions::{SESSION_TTL, WebSession};
use parley_app::{AppError, Caller};

use super::{PageError, url_encode};
use crate::AppState;

pub const SESSION_COOKIE: &str = "parley_session";
/// Remembers the Sender address a seller typed (guide FAQ c).
pub const SENDER_COOKIE: &str = "parley_sender";

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site, and Secure when Parley is
/// reached over HTTPS (its public URL says so).
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = state
        .app
        .settings()
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"));
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// The session cookie for a new session.
pub fn session_cookie(state: &AppState, token: &str) -> (axum::http::HeaderName, HeaderValue) {
    (
        SET_COOKIE,
        set_cookie(state, SESSION_COOKIE, token, SESSION_TTL.as_secs()),
    )
}

/// A signed-in person. Pages that take it answer a sign-in redirect to everyone else.
pub struct SignedIn {
    pub session: WebSession,
    pub token: String,
}

impl SignedIn {
    pub fn caller(&self) -> &Caller {
        &self.session.caller
    }

    pub fn is_seller(&self) -> bool {
        matches!(self.session.caller, Caller::Member(_))
    }

    /// Refuses a form whose CSRF token is not this session's.
    fn check_csrf(&self, submitted: Option<&str>) -> Result<(), PageError> {
        if submitted.is_some_and(|token| same_secret(token, &self.session.csrf)) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

/// Compares two secrets in time that depends only on their length.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where an unauthenticated visitor goes: the sign-in page, then back here.
pub struct SignInFirst(String);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let next = url_encode(&self.0);
        Redirect::to(&format!("/signin?next={next}")).into_response()
    }
}

impl SignedIn {
    /// The person whose session cookie the request carries, whatever its method.
    async fn load(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let here = OriginalUri::from_request_parts(parts, state)
            .await
            .map(|uri| uri.0.path().to_owned())
            .unwrap_or_else(|_| "/".to_owned());
        match current_session(parts, state).await {
            Ok(Some((session, token))) => Ok(Self { session, token }),
            Ok(None) => Err(SignInFirst(here).into_response()),
            Err(other) => Err(PageError::from(other).into_response()),
        }
    }
}

/// A request's session, once looked up (the page's language and the signed-in person both
/// need it, in either order).
#[derive(Clone)]
struct LookedUp(Option<(WebSession, String)>);

/// The live session the request's cookie names, and its token; looked up once per request.
pub(super) async fn current_session(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<(WebSession, String)>, AppError> {
    if let Some(LookedUp(found)) = parts.extensions.get::<LookedUp>() {
        return Ok(found.clone());
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let found = match state.app.web_session(&token).await {
        Ok(session) => Some((session, token)),
        Err(AppError::Unauthenticated) => None,
        Err(other) => return Err(other),
    };
    parts.extensions.insert(LookedUp(found.clone()));
    Ok(found)
}

/// For pages that only read: any method that could change something is refused (see the
/// module's note).
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed_in = Self::load(parts, state).await?;
        if parts.method.is_safe() {
            Ok(signed_in)
        } else {
            Err(PageError::Csrf.into_response())
        }
    }
}

/// A urlencoded form from a signed-in person, its `csrf` field checked against the session
/// before the form is even parsed.
pub struct SignedForm<T> {
    pub signed_in: SignedIn,
    pub form: T,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for SignedForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed_in = SignedIn::load(&mut parts, state).await?;
        let bytes = bytes::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::Csrf.into_response())?;
        let token = fields
            .iter()
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value.as_str());
        signed_in
            .check_csrf(token)
            .map_err(IntoResponse::into_response)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| (StatusCode::BAD_REQUEST, "invalid form").into_response())?;
        Ok(Self { signed_in, form })
    }
}

/// A form whose only field is its token (a button).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A multipart form from a session not yet checked: its token is one of the parts, read
/// with the rest; [`Unverified::verify`] gives the signed-in person once it matches.
pub struct SignedMultipart {
    pub session: Unverified,
    pub multipart: Multipart,
}

pub struct Unverified(SignedIn);

impl Unverified {
    pub fn verify(self, submitted: Option<&str>) -> Result<SignedIn, PageError> {
        self.0.check_csrf(submitted)?;
        Ok(self.0)
    }

    /// The person, to render a page that changes nothing (a form refused before it could be
    /// read); never to act.
    pub fn for_reading(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequest<AppState> for SignedMultipart {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed_in = SignedIn::load(&mut parts, state).await?;
        let multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::NotFound.into_response())?;
        Ok(Self {
            session: Unverified(signed_in),
            multipart,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookies_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; parley_session=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
