//! API errors as `application/problem+json` (RFC 9457), with field errors.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parley_app::AppError;
use parley_domain::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// A stable code for programs (`not_found`, `invalid_input`, `body_too_large`…).
    pub code: String,
    /// What happened, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per invalid field, each with its own code (`message_empty`, `sender_empty`,
    /// `sender_invalid`, `cc_invalid`, `file_too_large`, `document_not_pdf`…; `required` or
    /// `invalid` for a field a JSON body misses or gives a value of the wrong type, named by
    /// its path: `buyer.country`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorDto>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for FieldErrorDto {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            code: e.code,
            message: e.message,
        }
    }
}

/// An error answered by the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: Option<String>,
    errors: Vec<FieldError>,
    /// For 429: seconds before trying again (`Retry-After`).
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: Some(detail.into()),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 429, with when to try again.
    pub fn rate_limited(retry_after: std::time::Duration) -> Self {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Self {
            retry_after: Some(seconds.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many requests; try again in {} s.", seconds.max(1)),
            )
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing here for you.",
        )
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_input",
            detail: Some("Some fields are not valid; nothing was saved.".to_owned()),
            errors,
            retry_after: None,
        }
    }

    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "The request body is larger than this server accepts.",
        )
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
}

/// The conflicts a client can act on, with their stable code and what to tell people; every
/// other conflict is a plain `conflict` (its constraint name stays in the logs).
fn public_conflict(what: &str) -> Option<(&'static str, &'static str)> {
    Some(match what {
        "member_elsewhere" => (
            "member_elsewhere",
            "This address belongs to a person of another organization.",
        ),
        "address_of_a_buyer" => ("address_of_a_buyer", "This address belongs to a buyer."),
        "external_id_taken" => (
            "external_id_taken",
            "This marketplace already uses this external id for another organization.",
        ),
        "organization_already_linked" => (
            "organization_already_linked",
            "This organization already has another external id on this marketplace.",
        ),
        "last_admin" => (
            "last_admin",
            "An organization keeps at least one admin: name another admin first.",
        ),
        "address_revoked" => (
            "address_revoked",
            "The masked address this reply was sent to was revoked: it can no longer be posted.",
        ),
        _ => return None,
    })
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let chain = error.chain();
        match error {
            AppError::NotFound => Self::not_found(),
            AppError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "A valid bearer token is required.",
            ),
            AppError::Forbidden(why) => Self::new(StatusCode::FORBIDDEN, "forbidden", why),
            AppError::Invalid(errors) => Self::invalid(errors),
            AppError::RateLimited { retry_after } => Self::rate_limited(retry_after),
            AppError::Conflict(ref what) if public_conflict(what).is_some() => {
                let (code, detail) = public_conflict(what).unwrap_or(("conflict", ""));
                Self::new(StatusCode::CONFLICT, code, detail)
            }
            AppError::Conflict(what) => {
                tracing::warn!(constraint = %what, "conflict");
                Self::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "This conflicts with what is stored.",
                )
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "A service Parley relies on did not answer; try again in a moment.",
                )
            }
            AppError::Internal(_) => {
                // The cause stays in the logs: clients learn only that it was our fault.
                tracing::error!(error = %chain, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; nothing you sent was lost.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error").to_owned();
        let problem = Problem {
            kind: format!("urn:parley:problem:{}", self.code),
            title,
            status: self.status.as_u16(),
            code: self.code.to_owned(),
            detail: self.detail,
            errors: self.errors.into_iter().map(Into::into).collect(),
        };
        let mut response = (self.status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::body_too_large();
        }
        let field = json_field_error(&rejection);
        let mut error = Self::new(rejection.status(), "bad_json", rejection.body_text());
        error.errors.extend(field);
        error
    }
}

/// The field a well-formed JSON body got wrong (a missing field, a value of the wrong type or
/// outside its choices), named by its path as the client wrote it (`buyer.country`,
/// `items[2].amount`): axum reads bodies with `serde_path_to_error`, whose error sits two
/// sources below the rejection.
fn json_field_error(rejection: &axum::extract::rejection::JsonRejection) -> Option<FieldError> {
    use std::error::Error as _;
    let axum::extract::rejection::JsonRejection::JsonDataError(data) = rejection else {
        return None;
    };
    let error = data
        .source()?
        .source()?
        .downcast_ref::<serde_path_to_error::Error<serde_json::Error>>()?;
    let inner = error.inner().to_string();
    // serde_json ends its messages with where in the text it was: the field says it better.
    let message = inner
        .rsplit_once(" at line ")
        .map_or(inner.as_str(), |(message, _)| message);
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    let (field, code) = match missing {
        Some(name) if path.is_empty() => (name.to_owned(), "required"),
        Some(name) => (format!("{path}.{name}"), "required"),
        None => (path, "invalid"),
    };
    Some(FieldError {
        field,
        code: code.to_owned(),
        message: message.to_owned(),
    })
}

impl From<axum::extract::multipart::MultipartError> for ApiError {
    fn from(error: axum::extract::multipart::MultipartError) -> Self {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::body_too_large();
        }
        Self::new(error.status(), "bad_multipart", error.body_text())
    }
}

/// Makes every error the API answers a problem document, including those axum's extractors
/// give before a handler runs (a malformed JSON body, a query like `?limit=-1`, a bad path, an
/// unknown route, a wrong method): their plain-text explanation becomes the `detail`.
pub async fn problems_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).trim().to_owned();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "bad_request",
        _ if status.is_server_error() => "internal",
        _ => "bad_request",
    };
    let detail = if detail.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        detail
    };
    ApiError::new(status, code, detail).into_response()
}
