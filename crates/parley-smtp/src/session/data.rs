//! DATA: the message is read, checked (From header, attachments), then stored through the
//! same use case as a web reply; `250` once it is durable (see the README's *Durability*).

use parley_app::AppError;
use parley_app::relay::{Arrival, InboundEmail, Received};
use parley_domain::SendErrorCode;
use parley_mail::parse_email;
use smtp_proto::request::receiver::DataReceiver;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{Envelope, Phase, Session};

/// A refusal of the message, with its SMTP reply.
struct Refusal {
    code: u16,
    text: String,
}

impl Refusal {
    fn new(code: u16, text: impl Into<String>) -> Self {
        Self {
            code,
            text: text.into(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    pub(super) fn data(&mut self) {
        if self.envelope.mail_from.is_none() {
            self.errors += 1;
            self.reply(503, "5.5.1 Give the sender (MAIL FROM) first");
        } else if self.envelope.recipients.is_empty() && self.envelope.bounces.is_empty() {
            self.errors += 1;
            self.reply(554, "5.5.1 No valid recipients");
        } else {
            self.reply(354, "Start mail input; end with <CRLF>.<CRLF>");
            self.phase = Phase::Data {
                receiver: DataReceiver::new(),
                message: Vec::with_capacity(8 * 1024),
                too_big: false,
                arrival: self.app.email_arriving(),
                deadline: tokio::time::Instant::now() + self.config.data_deadline,
            };
        }
    }

    /// The data ended: store the message for every recipient, then answer once.
    pub(super) async fn message_received(&mut self, raw: Vec<u8>, too_big: bool, arrival: Arrival) {
        let helo = self.envelope.helo.take();
        let envelope = std::mem::replace(
            &mut self.envelope,
            Envelope {
                helo,
                ..Envelope::default()
            },
        );
        if !envelope.bounces.is_empty() {
            return self.bounce_received(&envelope.bounces, &raw, too_big).await;
        }
        if too_big {
            let limit = self.config.max_message_bytes;
            self.reply(
                552,
                &format!("5.3.4 Message too big: the limit is {limit} bytes"),
            );
            return;
        }
        match arrival.within(self.store(&envelope, raw)).await {
            Ok(held) => {
                self.app.relay_metrics().accepted();
                if held {
                    self.reply(250, "2.0.0 Message held until its sender is confirmed");
                } else {
                    self.reply(250, "2.0.0 Message stored in the conversation");
                }
            }
            Err(refusal) => self.reply(refusal.code, &refusal.text),
        }
    }

    /// Stores the message for every recipient; whether it was held (see `parley_app::held`).
    async fn store(&self, envelope: &Envelope, raw: Vec<u8>) -> Result<bool, Refusal> {
        let parsed = parse_email(&raw)
            .map_err(|_| Refusal::new(550, "5.6.0 The message could not be read as an email"))?;
        let sender = envelope.mail_from.clone().unwrap_or_default();
        if parsed.from.as_deref() != Some(sender.as_str()) {
            tracing::warn!(
                peer = %self.peer,
                envelope = %sender,
                from = parsed.from.as_deref().unwrap_or("(none)"),
                "relay: refused a message whose From is not its envelope sender"
            );
            return Err(Refusal::new(
                550,
                "5.7.1 The From address must be the participant's own address (the envelope \
                 sender)",
            ));
        }
        let authentication = match &self.config.sender_auth {
            Some(checker) => {
                let ip = self
                    .peer
                    .parse::<std::net::SocketAddr>()
                    .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |peer| peer.ip());
                let helo = envelope.helo.as_deref().unwrap_or_default();
                Some(checker.check(&raw, ip, helo, &sender).await)
            }
            None => None,
        };
        let raw = match &authentication {
            Some(check) => crate::authentication::with_results(check, raw),
            None => raw,
        };
        let limit = self.config.max_document_bytes;
        let mut email = InboundEmail::from_parsed(parsed, sender, raw, limit).map_err(|e| {
            Refusal::new(
                552,
                format!(
                    "5.3.4 Attachment \"{}\" refused: documents are limited to {} MB",
                    printable(&e.filename),
                    e.limit_mb
                ),
            )
        })?;
        email.authentication = authentication;
        // One email per recipient; the last takes the parsed parts instead of copies (most
        // mail has one recipient).
        let mut last = Some(email);
        let mut held = false;
        for (index, target) in envelope.recipients.iter().enumerate() {
            let email = if index + 1 == envelope.recipients.len() {
                last.take()
            } else {
                last.clone()
            };
            let Some(email) = email else { break };
            match self.app.receive_email(target, email).await {
                Ok(Received::Stored { message_id }) => {
                    tracing::info!(peer = %self.peer, message = %message_id, "relay: reply stored");
                }
                Ok(Received::Automatic) => {
                    tracing::info!(peer = %self.peer, "relay: automatic reply noted, not passed on");
                }
                Ok(Received::Held) => {
                    held = true;
                    tracing::info!(peer = %self.peer, "relay: reply held for its holder (sender not verified)");
                }
                Ok(Received::Duplicate) => {
                    tracing::info!(peer = %self.peer, "relay: message delivered twice, kept once");
                }
                Err(error) => return Err(refusal_of(&self.peer, error)),
            }
        }
        Ok(held)
    }
}

/// A filename fit for a one-line SMTP reply.
fn printable(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(80)
        .collect()
}

fn refusal_of(peer: &str, error: AppError) -> Refusal {
    match error {
        AppError::Invalid(errors) => {
            // The web form's words ("the message field") do not fit an email: say what the
            // trimmer found instead.
            let empty = SendErrorCode::MessageEmpty.as_str();
            let reasons: Vec<String> = errors
                .into_iter()
                .map(|e| {
                    if e.code == empty {
                        "It has no text of its own: only quoted earlier messages, or nothing. \
                         Write your reply above them."
                            .to_owned()
                    } else {
                        e.message
                    }
                })
                .collect();
            Refusal::new(550, format!("5.6.0 Message refused: {}", reasons.join(" ")))
        }
        AppError::Forbidden(_) | AppError::Unauthenticated => Refusal::new(
            550,
            "5.7.1 This address only accepts replies from the participant it was sent to",
        ),
        AppError::NotFound => Refusal::new(550, "5.1.1 No such address (unknown or revoked)"),
        AppError::RateLimited { retry_after } => Refusal::new(
            451,
            format!(
                "4.7.1 Too many messages to this conversation; try again in {} s",
                retry_after.as_secs().max(1)
            ),
        ),
        other => {
            tracing::error!(peer, error = %other, "relay: storing a reply");
            Refusal::new(451, "4.3.0 Temporary failure, try again later")
        }
    }
}
