//! What the store's write paths did, for `/metrics`: batches, units per batch, time spent
//! running and committing them, and failed commits, per path (`sqlx`: units of the writer's
//! sqlx connection; `direct`: the writer's rusqlite batches; `fold`: the relay's spooled
//! replies folded into their conversations). Counters are per process.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// The counters of one write path.
#[derive(Debug)]
pub struct PathStats {
    pub name: &'static str,
    batches: AtomicU64,
    units: AtomicU64,
    micros: AtomicU64,
    failures: AtomicU64,
}

impl PathStats {
    const fn new(name: &'static str) -> Self {
        Self {
            name,
            batches: AtomicU64::new(0),
            units: AtomicU64::new(0),
            micros: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    /// A batch of `units` that ran from `started`, committed or not.
    pub(crate) fn batch(&self, units: usize, started: Instant, committed: bool) {
        self.batches.fetch_add(1, Relaxed);
        self.units.fetch_add(units as u64, Relaxed);
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Relaxed);
        if !committed {
            self.failures.fetch_add(1, Relaxed);
        }
    }

    /// (batches, units, seconds, failed commits)
    #[must_use]
    pub fn read(&self) -> (u64, u64, f64, u64) {
        (
            self.batches.load(Relaxed),
            self.units.load(Relaxed),
            self.micros.load(Relaxed) as f64 / 1e6,
            self.failures.load(Relaxed),
        )
    }
}

pub(crate) static SQLX: PathStats = PathStats::new("sqlx");
pub(crate) static DIRECT: PathStats = PathStats::new("direct");
pub(crate) static FOLD: PathStats = PathStats::new("fold");

/// Every path's counters.
#[must_use]
pub fn write_paths() -> [&'static PathStats; 3] {
    [&SQLX, &DIRECT, &FOLD]
}

/// What emailed replies wait for on SQLite, where the relay makes them durable in a log of
/// its own before `250` and folds them into their conversations a moment later (see
/// `spool`): counters per process.
#[derive(Debug)]
pub struct Intake {
    messages: AtomicU64,
    syncs: AtomicU64,
    sync_micros: AtomicU64,
    wait_micros: AtomicU64,
}

impl Intake {
    /// A group of `messages` written and synced in `took`.
    pub(crate) fn synced(&self, messages: usize, took: std::time::Duration) {
        self.messages.fetch_add(messages as u64, Relaxed);
        self.syncs.fetch_add(1, Relaxed);
        self.sync_micros.fetch_add(micros(took), Relaxed);
    }

    /// A message's wait from its append to its answer (durable).
    pub(crate) fn waited(&self, took: std::time::Duration) {
        self.wait_micros.fetch_add(micros(took), Relaxed);
    }

    /// (messages made durable, syncs, seconds writing and syncing, seconds messages waited
    /// from their append to their answer)
    #[must_use]
    pub fn read(&self) -> (u64, u64, f64, f64) {
        (
            self.messages.load(Relaxed),
            self.syncs.load(Relaxed),
            self.sync_micros.load(Relaxed) as f64 / 1e6,
            self.wait_micros.load(Relaxed) as f64 / 1e6,
        )
    }
}

fn micros(took: std::time::Duration) -> u64 {
    u64::try_from(took.as_micros()).unwrap_or(u64::MAX)
}

/// The relay's intake counters.
pub static INTAKE: Intake = Intake {
    messages: AtomicU64::new(0),
    syncs: AtomicU64::new(0),
    sync_micros: AtomicU64::new(0),
    wait_micros: AtomicU64::new(0),
};

/// How far a database's conversations lag behind the relay's answers: emailed replies
/// acknowledged but not in their conversation yet, and how long the oldest of them waits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntakeLag {
    pub unfolded: u64,
    pub oldest: std::time::Duration,
}
