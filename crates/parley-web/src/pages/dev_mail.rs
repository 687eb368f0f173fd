//! The development mailbox: queued mail shown in the browser, like Mailpit, so `serve --demo`
//! works without a mail server. Off unless enabled (it shows everyone's sign-in links).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use parley_domain::Timestamp;

use super::text::linkify;
use super::{LANGUAGES, PageError, Tr, render};
use crate::AppState;

pub struct MailItem {
    pub at: String,
    /// "Name <address>" it comes from: a masked address for conversation mail.
    pub from: String,
    pub recipient: String,
    /// Delivered, waiting, or the last error.
    pub status: String,
    pub subject: String,
    /// Escaped, with links made clickable.
    pub body: String,
}

#[derive(Template)]
#[template(path = "dev_mail.html")]
struct DevMailPage {
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    mails: Vec<MailItem>,
    /// The next (older) page's cursor.
    older: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct Page {
    before: Option<String>,
}

/// Mails per page.
const PAGE: u32 = 50;
/// The most of a body shown (the rest is cut: a megabyte-long line must not stall the page).
const SHOWN_CHARS: usize = 20_000;

pub async fn mailbox(
    State(state): State<AppState>,
    tr: Tr,
    axum::extract::Query(page): axum::extract::Query<Page>,
) -> Result<Response, PageError> {
    let (mails, older) = state
        .app
        .dev_mailbox_page(PAGE, page.before.as_deref())
        .await?;
    let mails = mails
        .into_iter()
        .map(|queued| {
            let status = match (queued.sent_at, &queued.last_error) {
                (Some(_), _) => "delivered".to_owned(),
                (None, Some(error)) => format!("retrying: {error}"),
                (None, None) => "queued".to_owned(),
            };
            let mail = queued.mail;
            let from = match (mail.from_name, mail.from_address) {
                (Some(name), Some(address)) => format!("{name} <{address}>"),
                (None, Some(address)) => address,
                (name, None) => name.unwrap_or_else(|| "Parley".to_owned()),
            };
            MailItem {
                at: tr.time(Timestamp(mail.created_at)),
                from,
                recipient: mail.recipient,
                status,
                subject: mail.subject,
                body: linkify(&shown(&mail.text_body)),
            }
        })
        .collect();
    Ok(render(&DevMailPage {
        tr,
        languages: &LANGUAGES,
        mails,
        older: older.map(|cursor| super::url_encode(&cursor)),
    }))
}

/// At most [`SHOWN_CHARS`] of `body`, saying when the rest was cut.
fn shown(body: &str) -> std::borrow::Cow<'_, str> {
    match body.char_indices().nth(SHOWN_CHARS) {
        None => body.into(),
        Some((at, _)) => format!(
            "{}\n[… {} more characters]",
            &body[..at],
            body[at..].chars().count()
        )
        .into(),
    }
}
