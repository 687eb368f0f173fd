//! Outbound mail: claims due mail from the outbox (a lease per row, so several workers
//! and processes never send one row at the same time), delivers it, records the outcome.
//!
//! Delivery is at least once: a crash between the smarthost's `250` and the database update
//! sends the row again, with the same Message-ID (derived from the row's id), so receiving
//! systems can tell the copy.

mod dkim;
mod message;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use parley_app::App;
use parley_app::mail::outbox::Claimed;
use parley_app::worker_health::FailureReason;

pub use dkim::Dkim;
pub use message::build_message;

/// Where and how mail leaves.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// A smarthost URL as lettre reads it: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://user:password@host:465` (TLS). `None`: the development mailbox
    /// (when enabled) is where mail ends.
    pub smarthost: Option<String>,
    /// The address of mail that is not part of a conversation (sign-in links).
    pub from_address: String,
    /// The domain of Message-IDs.
    pub message_id_domain: String,
    /// How often the worker looks for due mail.
    pub poll_interval: Duration,
    /// Mails claimed at a time.
    pub batch: u32,
    /// DKIM-signs every mail when set.
    pub dkim: Option<std::sync::Arc<Dkim>>,
}

/// Each SMTP command's limit (lettre's default is a minute): with the claim's lease
/// ([`parley_app::mail::outbox::LEASE_MS`]), it bounds how long a delivery holds a mail.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the worker hands mail.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No mail server: the mail is marked delivered and read at `/dev/mail`.
    DevMailbox,
}

impl Transport {
    /// The transport for `config`.
    pub fn new(config: &DeliveryConfig) -> Result<Self, lettre::transport::smtp::Error> {
        Ok(match &config.smarthost {
            Some(url) => Self::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                    .timeout(Some(COMMAND_TIMEOUT))
                    .build(),
            ),
            None => Self::DevMailbox,
        })
    }
}

/// The outbound mail transport the jobs runner hands due mail to (see
/// `parley_app::jobs::run`).
pub struct Mailer {
    config: DeliveryConfig,
    transport: Transport,
}

impl Mailer {
    #[must_use]
    pub fn new(config: DeliveryConfig, transport: Transport) -> Self {
        Self { config, transport }
    }
}

impl parley_app::jobs::MailDelivery for Mailer {
    fn deliver_due<'a>(
        &'a self,
        app: &'a App,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<usize, parley_app::AppError>> + Send + 'a>>
    {
        Box::pin(deliver_due(app, &self.config, &self.transport))
    }

    fn batch(&self) -> usize {
        self.config.batch as usize
    }
}

/// Delivers the mail due now; returns how many were claimed. Tests call it to run the queue
/// on demand. A mail that fails is recorded as failed with its reason (tried again later, or
/// given up) and the others go on.
pub async fn deliver_due(
    app: &App,
    config: &DeliveryConfig,
    transport: &Transport,
) -> Result<usize, parley_app::AppError> {
    if let Transport::DevMailbox = transport {
        // Nothing leaves: a mail is "delivered" once queued, and rendered when the mailbox
        // shows it.
        let delivered = app.outbox_to_dev_mailbox(config.batch).await?.len();
        app.worker_health().delivered(delivered);
        return Ok(delivered);
    }
    let claimed = app.claim_outbox(config.batch).await?;
    let claimed_at = std::time::Instant::now();
    let lease = Duration::from_millis(parley_app::mail::outbox::LEASE_MS.unsigned_abs());
    let mut delivered = Vec::with_capacity(claimed.len());
    for mail in &claimed {
        if claimed_at.elapsed() > lease / 2 {
            // A slow smarthost: the rest waits for its lease to end, rather than risk being
            // sent by this worker and another.
            break;
        }
        match deliver(config, transport, mail).await {
            Ok(()) => {
                tracing::info!(mail = %mail.mail.id, kind = %mail.mail.kind, "outbox: delivered");
                delivered.push(mail.mail.id.clone());
                if delivered.len() == RECORD_EVERY {
                    record_delivered(app, std::mem::take(&mut delivered)).await;
                }
            }
            Err(failure) => {
                let permanent = failure.reason != FailureReason::Transient;
                tracing::warn!(
                    mail = %mail.mail.id,
                    reason = failure.reason.as_str(),
                    error = %failure.error,
                    "outbox: delivery failed"
                );
                app.worker_health().failed(failure.reason);
                let error = format!("{}: {}", failure.reason.as_str(), failure.error);
                if let Err(error) = app.outbox_failed(mail, &error, permanent).await {
                    tracing::error!(mail = %mail.mail.id, error = %error.chain(), "outbox: recording a failure");
                }
            }
        }
    }
    record_delivered(app, delivered).await;
    Ok(claimed.len())
}

/// Deliveries are recorded a few at a time: a worker killed mid-batch sends again (at least
/// once) only the mails delivered since its last record, not its whole batch.
const RECORD_EVERY: usize = 10;

async fn record_delivered(app: &App, delivered: Vec<String>) {
    if delivered.is_empty() {
        return;
    }
    app.worker_health().delivered(delivered.len());
    if let Err(error) = app.outbox_delivered(delivered).await {
        tracing::error!(error = %error.chain(), "outbox: recording deliveries");
    }
}

/// Why one mail was not delivered.
#[derive(Debug)]
struct Failure {
    reason: FailureReason,
    error: String,
}

impl Failure {
    fn new(reason: FailureReason, error: impl Into<String>) -> Self {
        Self {
            reason,
            error: error.into(),
        }
    }
}

/// Delivers one mail. Building and signing run under `catch_unwind` and the SMTP exchange in a
/// task of its own, so a panic in a library (lettre's header encoding has one) fails this mail
/// and nothing else.
async fn deliver(
    config: &DeliveryConfig,
    transport: &Transport,
    claimed: &Claimed,
) -> Result<(), Failure> {
    let Transport::Smtp(smtp) = transport else {
        return Ok(());
    };
    let built = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let message = build_message(&claimed.mail, config)?;
        let signed = match &config.dkim {
            Some(dkim) => Some(dkim.sign(&message.formatted())?),
            None => None,
        };
        Ok::<_, String>((message, signed))
    }));
    let (message, signed) = match built {
        Ok(Ok(built)) => built,
        Ok(Err(error)) => return Err(Failure::new(FailureReason::Build, error)),
        Err(panic) => return Err(Failure::new(FailureReason::Panic, panic_text(&*panic))),
    };
    let smtp = smtp.clone();
    let sent = tokio::spawn(async move {
        match signed {
            Some(signed) => smtp.send_raw(message.envelope(), &signed).await,
            None => smtp.send(message).await,
        }
    })
    .await;
    match sent {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) if error.is_permanent() => {
            Err(Failure::new(FailureReason::Permanent, error.to_string()))
        }
        Ok(Err(error)) => Err(Failure::new(FailureReason::Transient, error.to_string())),
        Err(join) => Err(Failure::new(FailureReason::Panic, join.to_string())),
    }
}

/// What a panic said, when it said it with a string.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}
