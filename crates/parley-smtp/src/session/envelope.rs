//! MAIL FROM and RCPT TO: the envelope, checked against the masked address at RCPT so that a
//! refused message is refused before its data is sent.

use parley_app::AppError;
use tokio::io::{AsyncRead, AsyncWrite};

use super::Session;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    pub(super) fn mail_from(&mut self, address: String, size: usize) {
        if self.envelope.helo.is_none() {
            self.errors += 1;
            self.reply(503, "5.5.1 Say EHLO first");
        } else if self.envelope.mail_from.is_some() {
            self.errors += 1;
            self.reply(503, "5.5.1 Sender already given");
        } else if size > self.config.max_message_bytes {
            self.reply(
                552,
                &format!(
                    "5.3.4 Message too big: the limit is {} bytes",
                    self.config.max_message_bytes
                ),
            );
        } else {
            self.envelope.mail_from = Some(address.trim().to_lowercase());
            self.reply(250, "2.1.0 OK");
        }
    }

    pub(super) async fn rcpt_to(&mut self, address: String) {
        let Some(sender) = self.envelope.mail_from.clone() else {
            self.errors += 1;
            self.reply(503, "5.5.1 Give the sender (MAIL FROM) first");
            return;
        };
        // Every refused recipient counts as an error: a client guessing addresses is shown the
        // door after a few (see `MAX_ERRORS`).
        if self.envelope.recipients.len() >= self.config.max_recipients {
            self.errors += 1;
            self.reply(452, "4.5.3 Too many recipients");
            return;
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            self.errors += 1;
            self.reply(550, "5.1.1 No such address here");
            return;
        };
        if !domain.eq_ignore_ascii_case(&self.config.relay_domain) {
            self.errors += 1;
            // Not an open relay: only masked addresses are delivered.
            self.reply(
                550,
                "5.7.1 Relaying denied: this server only accepts conversation replies",
            );
            return;
        }
        // A bounce to the return path of a mail Parley sent: taken from anyone (bounces come
        // from the null sender), alone in its envelope.
        if let Some(mail_id) = parley_app::bounces::mail_id_of(local) {
            if self.envelope.recipients.is_empty() {
                self.envelope.bounces.push(mail_id);
                self.reply(250, "2.1.5 OK");
            } else {
                self.reply(452, "4.5.3 Send bounces in a message of their own");
            }
            return;
        }
        if !self.envelope.bounces.is_empty() {
            self.reply(452, "4.5.3 Send replies in a message of their own");
            return;
        }
        match self.app.relay_target(local).await {
            Ok(target) if target.accepts_sender(&sender) => {
                self.envelope.recipients.push(target);
                self.reply(250, "2.1.5 OK");
            }
            Ok(target) => {
                self.errors += 1;
                tracing::warn!(
                    peer = %self.peer,
                    sender = %sender,
                    thread = %target.address.thread_id,
                    "relay: refused a sender who does not hold the address"
                );
                self.reply(
                    550,
                    "5.7.1 This address only accepts replies from the participant it was sent \
                     to: write from that mailbox, or answer on the request page",
                );
            }
            Err(AppError::NotFound) => {
                self.errors += 1;
                self.reply(550, "5.1.1 No such address (unknown or revoked)");
            }
            Err(error) => {
                tracing::error!(peer = %self.peer, %error, "relay: looking up a masked address");
                self.reply(451, "4.3.0 Temporary failure, try again later");
            }
        }
    }
}
