//! How the background worker is doing, for `/healthz` and `/metrics`: when it last finished a
//! round, how many mails it delivered, and its failures by reason. A worker that stopped (a
//! panic, a stuck smarthost) or whose every recent delivery fails is reported, not hidden behind
//! a database that answers.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use crate::now;

/// A round older than this means the worker is stalled (it polls every half second; a round
/// waits at most for the smarthost's own timeouts).
pub const STALL_AFTER_MS: i64 = 5 * 60 * 1000;

/// This many failed deliveries in a row, with none delivered between, mean the worker is
/// failing (a smarthost refusing everything, a broken configuration).
pub const FAILING_AFTER: u64 = 10;

/// Why a mail or a round failed, as counted in `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailureReason {
    /// The stored mail could not be rendered (a notice that no longer parses).
    Render,
    /// The MIME message could not be built (an address or header that does not encode).
    Build,
    /// The smarthost answered 4xx, or could not be reached: tried again later.
    Transient,
    /// The smarthost answered 5xx: given up.
    Permanent,
    /// Code panicked while handling the mail: given up, the worker goes on.
    Panic,
    /// A round could not read or write the queue (the database).
    Queue,
}

impl FailureReason {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Render => "render",
            Self::Build => "build",
            Self::Transient => "transient",
            Self::Permanent => "permanent",
            Self::Panic => "panic",
            Self::Queue => "queue",
        }
    }
}

/// The worker's vital signs. Cheap: atomics, and a lock only on failures.
#[derive(Debug, Default)]
pub struct WorkerHealth {
    started: AtomicBool,
    last_round_ms: AtomicI64,
    delivered: AtomicU64,
    failing_streak: AtomicU64,
    failures: Mutex<BTreeMap<FailureReason, u64>>,
}

/// What `/healthz` says of the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerState {
    /// This process runs no worker (`parley smtp`, tests of the web alone).
    NotRunning,
    Ok,
    /// No round finished for this long (milliseconds).
    Stalled(i64),
    /// This many deliveries failed in a row.
    Failing(u64),
}

impl WorkerHealth {
    /// The worker started its first round.
    pub fn started(&self) {
        self.started.store(true, Ordering::Relaxed);
        self.round_done();
    }

    /// A round finished (whatever its outcome): the worker is alive.
    pub fn round_done(&self) {
        self.last_round_ms.store(now().0, Ordering::Relaxed);
    }

    /// Mails delivered.
    pub fn delivered(&self, count: usize) {
        if count > 0 {
            self.delivered.fetch_add(count as u64, Ordering::Relaxed);
            self.failing_streak.store(0, Ordering::Relaxed);
        }
    }

    /// A mail (or a round, for [`FailureReason::Queue`]) failed.
    pub fn failed(&self, reason: FailureReason) {
        *self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(reason)
            .or_default() += 1;
        self.failing_streak.fetch_add(1, Ordering::Relaxed);
    }

    /// The state at `now_ms`.
    #[must_use]
    pub fn state(&self, now_ms: i64) -> WorkerState {
        if !self.started.load(Ordering::Relaxed) {
            return WorkerState::NotRunning;
        }
        let idle = now_ms - self.last_round_ms.load(Ordering::Relaxed);
        let streak = self.failing_streak.load(Ordering::Relaxed);
        if idle > STALL_AFTER_MS {
            WorkerState::Stalled(idle)
        } else if streak >= FAILING_AFTER {
            WorkerState::Failing(streak)
        } else {
            WorkerState::Ok
        }
    }

    /// Mails delivered since start.
    #[must_use]
    pub fn delivered_total(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Failures since start, by reason.
    #[must_use]
    pub fn failures(&self) -> Vec<(FailureReason, u64)> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(reason, count)| (*reason, *count))
            .collect()
    }

    /// When the last round finished (Unix milliseconds; 0 before the first).
    #[must_use]
    pub fn last_round_ms(&self) -> i64 {
        self.last_round_ms.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streak_of_failures_is_failing_until_a_delivery() {
        let health = WorkerHealth::default();
        assert_eq!(health.state(now().0), WorkerState::NotRunning);
        health.started();
        for _ in 0..FAILING_AFTER {
            health.failed(FailureReason::Transient);
        }
        assert_eq!(health.state(now().0), WorkerState::Failing(FAILING_AFTER));
        health.delivered(1);
        assert_eq!(health.state(now().0), WorkerState::Ok);
        assert_eq!(
            health.failures(),
            vec![(FailureReason::Transient, FAILING_AFTER)]
        );
    }

    #[test]
    fn no_round_for_minutes_is_stalled() {
        let health = WorkerHealth::default();
        health.started();
        let later = health.last_round_ms() + STALL_AFTER_MS + 1;
        assert!(matches!(health.state(later), WorkerState::Stalled(_)));
    }
}
