//! The pages' error answers (not found, expired form, too many, failed), in the reader's
//! language: a refusal arises where the request's headers are out of reach, so it carries its
//! texts' keys and [`in_the_readers_language`] renders it once the reader is known.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parley_app::AppError;

use super::{LANGUAGES, Tr, render};
use crate::AppState;

#[derive(Template)]
#[template(
    source = "{% extends \"layout.html\" %}{% block title %}{{ tr.t(title) }}{% endblock %}\
              {% block content %}<section class=\"card narrow\"><h1>{{ tr.t(title) }}</h1>\
              <p>{{ tr.t(text) }}</p><p><a href=\"/requests\">{{ tr.t(\"page-back\") }}</a></p>\
              </section>{% endblock %}",
    ext = "html"
)]
struct ErrorPage<'a> {
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    title: &'a str,
    text: &'a str,
}

/// What a page answers when a use case refuses.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    Csrf,
    /// Too many of these for now (sign-in links): try again after this many seconds.
    RateLimited(u64),
    Internal(String),
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        let chain = error.chain();
        match error {
            AppError::NotFound | AppError::Unauthenticated | AppError::Forbidden(_) => {
                Self::NotFound
            }
            AppError::Invalid(errors) => {
                Self::Internal(format!("unexpected invalid input: {errors:?}"))
            }
            AppError::Conflict(what) => Self::Internal(format!("conflict: {what}")),
            AppError::RateLimited { retry_after } => {
                Self::RateLimited(retry_after.as_secs().max(1))
            }
            AppError::Internal(_) | AppError::Unavailable(_) => Self::Internal(chain),
        }
    }
}

/// The keys of an error page's title and text, left on its response for
/// [`in_the_readers_language`].
#[derive(Debug, Clone, Copy)]
struct ErrorTexts {
    title: &'static str,
    text: &'static str,
}

fn page(tr: Tr, texts: ErrorTexts) -> Response {
    render(&ErrorPage {
        tr,
        languages: &LANGUAGES,
        title: texts.title,
        text: texts.text,
    })
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "page-not-found",
                "page-not-found-text",
            ),
            Self::Csrf => (StatusCode::FORBIDDEN, "page-expired", "page-expired-text"),
            Self::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "page-too-many",
                "page-too-many-text",
            ),
            Self::Internal(ref cause) => {
                tracing::error!(%cause, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "page-failed",
                    "page-failed-text",
                )
            }
        };
        let texts = ErrorTexts { title, text };
        // English until the reader is known (the layer below renders it again).
        let mut response = (status, page(Tr::new("en"), texts)).into_response();
        if let Self::RateLimited(seconds) = self
            && let Ok(value) = seconds.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(texts);
        response
    }
}

/// Renders an error page again in the reader's language (switcher, profile, browser), with the
/// same status and headers. Only error answers pay for finding the reader.
pub async fn in_the_readers_language(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let Some(texts) = response.extensions().get::<ErrorTexts>().copied() else {
        return response;
    };
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers = headers;
    let Ok(tr) = Tr::from_request_parts(&mut parts, &state).await;
    let (response_parts, _) = response.into_parts();
    let localized = page(tr, texts).into_parts().1;
    Response::from_parts(response_parts, localized)
}
