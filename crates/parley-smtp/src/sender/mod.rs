//! The outbound worker: claims due mail from the outbox (a lease per row, so several workers
//! and processes never send one row at the same time), delivers it, records the outcome.
//!
//! Delivery is at least once: a crash between the smarthost's `250` and the database update
//! sends the row again, with the same Message-ID (derived from the row's id), so receiving
//! systems can tell the copy.

mod dkim;
mod message;

use std::future::Future;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use parley_app::App;
use parley_app::outbox::Claimed;

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
            Some(url) => Self::Smtp(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build()),
            None => Self::DevMailbox,
        })
    }
}

/// Runs the worker until `shutdown`: queues the notifications of new messages, then, when
/// there is a transport, delivers what is due. Without one, mail stays queued.
pub async fn run_worker(
    app: App,
    config: DeliveryConfig,
    transport: Option<Transport>,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(config.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {}
        }
        loop {
            match app.queue_pending_notifications(config.batch * 4).await {
                Ok(count) if count == (config.batch * 4) as usize => {}
                Ok(_) => break,
                Err(error) => {
                    tracing::error!(%error, "outbox: queuing notifications");
                    break;
                }
            }
        }
        let Some(transport) = &transport else {
            continue;
        };
        loop {
            match deliver_due(&app, &config, transport).await {
                // A full batch: more may be waiting.
                Ok(count) if count == config.batch as usize => {}
                Ok(_) => break,
                Err(error) => {
                    tracing::error!(%error, "outbox: claiming mail");
                    break;
                }
            }
        }
    }
}

/// Delivers the mail due now; returns how many were claimed. Tests call it to run the queue
/// on demand.
pub async fn deliver_due(
    app: &App,
    config: &DeliveryConfig,
    transport: &Transport,
) -> Result<usize, parley_app::AppError> {
    if let Transport::DevMailbox = transport {
        // Nothing leaves: a mail is "delivered" once queued, and rendered when the mailbox
        // shows it.
        return Ok(app.outbox_to_dev_mailbox(config.batch).await?.len());
    }
    let claimed = app.claim_outbox(config.batch).await?;
    let mut delivered = Vec::with_capacity(claimed.len());
    for mail in &claimed {
        match deliver(config, transport, mail).await {
            Ok(()) => {
                tracing::info!(mail = %mail.mail.id, kind = %mail.mail.kind, "outbox: delivered");
                delivered.push(mail.mail.id.clone());
            }
            Err((error, permanent)) => {
                tracing::warn!(mail = %mail.mail.id, %error, permanent, "outbox: delivery failed");
                if let Err(error) = app.outbox_failed(mail, &error, permanent).await {
                    tracing::error!(mail = %mail.mail.id, %error, "outbox: recording a failure");
                }
            }
        }
    }
    // Recorded together: a crash before this line sends these again (at least once).
    if let Err(error) = app.outbox_delivered(delivered).await {
        tracing::error!(%error, "outbox: recording deliveries");
    }
    Ok(claimed.len())
}

/// Delivers one mail; the error says whether retrying can help.
async fn deliver(
    config: &DeliveryConfig,
    transport: &Transport,
    claimed: &Claimed,
) -> Result<(), (String, bool)> {
    let Transport::Smtp(smtp) = transport else {
        return Ok(());
    };
    let message = build_message(&claimed.mail, config).map_err(|e| (e, true))?;
    let sent = match &config.dkim {
        Some(dkim) => {
            let signed = dkim.sign(&message.formatted()).map_err(|e| (e, false))?;
            smtp.send_raw(message.envelope(), &signed).await
        }
        None => smtp.send(message).await,
    };
    sent.map(|_| ())
        .map_err(|e| (e.to_string(), e.is_permanent()))
}
