//! The jobs queue: what happens after the answer. A use case queues a job in its own
//! transaction (a webhook delivery is queued with the history event it reports); the runner,
//! started by `serve` in every process, claims due jobs with a lease, runs each kind's handler,
//! and records the outcome: done, tried again after a backoff, or dead (kept and visible) after
//! the kind's last attempt. One bad job never stops the others: each runs in a task of its own.
//!
//! Mail is the one kind with a table of its own (the outbox: bodies written once, gathered
//! notifications, the development mailbox); the same runner queues the notifications and hands
//! due mail to the transport the SMTP adapter provides ([`MailDelivery`]).

pub mod reminders;
pub mod webhooks;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parley_domain::Timestamp;
use parley_store::jobs::{self as store, Job, KindStats, Outcome};

use crate::worker_health::FailureReason;
use crate::{App, AppError, now};

/// How long a claimed job is held before another worker may take it (longer than any
/// handler's own timeout).
const LEASE_MS: i64 = 2 * 60 * 1000;

/// Jobs claimed at a time; they run side by side.
const BATCH: u32 = 16;

/// Finished jobs are kept this long (a webhook's deliveries are listed from them).
const KEEP_DONE_MS: i64 = 30 * 24 * 3600 * 1000;

/// What a handler says of one attempt.
#[derive(Debug)]
pub(crate) enum Attempt {
    Done {
        code: Option<i64>,
    },
    /// Worth trying again later (a timeout, a refused connection, a 5xx).
    Failed {
        error: String,
        code: Option<i64>,
    },
    /// Never worth trying again (the target is gone or forbidden).
    GiveUp {
        error: String,
        code: Option<i64>,
    },
}

/// A kind's retry policy.
struct Policy {
    max_attempts: i64,
    /// The wait after attempt `n` (1-based).
    backoff: fn(i64) -> i64,
}

fn policy(kind: &str) -> Policy {
    match kind {
        // About a day: 10 s, 20 s, 40 s … capped at 6 h; 15 attempts span ~29 h.
        webhooks::KIND => Policy {
            max_attempts: 15,
            backoff: |n| (10_000_i64 << (n - 1).clamp(0, 20)).min(6 * 3600 * 1000),
        },
        _ => Policy {
            max_attempts: 5,
            backoff: |n| (60_000_i64 << (n - 1).clamp(0, 20)).min(3600 * 1000),
        },
    }
}

/// Attempts and failures by kind, for `/metrics`.
#[derive(Debug, Default)]
pub struct JobsMetrics {
    counts: Mutex<BTreeMap<(String, &'static str), u64>>,
}

impl JobsMetrics {
    fn count(&self, kind: &str, outcome: &'static str) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry((kind.to_owned(), outcome)).or_default() += 1;
        }
    }

