//! A short-lived cache of who each token speaks for, so an API call does not pay two database
//! reads before its real work. Entries live a few seconds: a token revoked in this process is
//! dropped at once; one revoked elsewhere (the `parley token revoke` command, another server
//! sharing PostgreSQL) stops working within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Caller;

/// How long a resolved token is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// Past this many entries the cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(crate) struct CallerCache {
    entries: Mutex<HashMap<String, (Caller, Instant)>>,
}

impl CallerCache {
    pub(crate) fn get(&self, token_hash: &str) -> Option<Caller> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(token_hash)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(caller, _)| caller.clone())
    }

    pub(crate) fn put(&self, token_hash: String, caller: Caller) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token_hash, (caller, Instant::now()));
    }

    pub(crate) fn forget(&self, token_hash: &str) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.remove(token_hash);
    }
}
