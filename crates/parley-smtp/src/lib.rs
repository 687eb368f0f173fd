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

mod listener;
pub mod sender;
mod session;
mod tls;

use std::time::Duration;

pub use listener::serve;
pub use sender::{DeliveryConfig, run_worker};
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
    /// How long a client may stay silent between commands.
    pub command_timeout: Duration,
    /// How long a client may take to send the message data.
    pub data_timeout: Duration,
    /// Recipients per message.
    pub max_recipients: usize,
    /// STARTTLS, when a certificate is configured.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
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
    /// Defaults for a relay domain: 25 MB messages, 10 MB documents, 5 minutes between
    /// commands and 10 for the data (RFC 5321 section 4.5.3.2 suggests at least these).
    #[must_use]
    pub fn new(relay_domain: &str) -> Self {
        Self {
            hostname: relay_domain.to_owned(),
            relay_domain: relay_domain.to_owned(),
            max_message_bytes: 25 * 1024 * 1024,
            max_document_bytes: 10 * 1024 * 1024,
            command_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(600),
            max_recipients: 10,
            tls: None,
        }
    }
}
