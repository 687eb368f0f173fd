//! SQLite's write machinery, behind [`crate::Store`]'s narrow interface (`write`,
//! `record_message`, `access`, `email_arriving`, `intake_lag`): PostgreSQL needs none of it.
//!
//! - [`writer`]: the one writer thread (SQLite has one writer): sqlx units and, on its direct
//!   rusqlite connection, batches of new messages, each batch one commit; it keeps to one
//!   CPU with sqlx's worker for its connection ([`cpu`]).
//! - [`direct`]: the direct connections (the writer's, and readers for access checks, whose
//!   results [`access_cache`] keeps while no access changes).
//! - [`spool`]: emailed replies made durable in an append-only file before the relay's `250`,
//!   then [`fold`]ed into their conversations in batches (replayed after a crash).
//! - [`setup`]: how a database is opened: pragmas, options, the read pool, checkpoints.
//!
//! Each path is there for a measured reason: see docs/PERFORMANCE.md.

pub(crate) mod access_cache;
pub(crate) mod cpu;
pub(crate) mod direct;
pub(crate) mod fold;
pub(crate) mod setup;
pub(crate) mod spool;
pub(crate) mod writer;
