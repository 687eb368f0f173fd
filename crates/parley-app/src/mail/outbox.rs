//! Delivering queued mail: claiming due rows with a lease (safe with several workers and
//! processes), recording deliveries and failures with exponential backoff.

use parley_store::outbox;
pub use parley_store::outbox::Mail;
use parley_store::outbox::Queued;

use super::notice;
use crate::worker_health::FailureReason;
use crate::{App, AppError, now};

/// How long a worker holds a claimed mail before another may try it: a worker that died
/// mid-delivery (another process carries on) delays its mail this long. The delivering side
/// starts no delivery past half of it and gives each SMTP command a timeout well inside it, so
/// a live worker's mail is never taken from it.
pub const LEASE_MS: i64 = 60 * 1000;

/// Attempts before a mail is given up (the last waits about a day and a half).
pub const MAX_ATTEMPTS: i64 = 12;

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at 12 hours.
#[must_use]
pub fn backoff_ms(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    (30_000_i64 << exponent).min(12 * 3600 * 1000)
}

/// A mail claimed for delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub mail: Mail,
    /// Attempts made before this one.
    pub attempts: i64,
}

impl App {
    /// Claims up to `limit` due mails for delivery: one read for the candidates, one write
    /// that takes the lease on those still free, one read for their content.
    pub async fn claim_outbox(&self, limit: u32) -> Result<Vec<Claimed>, AppError> {
        let won = self.claim_outbox_ids(limit).await?;
        if won.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.store.read().await?;
        let queued = outbox::get_many(&mut conn, &won).await?;
        let recipients: Vec<String> = queued.iter().map(|q| q.mail.recipient.clone()).collect();
        let undeliverable = parley_store::bounces::undeliverable(&mut conn, &recipients).await?;
        drop(conn);
        let mut claimed = Vec::with_capacity(queued.len());
        for mut queued in queued {
            let claim = Claimed {
                attempts: queued.attempts,
                mail: queued.mail.clone(),
            };
            // An address that bounced for good gets no notification until its holder writes
            // from it again (see `bounces`); a sign-in link they asked for still goes.
            let bounced = undeliverable
                .iter()
                .find(|(email, _)| email.eq_ignore_ascii_case(&claim.mail.recipient));
            if let Some((_, last_error)) = bounced
                && claim.mail.kind != "sign_in_link"
            {
                self.outbox_failed(
                    &claim,
                    &format!("undeliverable address ({last_error})"),
                    true,
                )
                .await?;
                continue;
            }
            // One mail that cannot be rendered is given up alone; the others go out.
            match notice::render_stored(&mut queued.mail) {
                Ok(()) => claimed.push(Claimed {
                    mail: queued.mail,
                    attempts: queued.attempts,
                }),
                Err(error) => {
                    tracing::error!(mail = %claim.mail.id, %error, "outbox: a mail cannot be rendered");
                    self.worker_health.failed(FailureReason::Render);
                    self.outbox_failed(&claim, &format!("cannot be rendered: {error}"), true)
                        .await?;
                }
            }
        }
        claimed.sort_by(|a, b| a.mail.id.cmp(&b.mail.id));
        Ok(claimed)
    }

    /// Marks up to `limit` due mails delivered without reading them, in one statement: for
    /// the development mailbox, where nothing leaves and a mail is read when it is shown.
    pub async fn outbox_to_dev_mailbox(&self, limit: u32) -> Result<Vec<String>, AppError> {
        let at = now().0;
        Ok(self
            .store
            .write((), move |tx, ()| {
                Box::pin(outbox::mark_due_sent(tx, at, limit))
            })
            .await?)
    }

    /// Takes the lease on up to `limit` due mails, without reading them.
    async fn claim_outbox_ids(&self, limit: u32) -> Result<Vec<String>, AppError> {
        let at = now().0;
        let mut conn = self.store.read().await?;
        let due = outbox::due(&mut conn, at, limit).await?;
        drop(conn);
        if due.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .write(due, move |tx, due| {
                Box::pin(outbox::claim_many(tx, due, at, at + LEASE_MS))
            })
            .await?)
    }

    /// Records that these mails were delivered, in one statement.
    pub async fn outbox_delivered(&self, ids: Vec<String>) -> Result<(), AppError> {
        let at = now().0;
        Ok(self
            .store
            .write(ids, move |tx, ids| {
                Box::pin(outbox::mark_sent_many(tx, ids, at))
            })
            .await?)
    }

    /// Records a failed attempt: retried after a backoff, or given up after
    /// [`MAX_ATTEMPTS`] (or at once when `permanent`, e.g. a 5xx from the smarthost).
    pub async fn outbox_failed(
        &self,
        claimed: &Claimed,
        error: &str,
        permanent: bool,
    ) -> Result<(), AppError> {
        let attempts = claimed.attempts + 1;
        let give_up = permanent || attempts >= MAX_ATTEMPTS;
        let next = if give_up {
            i64::MAX
        } else {
            now().0 + backoff_ms(claimed.attempts)
        };
        let error = if give_up {
            format!("gave up: {error}")
        } else {
            error.to_owned()
        };
        let id = claimed.mail.id.clone();
        Ok(self
            .store
            .write((id, error), move |tx, (id, error)| {
                Box::pin(outbox::mark_failed(tx, id, error, next))
            })
            .await?)
    }
}

/// The mails with their bodies, for showing: those queued by reference to the message they
/// quote are rendered now (see `notice::render_stored`); one that cannot be says so in its body
/// rather than hiding the others.
pub(crate) fn rendered(mut queued: Vec<Queued>) -> Vec<Queued> {
    for mail in &mut queued {
        if let Err(error) = notice::render_stored(&mut mail.mail) {
            mail.mail.text_body = format!("(this mail cannot be rendered: {error})");
            mail.mail.html_body = None;
        }
    }
    queued
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff_ms(0), 30_000);
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(3), 240_000);
        assert_eq!(backoff_ms(40), 12 * 3600 * 1000);
    }
}
