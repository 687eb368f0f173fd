//! The web pages: sign-in, the request list and the negotiation interface, server-rendered
//! with askama (escaped by default) and enhanced with htmx where it helps. Every page calls
//! the same use cases as the API.

mod assets;
mod dev_checkout;
mod dev_mail;
mod handling;
mod held;
mod i18n;
mod list;
mod network;
mod quotes;
mod reply_to;
mod request_page;
mod session;
mod signin;
mod team;
mod text;
mod translation;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parley_app::AppError;

use crate::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let message_limit = state.app.settings().message_body_limit();
    Router::new()
        .route("/", get(|| async { Redirect::to("/requests") }))
        .route("/signin", get(signin::form).post(signin::send_link))
        .route("/signin/{token}", get(signin::redeem))
        .route("/signout", post(signin::sign_out))
        .route("/requests", get(list::requests))
        .route("/requests/export.csv", get(list::export))
        .route("/requests/{id}", get(request_page::show))
        .route(
            "/requests/{id}/messages",
            post(request_page::send).layer(axum::extract::DefaultBodyLimit::max(message_limit)),
        )
        .route("/requests/{id}/phone", post(request_page::display_phone))
        .route("/requests/{id}/remind", post(request_page::remind))
        .route(
            "/requests/{id}/held/{held}/release",
            post(held::release_held),
        )
        .route("/requests/{id}/held/{held}/delete", post(held::delete_held))
        .route("/requests/{id}/forward", post(handling::forward))
        .route("/requests/{id}/cc", post(handling::cc))
        .route(
            "/requests/{id}/cc/{member}/remove",
            post(handling::remove_cc),
        )
        .route("/requests/{id}/decline", post(handling::decline))
        .route("/requests/{id}/outcome", post(handling::outcome))
        .route("/messages/{id}/translate", post(translation::translate))
        .route(
            "/requests/{id}/translate",
            post(translation::translate_request),
        )
        .route("/quotes/{id}/answer", post(quotes::answer))
        .route(
            "/dev/checkout/{session}",
            get(dev_checkout::page).post(dev_checkout::pay),
        )
        .route("/quotes/{id}/pay", post(quotes::pay))
        .route("/quotes/{id}/order", post(quotes::order))
        .route("/requests/{id}/review", post(quotes::review))
        .route("/quotes/validate", post(quotes::validate))
        .route("/team", get(team::page))
        .route("/team/members", post(team::put))
        .route("/team/remove", post(team::remove))
        .route("/team/reminders", post(team::reminders))
        .route("/network", get(network::page))
        .route("/network/members", post(network::add_member))
        .route("/network/members/{id}", post(network::update_member))
        .route("/network/members/{id}/remove", post(network::remove_member))
        .route("/network/routing", post(network::routing))
        .route("/documents/{id}", get(request_page::document))
        .route("/messages/{id}/original", get(request_page::email_original))
        .route("/lang/{code}", get(i18n::switch))
        .route("/dev/mail", get(dev_mail::mailbox))
        .merge(assets::router())
}

/// Percent-encodes a query value, keeping `/` readable (paths travel in `next=`).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Renders a template as an HTML response.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => PageError::Internal(error.to_string()).into_response(),
    }
}

pub use i18n::{OFFERED as LANGUAGES, Tr};

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

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "page-not-found",
                "page-not-found-text",
            ),
            Self::Csrf => (StatusCode::FORBIDDEN, "page-expired", "page-expired-text"),
            Self::RateLimited(seconds) => {
                let page = ErrorPage {
                    tr: Tr::new("en"),
                    languages: &LANGUAGES,
                    title: "page-too-many",
                    text: "page-too-many-text",
                };
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(axum::http::header::RETRY_AFTER, seconds.to_string())],
                    render(&page),
                )
                    .into_response();
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "page-failed",
                    "page-failed-text",
                )
            }
        };
        // Errors arise far from the request's headers: their page is in English.
        let page = ErrorPage {
            tr: Tr::new("en"),
            languages: &LANGUAGES,
            title,
            text,
        };
        (status, render(&page)).into_response()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            super::url_encode("/requests/1?x=a b&é"),
            "/requests/1%3Fx%3Da%20b%26%C3%A9"
        );
    }
}
