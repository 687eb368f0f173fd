//! The web pages: sign-in, the request list and the negotiation interface, server-rendered
//! with askama (escaped by default) and enhanced with htmx where it helps. Every page calls
//! the same use cases as the API.

mod assets;
mod dev_checkout;
mod dev_mail;
mod errors;
mod handling;
mod held;
mod history;
mod i18n;
mod list;
mod network;
mod originals;
mod quotes;
mod reply;
mod reply_to;
mod request_page;
mod session;
mod signin;
mod team;
mod text;
mod translation;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

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
            post(reply::send).layer(axum::extract::DefaultBodyLimit::max(message_limit)),
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
        .route("/documents/{id}", get(originals::document))
        .route("/messages/{id}/original", get(originals::email_original))
        .route("/lang/{code}", get(i18n::switch))
        .route("/dev/mail", get(dev_mail::mailbox))
        .merge(assets::router())
        .fallback(|| async { PageError::NotFound })
        // Error pages in the reader's language (see `errors`).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            errors::in_the_readers_language,
        ))
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

pub use errors::PageError;
pub use i18n::{OFFERED as LANGUAGES, Tr};

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
