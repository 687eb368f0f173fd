//! The development mailbox: queued mail shown in the browser, like Mailpit, so `serve --demo`
//! works without a mail server. Off unless enabled (it shows everyone's sign-in links).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use parley_domain::Timestamp;

use super::list::human_time;
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
}

pub async fn mailbox(State(state): State<AppState>, tr: Tr) -> Result<Response, PageError> {
    let mails = state
        .app
        .dev_mailbox(50)
        .await?
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
                at: human_time(Timestamp(mail.created_at)),
                from,
                recipient: mail.recipient,
                status,
                subject: mail.subject,
                body: linkify(&mail.text_body),
            }
        })
        .collect();
    Ok(render(&DevMailPage {
        tr,
        languages: &LANGUAGES,
        mails,
    }))
}
