//! Each request's access (request, threads, parties, grants), kept in memory while nothing
//! that decides access has changed.
//!
//! Every write commits a new WAL frame and SQLite then drops a reader's whole page cache, so
//! the access check of every emailed reply read its pages again from the file (perf: a
//! seventh of the relay's worker CPU, ~9 `pread`s a message). Access itself changes rarely:
//! a forward, a decline, a grant. Triggers move a counter (`access_generation`, migration
//! 0012) in the very transaction of any such change, in whatever process makes it; a check
//! reads that one row and reuses the access read at the same count.
//!
//! Why a stale access can never be served: the count is read *before* the access. Any change
//! committed after the count was read moves the count past it, so an entry is used only while
//! the count it was read under is still the current one, and then it shows exactly the
//! current state.

use std::collections::HashMap;
use std::sync::Mutex;

use parley_domain::RequestId;

use crate::StoreError;
use crate::requests::{self, Access};

/// Entries kept at most; past this the cache starts again empty (the relay's traffic goes to
/// few requests at a time).
const MAX_ENTRIES: usize = 4096;

/// The accesses read at one count of the generation.
#[derive(Debug, Default)]
pub(crate) struct AccessCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    generation: i64,
    entries: HashMap<RequestId, Access>,
}

impl AccessCache {
    /// The access of request `id`, read on `conn` unless the one read at the current count is
    /// kept.
    pub(crate) fn access(
        &self,
        conn: &rusqlite::Connection,
        id: RequestId,
    ) -> Result<Access, StoreError> {
        let generation = generation(conn)?;
        if let Some(access) = self.kept(generation, id) {
            return Ok(access);
        }
        let access = requests::access_direct(conn, id)?;
        let mut state = self.lock();
        if generation >= state.generation {
            if generation > state.generation || state.entries.len() >= MAX_ENTRIES {
                state.entries.clear();
                state.generation = generation;
            }
            state.entries.insert(id, access.clone());
        }
        Ok(access)
    }

    fn kept(&self, generation: i64, id: RequestId) -> Option<Access> {
        let state = self.lock();
        (state.generation == generation)
            .then(|| state.entries.get(&id).cloned())
            .flatten()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The current count of access changes.
fn generation(conn: &rusqlite::Connection) -> Result<i64, StoreError> {
    let mut statement = conn.prepare_cached("SELECT value FROM access_generation WHERE id = 1")?;
    Ok(statement.query_row([], |row| row.get(0))?)
}
