//! Short-lived caches of lookups made on every call: who a token speaks for (every API call)
//! and which masked address a relay recipient is (every RCPT TO). Entries live a few seconds:
//! a token or address revoked in this process is dropped at once; one revoked elsewhere (the
//! `parley token revoke` command, another server sharing PostgreSQL) stops working within
//! [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a resolved entry is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// Past this many entries the cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 10_000;

pub(crate) struct TtlCache<V> {
    entries: Mutex<HashMap<String, (V, Instant)>>,
}

impl<V> Default for TtlCache<V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> TtlCache<V> {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (V, Instant)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn get(&self, key: &str) -> Option<V> {
        self.entries()
            .get(key)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(value, _)| value.clone())
    }

    pub(crate) fn put(&self, key: String, value: V) {
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    pub(crate) fn forget(&self, key: &str) {
        self.entries().remove(key);
    }
}
