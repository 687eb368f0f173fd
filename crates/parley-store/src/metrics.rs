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