    /// `(kind, outcome, count)`; outcomes are `done`, `failed` (tried again) and `dead`.
    #[must_use]
    pub fn snapshot(&self) -> Vec<(String, &'static str, u64)> {
        self.counts
            .lock()
            .map(|counts| {
                counts
                    .iter()
                    .map(|((kind, outcome), n)| (kind.clone(), *outcome, *n))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl App {
    /// Runs the jobs due at `at` (now, in service; tests pass a later time to run retries
    /// without waiting); returns how many were claimed.
    pub async fn run_due_jobs(&self, at: Timestamp) -> Result<usize, AppError> {
        let lease_until = at.0 + LEASE_MS;
        let claimed = self
            .store
            .write((), move |tx, ()| {
                Box::pin(store::claim(tx, at.0, lease_until, BATCH))
            })
            .await?;
        let count = claimed.len();
        let mut running = tokio::task::JoinSet::new();
        let mut by_task = std::collections::HashMap::new();
        for job in claimed {
            let app = self.clone();
            let task = running.spawn({
                let job = job.clone();
                async move { app.attempt(&job).await }
            });
            by_task.insert(task.id(), job);
        }
        while let Some(finished) = running.join_next_with_id().await {
            let (task, attempt) = match finished {
                Ok((task, attempt)) => (task, attempt),
                // A handler that panics fails its job like any error, and nothing else.
                Err(error) => (
                    error.id(),
                    Attempt::Failed {
                        error: format!("the handler panicked: {error}"),
                        code: None,
                    },
                ),
            };
            if let Some(job) = by_task.remove(&task) {
                self.record_attempt(&job, attempt, at).await?;
            }
        }
        Ok(count)
    }

    async fn attempt(&self, job: &Job) -> Attempt {
        match job.kind.as_str() {
            webhooks::KIND => self.deliver_webhook(job).await,
            reminders::KIND => self.send_reminder(job).await,
            other => Attempt::GiveUp {
                error: format!("no handler for jobs of kind {other}"),
                code: None,
            },
        }
    }

    async fn record_attempt(
        &self,
        job: &Job,
        attempt: Attempt,
        at: Timestamp,
    ) -> Result<(), AppError> {
        let policy = policy(&job.kind);
        let outcome = match attempt {
            Attempt::Done { code } => Outcome::Done { code },
            Attempt::Failed { error, code } if job.attempts < policy.max_attempts => {
                Outcome::Retry {
                    run_at: at.0 + (policy.backoff)(job.attempts),
                    error,
                    code,
                }
            }
            Attempt::Failed { error, code } | Attempt::GiveUp { error, code } => {
                Outcome::Dead { error, code }
            }
        };
        let label = match &outcome {
            Outcome::Done { .. } => "done",
            Outcome::Retry { error, .. } => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, %error, "jobs: attempt failed");
                "failed"
            }
            Outcome::Dead { error, .. } => {
                tracing::error!(job = %job.id, kind = %job.kind, attempts = job.attempts, %error, "jobs: given up");
                "dead"
            }
        };
        self.jobs_metrics.count(&job.kind, label);
        let job = job.clone();
        let finished_at = now().0.max(at.0);
        self.store
            .write((job, outcome), move |tx, (job, outcome)| {
                Box::pin(store::finish(tx, job, outcome, finished_at))
            })
            .await?;
        Ok(())
    }

    /// The queue's depth and dead jobs per kind.
    pub async fn jobs_stats(&self) -> Result<Vec<KindStats>, AppError> {
        let mut conn = self.store.read().await?;
        Ok(store::stats(&mut conn).await?)
    }

    /// Attempts by kind and outcome since start.
    #[must_use]
    pub fn jobs_metrics(&self) -> &JobsMetrics {
        &self.jobs_metrics
    }

    /// Prunes the mail delivered more than `mail_retention_days` ago to what was sent to whom
    /// and when, a batch per transaction, from `mark` on (where the last call stopped: each
    /// mail is pruned once per process); returns the new mark and how many were pruned.
    pub async fn prune_delivered_mail(
        &self,
        mut mark: parley_store::outbox::PruneMark,
    ) -> Result<(parley_store::outbox::PruneMark, usize), AppError> {
        const BATCH: u32 = 500;
        let days = self.settings.mail_retention_days;
        if days == 0 {
            return Ok((mark, 0));
        }
        let before = now().0 - i64::from(days) * 24 * 3_600_000;
        let mut pruned = 0;
        loop {
            let batch = self
                .store
                .write(mark.clone(), move |tx, after| {
                    Box::pin(async move {
                        parley_store::outbox::prune_delivered(tx, after, before, BATCH).await
                    })
                })
                .await?;
            match batch {
                Some((next, count)) => {
                    mark = next;
                    pruned += count;
                }
                None => return Ok((mark, pruned)),
            }
        }
    }

    /// Forgets jobs finished long ago (retention).
    pub async fn forget_old_jobs(&self) -> Result<u64, AppError> {
        let before = now().0 - KEEP_DONE_MS;
        Ok(self
            .store
            .write((), move |tx, ()| Box::pin(store::forget_done(tx, before)))
            .await?)
    }
}

/// Hands due mail to its transport: the SMTP adapter's sender (or the development mailbox).
pub trait MailDelivery: Send + Sync + 'static {
    /// Delivers the mail due now; returns how many were claimed.
    fn deliver_due<'a>(
        &'a self,
        app: &'a App,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<usize, AppError>> + Send + 'a>>;

    /// Mails claimed at a time (a full batch means more may wait).
    fn batch(&self) -> usize;
}

/// Runs the background work until `shutdown`: every `poll`, a round (in a task of its own: a
/// panic is logged, counted, and the next round starts) queues the notifications of new
/// messages, hands due mail to `mail` (without one, mail stays queued), scans for reminders
/// (every minute, with retention), and runs the due jobs.
pub async fn run(
    app: App,
    poll: Duration,
    mail: Option<Arc<dyn MailDelivery>>,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    app.worker_health().started();
    let mut rounds: u64 = 0;
    let mut last_scan = 0_i64;
    let prune_mark = Arc::new(std::sync::Mutex::new((i64::MIN, String::new())));
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {}
        }
        rounds += 1;
        if rounds.is_multiple_of(120) {
            // About once a minute: the rate limiters forget callers back to a whole allowance.
            app.forget_idle_callers();
        }
        let at = now();
        let scan = at.0 - last_scan >= reminders::SCAN_EVERY_MS;
        if scan {
            last_scan = at.0;
        }
        let round = tokio::spawn(round(
            app.clone(),
            mail.clone(),
            scan.then(|| prune_mark.clone()),
        ));
        if let Err(error) = round.await {
            tracing::error!(%error, "jobs: a round panicked");
            app.worker_health().failed(FailureReason::Panic);
        }
        app.worker_health().round_done();
    }
}

