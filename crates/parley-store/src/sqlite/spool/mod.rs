//! The relay's spool: an emailed reply is on disk before `250`, in its conversation a moment
//! later.
//!
//! Landing a message in SQLite touches a dozen B-trees (the message and its indexes, the
//! history, the notification queue), each costing its leaf, often its parent and sometimes a
//! rebalance, plus a sync, per commit. The relay's senders wait for `250`, so commits stayed
//! at under two messages each and that overhead was paid nearly per message (measured: the
//! SQLite writer ~150 µs of a ~370 µs message; see docs/PERFORMANCE.md and its history in git). Here an accepted
//! emailed message is appended to a log file and synced (one `fdatasync` for all the appends
//! queued together) before the caller gets its answer; the writer then folds spooled messages
//! into SQLite in large transactions (every [`FOLD_INTERVAL`] or [`FOLD_MAX`] messages), with
//! the very statements of the direct path, where a B-tree's pages are shared by the batch.
//!
//! Durability is unchanged: what was acknowledged is in the spool (synced) or in SQLite
//! (synced). A segment file is deleted (or kept as the spare, the next segment's file; see
//! `files`) only once every message in it was folded and that commit synced; at start the
//! spool's remains are folded again, and folding is idempotent (a message whose id is already
//! stored is skipped), so a crash anywhere in between neither loses nor doubles a message. A
//! torn append (power cut mid-write) was never acknowledged; replay stops at the first frame
//! whose checksum fails or whose number does not follow (see `frame`).
//!
//! One process spools per database (a lock file says which); others write directly.

use std::fs::{File, OpenOptions};
use std::io::Read as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::StoreError;
use crate::message_record::MessageRecord;
use crate::metrics::{self, IntakeLag};
use appender::Appender;
pub use company::Arrival;
use company::GROUP_WAIT;
use company::Receiving;
pub(crate) use company::take_ticket;
#[cfg(test)]
use company::while_receiving;
use files::{SEGMENT_BYTES, Segment};
pub(crate) use files::{SpoolPaths, keep_rejected};
use frame::decode_segment;
#[cfg(test)]
use frame::encode;
use lag::Lag;
use queue::Queue;

/// How long a spooled message may wait for company before it is folded into SQLite, unless
/// configured otherwise ([`crate::SqliteOptions::relay_fold`]): what the history lags behind
/// the relay at most.
pub(crate) const FOLD_INTERVAL: Duration = Duration::from_millis(20);

/// The most spooled messages folded in one transaction.
pub(crate) const FOLD_MAX: usize = 1024;

/// A message in the spool, numbered in append order.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub seq: u64,
    pub record: MessageRecord,
}

/// Where the spool sends what it accepted: the SQLite writer (see `writer`).
pub(crate) trait Folder: Send + 'static {
    /// Folds synced messages (and everything handed over before them); the receiver completes
    /// once that is done.
    fn fold(&self, records: Vec<Spooled>) -> oneshot::Receiver<()>;
    /// The highest sequence number folded and synced.
    fn folded_through(&self) -> Arc<AtomicU64>;
}

enum Command {
    /// A message, and who waits for its sync.
    Append(Box<MessageRecord>, oneshot::Sender<Result<(), StoreError>>),
    #[cfg_attr(not(test), allow(dead_code))]
    Settle(oneshot::Sender<()>),
    Close(oneshot::Sender<()>),
}

/// A handle on the spool's thread. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Spool {
    commands: queue::Sender,
    /// Syncs done so far (each for a group of appends).
    syncs: Arc<AtomicU64>,
    lag: Arc<Lag>,
}

impl Spool {
    /// Takes the database's spool (`None` when another process holds it), folds what an
    /// earlier run left in it, and starts accepting messages.
    pub(crate) async fn open(
        paths: SpoolPaths,
        folder: impl Folder,
        fold_interval: Duration,
    ) -> Result<Option<Self>, StoreError> {
        Self::open_waiting(paths, folder, fold_interval, GROUP_WAIT, SEGMENT_BYTES).await
    }

