//! The spool's thread: appends and syncs what arrives, answers each append once it is on
//! disk, hands what is synced to the folder, rotates and deletes segments.

use std::fs::File;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::files::{Segment, SpoolPaths};
use super::frame::encode;
use super::lag::Lag;
use super::queue::{Next, Queue};
use super::{Command, FOLD_MAX, Folder, Spooled};
use crate::{StoreError, metrics};

/// The spool thread's state.
pub(super) struct Appender<F> {
    pub(super) paths: SpoolPaths,
    pub(super) folder: F,
    pub(super) segment: Segment,
    /// Segments are closed for appends past this size.
    pub(super) segment_bytes: u64,
    /// Whether the spare (a folded segment kept for reuse, see `files`) is there.
    pub(super) spare: bool,
    /// Segments full or abandoned, with the last sequence number each holds.
    pub(super) closed: Vec<(u64, u64)>,
    pub(super) next_seq: u64,
    /// Synced messages not yet handed to the folder, and since when the oldest waits.
    pub(super) pending: Vec<Spooled>,
    pub(super) since: Option<Instant>,
    pub(super) fold_interval: Duration,
    pub(super) syncs: Arc<AtomicU64>,
    pub(super) lag: Arc<Lag>,
    pub(super) group_wait: Duration,
    pub(super) _lock: File,
}

impl<F: Folder> Appender<F> {
    pub(super) fn serve(mut self, queue: &Queue) {
        let mut closing = None;
        while closing.is_none() {
            let deadline = self.since.map(|since| since + self.fold_interval);
            let commands = match queue.take(deadline, self.group_wait) {
                Next::Commands(commands) => commands,
                Next::Timeout => {
                    self.hand_over(false);
                    continue;
                }
                Next::Disconnected => {
                    // Every handle is gone: what is synced still goes to SQLite now.
                    self.hand_over(true);
                    break;
                }
            };
            let mut frames = Vec::new();
            let mut accepted = Vec::new();
            let mut after = Vec::new();
            for command in commands {
                match command {
                    Command::Append(record, reply) => {
                        let mut spooled = Spooled {
                            seq: self.next_seq,
                            record: *record,
                        };
                        match encode(&mut spooled, &mut frames) {
                            Ok(()) => {
                                self.next_seq += 1;
                                accepted.push((spooled, reply));
                            }
                            Err(error) => {
                                let _ = reply.send(Err(error));
                            }
                        }
                    }
                    Command::Settle(reply) => after.push(reply),
                    Command::Close(reply) => closing = Some(reply),
                }
            }
            if !accepted.is_empty() {
                self.write(&frames, accepted);
            }
            let wait = !after.is_empty() || closing.is_some();
            let due = self
                .since
                .is_some_and(|since| since.elapsed() >= self.fold_interval);
            if wait || due || self.pending.len() >= FOLD_MAX {
                self.hand_over(wait);
            }
            // Folded segments are put away before a settle is answered: who settled sees the
            // spool's files as they are once nothing waits to be folded.
            self.delete_folded(closing.is_some());
            for reply in after {
                let _ = reply.send(());
            }
        }
        if let Some(done) = closing {
            let _ = done.send(());
        }
    }

    fn write(
        &mut self,
        frames: &[u8],
        accepted: Vec<(Spooled, oneshot::Sender<Result<(), StoreError>>)>,
    ) {
        let started = Instant::now();
        if let Err(error) = self.segment.append(frames) {
            // What reached the file may be torn (replay stops there) or, after a failed sync,
            // not on disk: nothing of it is acknowledged, and appends go on in a new segment.
            tracing::error!(%error, "spool append failed");
            self.rotate();
            let message = error.to_string();
            for (_, reply) in accepted {
                let _ = reply.send(Err(StoreError::Spool(std::io::Error::other(
                    message.clone(),
                ))));
            }
            return;
        }
        self.syncs.fetch_add(1, Ordering::AcqRel);
        metrics::INTAKE.synced(accepted.len(), started.elapsed());
        if let Some((last, _)) = accepted.last() {
            self.lag.synced(last.seq);
        }
        self.since.get_or_insert_with(Instant::now);
        for (spooled, reply) in accepted {
            self.segment.last_seq = spooled.seq;
            self.pending.push(spooled);
            let _ = reply.send(Ok(()));
        }
        if self.segment.len >= self.segment_bytes {
            self.rotate();
        }
    }

    /// Hands the pending messages to the folder (an empty batch still orders a fold of what
    /// came before); with `wait`, returns once they are folded.
    fn hand_over(&mut self, wait: bool) {
        self.since = None;
        let folded = self.folder.fold(std::mem::take(&mut self.pending));
        if wait {
            let _ = folded.blocking_recv();
        }
    }

    fn rotate(&mut self) {
        let (number, first_seq) = (self.segment.number + 1, self.next_seq);
        let next = if std::mem::take(&mut self.spare) {
            Segment::recycle(&self.paths, number, first_seq).or_else(|error| {
                tracing::warn!(%error, "could not reuse the spool's spare segment");
                let _ = std::fs::remove_file(self.paths.spare());
                Segment::create(&self.paths, number, first_seq)
            })
        } else {
            Segment::create(&self.paths, number, first_seq)
        };
        match next {
            Ok(next) => {
                let full = std::mem::replace(&mut self.segment, next);
                self.closed.push((full.number, full.last_seq));
            }
            Err(error) => tracing::error!(%error, "could not start a new spool segment"),
        }
    }

    /// Deletes the closed segments whose messages are all folded, but for one kept as the spare
    /// (and the current one too at shutdown, once everything is, and the spare).
    fn delete_folded(&mut self, closing: bool) {
        let folded = self.folder.folded_through().load(Ordering::Acquire);
        if closing && self.segment.last_seq <= folded {
            self.closed
                .push((self.segment.number, self.segment.last_seq));
        }
        if closing
            && std::mem::take(&mut self.spare)
            && let Err(error) = std::fs::remove_file(self.paths.spare())
        {
            tracing::warn!(%error, "could not delete the spool's spare segment");
        }
        let (paths, spare) = (&self.paths, &mut self.spare);
        self.closed.retain(|&(number, last_seq)| {
            if last_seq > folded {
                return true;
            }
            let path = paths.segment(number);
            if !closing && !*spare && std::fs::rename(&path, paths.spare()).is_ok() {
                *spare = true;
                return false;
            }
            match std::fs::remove_file(path) {
                Ok(()) => false,
                Err(error) => {
                    tracing::warn!(%error, number, "could not delete a folded spool segment");
                    true
                }
            }
        });
    }
}
