//! Every email Parley writes, and their delivery.
//!
//! - [`conversation`]: what tells a conversation's participants something happened (a new
//!   request, a new message, a copy), from their masked address; [`recipients`] decides who
//!   hears of a new message; [`network`] the sales network's (forward, copy, decline);
//!   [`automatic_copy`] the request copied to a network member's addresses.
//! - [`notice`]: the shape those share (text and HTML), rendered when read.
//! - [`plain`]: plain mails from Parley's own address (sign-in, reminders, notices, orders).
//! - [`outbox`]: claiming queued mail for delivery and recording what became of it.
//!
//! Every text is in the recipient's language, from the Fluent files (`locales/*/mail.ftl`,
//! see [`crate::i18n`]).

pub(crate) mod automatic_copy;
pub(crate) mod conversation;
pub(crate) mod network;
pub(crate) mod notice;
pub mod outbox;
pub(crate) mod plain;
mod recipients;

use parley_store::outbox as store;

use crate::{App, AppError};

impl App {
    /// The latest queued mail, for the development mailbox; `NotFound` unless it is enabled.
    pub async fn dev_mailbox(&self, limit: u32) -> Result<Vec<store::Queued>, AppError> {
        Ok(self.dev_mailbox_page(limit, None).await?.0)
    }

    /// A page of the development mailbox: up to `limit` mails queued before the `before`
    /// cursor (none: the latest), and the cursor of the next page when there is one.
    pub async fn dev_mailbox_page(
        &self,
        limit: u32,
        before: Option<&str>,
    ) -> Result<(Vec<store::Queued>, Option<String>), AppError> {
        if !self.settings.dev_mailbox {
            return Err(AppError::NotFound);
        }
        let before = before.and_then(|cursor| {
            let (at, id) = cursor.split_once('.')?;
            Some((at.parse().ok()?, id))
        });
        let mut conn = self.store.read().await?;
        let mut mails = store::recent_before(&mut conn, limit + 1, before).await?;
        let next = (mails.len() > limit as usize).then(|| {
            mails.truncate(limit as usize);
            mails
                .last()
                .map(|q| format!("{}.{}", q.mail.created_at, q.mail.id))
                .unwrap_or_default()
        });
        Ok((outbox::rendered(mails), next))
    }
}

#[cfg(test)]
mod tests;
