//! Parley's SMTP adapter.
//!
//! - The relay's listener: mail to masked addresses (`token@relay-domain`) is checked at
//!   RCPT (unknown or revoked address: `550 5.1.1`; a sender who is not the address's holder:
//!   `550 5.7.1`), parsed, trimmed and handed to the same use case as a web reply; `250` comes
//!   only once the message, its documents and its history event are committed.
//! - The outbound worker: delivers the outbox through a smarthost with `lettre`, with retries
//!   and backoff, or marks it delivered to the development mailbox.
//!
//! The session is generic over its stream, so tests can drive it with in-memory bytes and
//! STARTTLS can wrap it.

pub mod authentication;
pub mod gate;
mod listener;
pub mod sender;
mod session;
mod tls;

use std::time::Duration;

pub use listener::serve;
pub use sender::{DeliveryConfig, Mailer};
pub use session::Session;
pub use tls::{TlsError, load_acceptor};

/// How the listener behaves.
#[derive(Clone)]
pub struct SmtpConfig {
    /// The name in the greeting and EHLO answer.
    pub hostname: String,
    /// The domain of masked addresses; mail for any other domain is refused (no open relay).
    pub relay_domain: String,
    /// The largest message accepted, in bytes (announced with SIZE; larger gets `552`).
    pub max_message_bytes: usize,
    /// The largest PDF accepted as a document.
    pub max_document_bytes: usize,
    /// How long a client may stay silent between commands (and between chunks of data).
    pub command_timeout: Duration,
    /// The same when the listener is past 80 % of its sessions (see `gate`).
    pub stressed_command_timeout: Duration,
    /// How long a whole DATA phase may take, however the client paces it.
    pub data_deadline: Duration,
    /// Sessions at once, in total and per client address.
    pub limits: gate::ConnectionLimits,
    /// Recipients per message.
    pub max_recipients: usize,
    /// STARTTLS, when a certificate is configured.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// SPF, DKIM and DMARC checks of replies (none: not checked).
    pub sender_auth: Option<std::sync::Arc<authentication::SenderAuthenticator>>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("hostname", &self.hostname)
            .field("relay_domain", &self.relay_domain)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("starttls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Defaults for a relay domain: 25 MB messages, 10 MB documents, 60 seconds between
    /// commands (10 when stressed), 10 minutes for a whole DATA phase, 400 sessions at once
    /// and 20 per client address. RFC 5321 suggests longer idle timeouts; Postfix's 300 s
    /// kept a crowd of idle connections alive long enough to exhaust the process.
    #[must_use]
    pub fn new(relay_domain: &str) -> Self {
        Self {
            hostname: relay_domain.to_owned(),
            relay_domain: relay_domain.to_owned(),
            max_message_bytes: 25 * 1024 * 1024,
            max_document_bytes: 10 * 1024 * 1024,
            command_timeout: Duration::from_secs(60),
            stressed_command_timeout: Duration::from_secs(10),
            data_deadline: Duration::from_secs(600),
            limits: gate::ConnectionLimits::default(),
            max_recipients: 10,
            tls: None,
            sender_auth: None,
        }
    }
}
