//! Direct SQLite connections (rusqlite), beside sqlx's, for the hottest paths.
//!
//! sqlx runs each SQLite connection on a thread of its own and every statement is a round
//! trip to it: two thread wake-ups per statement. On the relay's path (an emailed reply: the
//! access check's two reads, then the writes) perf showed those hand-offs as the largest cost
//! on this 2-core machine. Here the statement runs on the calling thread: the writer's own
//! thread for writes (see `writer`), and for the access check the async task's thread itself,
//! which a read of a few rows by primary key holds for some microseconds (less than the
//! wake-ups it saves). Everything else keeps using sqlx.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::OpenFlags;

use crate::StoreError;

/// How direct connections open the database: its file, and the statements run first.
#[derive(Debug, Clone)]
pub(crate) struct DirectOptions {
    pub path: PathBuf,
    pub pragmas: String,
}

/// Opens the writer's direct connection.
pub(crate) fn open_direct(options: &DirectOptions) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open_with_flags(
        &options.path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(&options.pragmas)?;
    Ok(conn)
}

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 8;

/// Read-only direct connections, taken by whichever thread needs one.
#[derive(Debug)]
pub(crate) struct DirectReaders {
    options: DirectOptions,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl DirectReaders {
    pub(crate) fn new(options: DirectOptions) -> Self {
        Self {
            options,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (opening one when none is idle).
    pub(crate) fn with<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = rusqlite::Connection::open_with_flags(
                    &self.options.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.execute_batch("PRAGMA busy_timeout = 5000;")?;
                conn
            }
        };
        let result = read(&conn);
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Closes the idle connections (at shutdown, so that the writer's close is the last one
    /// and SQLite checkpoints its WAL).
    pub(crate) fn close(&self) {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}
