//! Sign-in by emailed link, and sign-out.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::AppError;
use parley_app::auth::new_token;
use parley_app::web_sessions::local_path;
use serde::Deserialize;

use super::session::{
    NoFields, SESSION_COOKIE, SignedForm, cookie, same_secret, session_cookie, set_cookie,
};
use super::{LANGUAGES, PageError, Tr, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    tr: Tr,
    /// The anonymous form's CSRF token (double-submitted: cookie and field).
    form_token: String,
    languages: &'static [(&'static str, &'static str)],
    email: String,
    next: String,
    sent: bool,
    /// Development: point to the mailbox where the link shows.
    dev_mailbox: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
    /// Coming from a used or expired link.
    expired: Option<bool>,
}

/// Before sign-in there is no session to hold a CSRF token: the form carries a random token
/// that must match a cookie only this site can set (double submit).
const FORM_COOKIE: &str = "parley_form";

pub async fn form(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Query(query): Query<NextParam>,
) -> Result<Response, PageError> {
    let token = match cookie(&headers, FORM_COOKIE) {
        Some(token) if token.starts_with("prl_") => token,
        _ => new_token()?,
    };
    let page = render(&SignInPage {
        form_token: token.clone(),
        tr: tr.clone(),
        languages: &LANGUAGES,
        email: String::new(),
        next: local_path(query.next.as_deref().unwrap_or("/requests")),
        sent: false,
        dev_mailbox: false,
        error: query
            .expired
            .unwrap_or(false)
            .then(|| tr.t("signin-expired")),
    });
    let remember = set_cookie(&state, FORM_COOKIE, &token, 24 * 3600);
    Ok(([(SET_COOKIE, remember)], page).into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    next: Option<String>,
    form_token: Option<String>,
}

/// Mints a link for the address. The answer is the same whether or not the address has an
/// account, so the form tells nobody who is registered. Delivery by email comes with the mail
/// outbox; until then `parley demo` prints sign-in links for the demo people.
pub async fn send_link(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    crate::client::ClientAddress(client): crate::client::ClientAddress,
    Form(form): Form<SignInForm>,
) -> Response {
    let form_token = cookie(&headers, FORM_COOKIE).unwrap_or_default();
    let submitted = form.form_token.as_deref().unwrap_or_default();
    if form_token.is_empty() || !same_secret(submitted, &form_token) {
        return PageError::Csrf.into_response();
    }
    let next = local_path(form.next.as_deref().unwrap_or("/requests"));
    match state
        .app
        .request_sign_in_link(&form.email, &next, client)
        .await
    {
        Ok(_) => render(&SignInPage {
            form_token: form_token.clone(),
            tr: tr.clone(),
            languages: &LANGUAGES,
            email: form.email.trim().to_owned(),
            next,
            sent: true,
            dev_mailbox: state.app.settings().dev_mailbox,
            error: None,
        }),
        Err(AppError::Invalid(errors)) => render(&SignInPage {
            form_token: form_token.clone(),
            tr: tr.clone(),
            languages: &LANGUAGES,
            email: form.email,
            next,
            sent: false,
            dev_mailbox: false,
            error: errors.first().map(|e| tr.error(e, 0)),
        }),
        Err(other) => PageError::from(other).into_response(),
    }
}

pub async fn redeem(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.app.redeem_sign_in_link(&token).await {
        Ok((session, next)) => {
            ([session_cookie(&state, &session)], Redirect::to(&next)).into_response()
        }
        // Used, expired or unknown: the form again, saying so.
        Err(AppError::NotFound) => Redirect::to("/signin?expired=true").into_response(),
        Err(other) => PageError::from(other).into_response(),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    SignedForm { signed_in, .. }: SignedForm<NoFields>,
) -> Result<Response, PageError> {
    state.app.sign_out(&signed_in.token).await?;
    Ok((
        [(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0))],
        Redirect::to("/signin"),
    )
        .into_response())
}
