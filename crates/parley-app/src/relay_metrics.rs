//! What the SMTP relay answered, counted for `/metrics`: messages accepted, and refusals by
//! reply code (4xx: try later, 5xx: refused for good).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct RelayMetrics {
    accepted: AtomicU64,
    refused: Mutex<BTreeMap<u16, u64>>,
}

impl RelayMetrics {
    /// A message was stored (its `250` is on its way).
    pub fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// The relay answered `code` (counted when it is a refusal, 400 and above).
    pub fn answered(&self, code: u16) {
        if code >= 400 {
            *self
                .refused
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(code)
                .or_default() += 1;
        }
    }

    pub fn accepted_total(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Refusals by code.
    pub fn refused(&self) -> Vec<(u16, u64)> {
        self.refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(code, count)| (*code, *count))
            .collect()
    }
}