    /// [`Spool::open`], with appends waiting up to `group_wait` for company, and segments of
    /// `segment_bytes`.
    pub(crate) async fn open_waiting(
        paths: SpoolPaths,
        folder: impl Folder,
        fold_interval: Duration,
        group_wait: Duration,
        segment_bytes: u64,
    ) -> Result<Option<Self>, StoreError> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(paths.lock())
            .map_err(StoreError::Spool)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::info!("another process spools for this database; writing directly");
                return Ok(None);
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(StoreError::Spool(error)),
        }
        let left = paths.segments().map_err(StoreError::Spool)?;
        let mut replayed = Vec::new();
        for (_, path) in &left {
            let mut bytes = Vec::new();
            File::open(path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(StoreError::Spool)?;
            replayed.extend(decode_segment(&bytes));
        }
        let next_seq = replayed.iter().map(|s| s.seq + 1).max().unwrap_or(1);
        if !replayed.is_empty() {
            let count = replayed.len();
            folder
                .fold(replayed)
                .await
                .map_err(|_| StoreError::Closed)?;
            if folder.folded_through().load(Ordering::Acquire) < next_seq - 1 {
                // The fold did not commit: keep the segments for the next start.
                return Err(StoreError::Corrupt(
                    "the spool could not be folded".to_owned(),
                ));
            }
            tracing::info!(count, "folded the messages an earlier run had spooled");
        }
        for (_, path) in &left {
            std::fs::remove_file(path).map_err(StoreError::Spool)?;
        }
        // A spare from an earlier run holds frames numbered like this run's will be: the
        // numbering tells a recycled segment's new frames from its old ones within a run only.
        match std::fs::remove_file(paths.spare()) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::Spool(error));
            }
            _ => {}
        }
        let number = left.last().map_or(1, |(n, _)| n + 1);
        let segment = Segment::create(&paths, number, next_seq).map_err(StoreError::Spool)?;
        let (queue, commands) = Queue::new();
        let syncs = Arc::new(AtomicU64::new(0));
        let lag = Arc::new(Lag::new(folder.folded_through()));
        let state = Appender {
            syncs: syncs.clone(),
            lag: lag.clone(),
            group_wait,
            segment_bytes,
            paths,
            folder,
            segment,
            spare: false,
            closed: Vec::new(),
            next_seq,
            pending: Vec::new(),
            since: None,
            fold_interval,
            _lock: lock,
        };
        std::thread::Builder::new()
            .name("parley-spool".to_owned())
            .spawn(move || {
                let _stop = queue.stop_on_exit();
                state.serve(&queue);
            })
            .map_err(StoreError::Spool)?;
        Ok(Some(Self {
            commands,
            syncs,
            lag,
        }))
    }

    /// A ticket for a message about to be received (see `company`).
    pub(crate) fn receiving(&self) -> Receiving {
        self.commands.receiving()
    }

    /// What is synced and not folded yet.
    pub(crate) fn lag(&self) -> IntakeLag {
        self.lag.read()
    }

    /// The syncs done so far.
    pub(crate) fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Acquire)
    }

    /// Appends `record` (sent by the holder of `ticket`, if any) at once; the future completes
    /// once it is synced to disk.
    pub(crate) fn append(
        &self,
        record: MessageRecord,
        ticket: Option<Receiving>,
    ) -> impl Future<Output = Result<(), StoreError>> + use<> {
        let (reply, result) = oneshot::channel();
        let started = Instant::now();
        let sent = self
            .commands
            .send(Command::Append(Box::new(record), reply), ticket);
        async move {
            sent.map_err(|_| StoreError::Closed)?;
            let stored = result.await.map_err(|_| StoreError::Closed)?;
            metrics::INTAKE.waited(started.elapsed());
            stored
        }
    }

    /// Returns once every message spooled before the call is folded into SQLite.
    #[cfg(test)]
    pub(crate) async fn settle(&self) -> Result<(), StoreError> {
        let (reply, done) = oneshot::channel();
        self.commands
            .send(Command::Settle(reply), None)
            .map_err(|_| StoreError::Closed)?;
        done.await.map_err(|_| StoreError::Closed)
    }

    /// Folds what is spooled, deletes the segments and stops (at shutdown).
    pub(crate) async fn close(&self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Close(reply), None).is_ok() {
            let _ = done.await;
        }
        tracing::debug!(syncs = self.syncs(), "relay spool closed");
    }
}

mod appender;
mod company;
#[cfg(test)]
mod crash_tests;
mod files;
mod frame;
#[cfg(test)]
mod frame_tests;
mod lag;
mod queue;
#[cfg(test)]
mod tests;
