//! How far the conversations lag behind the relay: the groups synced in the spool whose
//! messages are not all folded yet, with when each was synced.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::metrics::IntakeLag;

/// Shared by the spool's thread, which records each synced group, and whoever reads the lag.
#[derive(Debug)]
pub(crate) struct Lag {
    /// The last sequence number of each synced group not wholly folded, oldest first.
    groups: Mutex<VecDeque<(u64, Instant)>>,
    folded_through: Arc<AtomicU64>,
}

impl Lag {
    pub(crate) fn new(folded_through: Arc<AtomicU64>) -> Self {
        Self {
            groups: Mutex::new(VecDeque::new()),
            folded_through,
        }
    }

    /// A group ending at `last_seq` was synced just now.
    pub(crate) fn synced(&self, last_seq: u64) {
        let mut groups = self.lock();
        groups.push_back((last_seq, Instant::now()));
        self.forget_folded(&mut groups);
    }

    /// The messages synced and not folded, and the age of the oldest of them.
    pub(crate) fn read(&self) -> IntakeLag {
        let mut groups = self.lock();
        let folded = self.forget_folded(&mut groups);
        match (groups.front(), groups.back()) {
            (Some((_, oldest)), Some((last, _))) => IntakeLag {
                unfolded: last.saturating_sub(folded),
                oldest: oldest.elapsed(),
            },
            _ => IntakeLag::default(),
        }
    }

    fn forget_folded(&self, groups: &mut VecDeque<(u64, Instant)>) -> u64 {
        let folded = self.folded_through.load(Ordering::Acquire);
        while groups.front().is_some_and(|(last, _)| *last <= folded) {
            groups.pop_front();
        }
        folded
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, Instant)>> {
        // A panic while holding it leaves a deque that is still whole.
        self.groups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