/// `scan`: where pruning delivered mail stopped, on the rounds that also scan for reminders
/// and retention.
async fn round(
    app: App,
    mail: Option<Arc<dyn MailDelivery>>,
    scan: Option<Arc<std::sync::Mutex<parley_store::outbox::PruneMark>>>,
) {
    const NOTIFICATIONS: u32 = 256;
    loop {
        match app.queue_pending_notifications(NOTIFICATIONS).await {
            Ok(count) if count == NOTIFICATIONS as usize => {}
            Ok(_) => break,
            Err(error) => {
                tracing::error!(error = %error.chain(), "outbox: queuing notifications");
                app.worker_health().failed(FailureReason::Queue);
                break;
            }
        }
    }
    if let Some(mail) = &mail {
        loop {
            match mail.deliver_due(&app).await {
                // A full batch: more may be waiting.
                Ok(count) if count == mail.batch() => {}
                Ok(_) => break,
                Err(error) => {
                    tracing::error!(error = %error.chain(), "outbox: claiming mail");
                    app.worker_health().failed(FailureReason::Queue);
                    break;
                }
            }
        }
    }
    if let Some(prune_mark) = scan {
        if let Err(error) = app.forget_old_jobs().await {
            tracing::error!(error = %error.chain(), "jobs: retention");
        }
        let mark = prune_mark
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match app.prune_delivered_mail(mark).await {
            Ok((mark, _)) => {
                *prune_mark
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = mark;
            }
            Err(error) => tracing::error!(error = %error.chain(), "outbox: pruning delivered mail"),
        }
        if let Err(error) = app.queue_reminders(now()).await {
            tracing::error!(error = %error.chain(), "jobs: queuing reminders");
        }
    }
    loop {
        match app.run_due_jobs(now()).await {
            Ok(count) if count == BATCH as usize => {}
            Ok(_) => break,
            Err(error) => {
                tracing::error!(error = %error.chain(), "jobs: a round failed");
                break;
            }
        }
    }
}
