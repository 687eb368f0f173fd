//! The relay's spool: an emailed reply is on disk before `250`, in its conversation a moment
//! later.
//!
//! Landing a message in SQLite touches a dozen B-trees (the message and its indexes, the
//! history, the notification queue), each costing its leaf, often its parent and sometimes a
//! rebalance, plus a sync, per commit. The relay's senders wait for `250`, so commits stayed
//! at under two messages each and that overhead was paid nearly per message (measured: the
//! SQLite writer ~150 µs of a ~370 µs message; see docs/PERFORMANCE.md). Here an accepted
//! emailed message is appended to a log file and synced (one `fdatasync` for all the appends
//! queued together) before the caller gets its answer; the writer then folds spooled messages
//! into SQLite in large transactions (every [`FOLD_INTERVAL`] or [`FOLD_MAX`] messages), with
//! the very statements of the direct path, where a B-tree's pages are shared by the batch.
//!
//! Durability is unchanged: what was acknowledged is in the spool (synced) or in SQLite
//! (synced). A segment file is deleted only once every message in it was folded and that
//! commit synced; at start the spool's remains are folded again, and folding is idempotent (a
//! message whose id is already stored is skipped), so a crash anywhere in between neither loses
//! nor doubles a message. A torn append (power cut mid-write) was never acknowledged; replay
//! stops at the first frame whose checksum fails.
//!
//! One process spools per database (a lock file says which); others write directly.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::StoreError;
use crate::message_record::MessageRecord;

/// How long a spooled message may wait for company before it is folded into SQLite, unless
/// configured otherwise ([`crate::SqliteOptions::relay_fold`]): what the history lags behind
/// the relay at most.
pub(crate) const FOLD_INTERVAL: Duration = Duration::from_millis(20);

/// The most spooled messages folded in one transaction.
pub(crate) const FOLD_MAX: usize = 1024;

/// An append waits up to this long for others to share its sync, until [`GROUP_MIN`] are
/// queued. Each sync is a flush through the virtual disk, about 100 µs of CPU here: with ten
/// senders a sync found under two appends waiting, and waiting for four saved more CPU than
/// it cost in latency (`bench/relay-cpu.sh`, `serve`: 2,770 → 2,960–3,150 msg/s).
const GROUP_WAIT: Duration = Duration::from_micros(1500);
const GROUP_MIN: usize = 4;

/// A segment is closed for new appends past this size (then deleted once folded).
const SEGMENT_BYTES: u64 = 32 << 20;

/// Segments grow by this much zeroed space at a time, ahead of the appends: an append that
/// changes the file's size makes its sync write the inode too (perf: ext4 writing the inode
/// block was a sixth of the spool's time), one into space already there does not. Replay
/// stops at the zeros.
const PREALLOCATE_BYTES: u64 = 2 << 20;

/// Marks the start of every frame.
const MAGIC: [u8; 4] = *b"PSP1";

/// What follows a frame's header: the record as JSON, its body, its whole email text (when it
/// differs from the body), the raw email.
const SECTIONS: usize = 4;

/// magic, sequence number, each section's length (`u32::MAX`: absent), CRC-32.
const HEADER_BYTES: usize = 4 + 8 + 4 * SECTIONS + 4;

/// A message in the spool, numbered in append order.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub seq: u64,
    pub record: MessageRecord,
}

/// Where a database's spool lives: files named after the database (like its `-wal`).
#[derive(Debug, Clone)]
pub(crate) struct SpoolPaths {
    database: PathBuf,
}

impl SpoolPaths {
    pub(crate) fn new(database: &Path) -> Self {
        Self {
            database: database.to_path_buf(),
        }
    }

    fn with_suffix(&self, suffix: &str) -> PathBuf {
        let mut name = self.database.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    }

    fn lock(&self) -> PathBuf {
        self.with_suffix("-spool.lock")
    }

    fn segment(&self, number: u64) -> PathBuf {
        self.with_suffix(&format!("-spool.{number:08}"))
    }

    /// Where messages that could not be folded are kept (never dropped), in the spool's
    /// format, for an operator to look at.
    pub(crate) fn rejected(&self) -> PathBuf {
        self.with_suffix("-spool.rejected")
    }

    /// The existing segments, oldest first.
    fn segments(&self) -> std::io::Result<Vec<(u64, PathBuf)>> {
        let dir = self.directory();
        let Some(name) = self.database.file_name().and_then(|n| n.to_str()) else {
            return Ok(Vec::new());
        };
        let prefix = format!("{name}-spool.");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let file = entry.file_name();
            let Some(number) = file
                .to_str()
                .and_then(|f| f.strip_prefix(&prefix))
                .filter(|n| n.len() == 8)
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            found.push((number, entry.path()));
        }
        found.sort();
        Ok(found)
    }

    fn directory(&self) -> PathBuf {
        match self.database.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Syncs the directory, so that a new segment's name survives a power cut.
    fn sync_directory(&self) -> std::io::Result<()> {
        File::open(self.directory())?.sync_all()
    }
}

/// Appends `spooled` as one frame to `out`: the record as JSON, except its texts, which follow
/// as they are (escaping 10 KB of text into JSON was a fifth of the spool's time in perf).
/// The texts are taken out for the JSON and put back.
pub(crate) fn encode(spooled: &mut Spooled, out: &mut Vec<u8>) -> Result<(), StoreError> {
    let message = &mut spooled.record.message;
    let body = std::mem::take(&mut message.body);
    let full = message
        .email
        .as_mut()
        .map(|e| std::mem::take(&mut e.full_body));
    let json = serde_json::to_vec(&spooled.record);
    let message = &mut spooled.record.message;
    message.body = body;
    if let (Some(email), Some(full)) = (message.email.as_mut(), full) {
        email.full_body = full;
    }
    let json = json.map_err(|e| StoreError::Corrupt(format!("spooling a message: {e}")))?;
    let message = &spooled.record.message;
    // `None` (u32::MAX): the whole text is the body (or there is no email), the raw email is
    // absent.
    let full = message
        .email
        .as_ref()
        .map(|e| e.full_body.as_bytes())
        .filter(|full| *full != message.body.as_bytes());
    let sections = [
        Some(json.as_slice()),
        Some(message.body.as_bytes()),
        full,
        spooled.record.original.as_deref(),
    ];
    let mut lens = [0u32; SECTIONS];
    for (len, section) in lens.iter_mut().zip(&sections) {
        *len = match section {
            Some(bytes) => u32::try_from(bytes.len())
                .ok()
                .filter(|len| *len != u32::MAX)
                .ok_or_else(|| StoreError::Corrupt("a message too large to spool".to_owned()))?,
            None => u32::MAX,
        };
    }
    let mut described = Vec::with_capacity(8 + 4 * SECTIONS);
    described.extend_from_slice(&spooled.seq.to_le_bytes());
    for len in lens {
        described.extend_from_slice(&len.to_le_bytes());
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&described);
    for section in sections.iter().flatten() {
        crc.update(section);
    }
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&described);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    for section in sections.iter().flatten() {
        out.extend_from_slice(section);
    }
    Ok(())
}

/// The frames of `bytes` up to the first that is incomplete or fails its checksum (a torn
/// append, never acknowledged).
pub(crate) fn decode(bytes: &[u8]) -> Vec<Spooled> {
    let mut found = Vec::new();
    let mut rest = bytes;
    while rest.len() >= HEADER_BYTES && rest[..4] == MAGIC {
        let Some((spooled, len)) = decode_one(rest) else {
            break;
        };
        found.push(spooled);
        rest = &rest[len..];
    }
    found
}

/// The frame at the start of `bytes` and its length.
fn decode_one(bytes: &[u8]) -> Option<(Spooled, usize)> {
    let described = &bytes[4..HEADER_BYTES - 4];
    let seq = u64::from_le_bytes(described[..8].try_into().ok()?);
    let mut lens = [None; SECTIONS];
    for (n, len) in lens.iter_mut().enumerate() {
        let at = 8 + 4 * n;
        let value = u32::from_le_bytes(described[at..at + 4].try_into().ok()?);
        *len = (value != u32::MAX).then_some(value as usize);
    }
    let crc = u32::from_le_bytes(bytes[HEADER_BYTES - 4..HEADER_BYTES].try_into().ok()?);
    let total: usize = lens.iter().flatten().sum();
    let payload = bytes.get(HEADER_BYTES..HEADER_BYTES + total)?;
    let mut check = crc32fast::Hasher::new();
    check.update(described);
    check.update(payload);
    if check.finalize() != crc {
        return None;
    }
    let mut sections = [None::<&[u8]>; SECTIONS];
    let mut at = 0;
    for (section, len) in sections.iter_mut().zip(lens) {
        if let Some(len) = len {
            *section = Some(&payload[at..at + len]);
            at += len;
        }
    }
    let [Some(json), Some(body), full, raw] = sections else {
        return None;
    };
    let mut record = serde_json::from_slice::<MessageRecord>(json).ok()?;
    let body = String::from_utf8(body.to_vec()).ok()?;
    if let Some(email) = record.message.email.as_mut() {
        email.full_body = match full {
            Some(full) => String::from_utf8(full.to_vec()).ok()?,
            None => body.clone(),
        };
    }
    record.message.body = body;
    record.original = raw.map(<[u8]>::to_vec);
    Some((Spooled { seq, record }, HEADER_BYTES + total))
}

/// Appends `spooled` to the rejected file (synced): a message the fold could not store.
pub(crate) fn keep_rejected(paths: &SpoolPaths, spooled: &Spooled) -> Result<(), StoreError> {
    let mut frame = Vec::new();
    encode(
        &mut Spooled {
            seq: spooled.seq,
            record: spooled.record.clone(),
        },
        &mut frame,
    )?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(paths.rejected())
        .map_err(StoreError::Spool)?;
    file.write_all(&frame).map_err(StoreError::Spool)?;
    file.sync_data().map_err(StoreError::Spool)
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
    Append(Box<MessageRecord>, oneshot::Sender<Result<(), StoreError>>),
    Settle(oneshot::Sender<()>),
    Close(oneshot::Sender<()>),
}

/// A handle on the spool's thread. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Spool {
    commands: std::sync::mpsc::Sender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Append(..) => "Append",
            Self::Settle(_) => "Settle",
            Self::Close(_) => "Close",
        })
    }
}

impl Spool {
    /// Takes the database's spool (`None` when another process holds it), folds what an
    /// earlier run left in it, and starts accepting messages.
    pub(crate) async fn open(
        paths: SpoolPaths,
        folder: impl Folder,
        fold_interval: Duration,
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
            replayed.extend(decode(&bytes));
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
        let number = left.last().map_or(1, |(n, _)| n + 1);
        let segment = Segment::create(&paths, number).map_err(StoreError::Spool)?;
        let (commands, queue) = std::sync::mpsc::channel();
        let state = Appender {
            paths,
            folder,
            segment,
            closed: Vec::new(),
            next_seq,
            pending: Vec::new(),
            since: None,
            fold_interval,
            _lock: lock,
        };
        std::thread::Builder::new()
            .name("parley-spool".to_owned())
            .spawn(move || state.serve(&queue))
            .map_err(StoreError::Spool)?;
        Ok(Some(Self { commands }))
    }

    /// Appends `record` and returns once it is synced to disk.
    pub(crate) async fn append(&self, record: MessageRecord) -> Result<(), StoreError> {
        let (reply, result) = oneshot::channel();
        self.commands
            .send(Command::Append(Box::new(record), reply))
            .map_err(|_| StoreError::Closed)?;
        result.await.map_err(|_| StoreError::Closed)?
    }

    /// Returns once every message spooled before the call is folded into SQLite.
    pub(crate) async fn settle(&self) -> Result<(), StoreError> {
        let (reply, done) = oneshot::channel();
        self.commands
            .send(Command::Settle(reply))
            .map_err(|_| StoreError::Closed)?;
        done.await.map_err(|_| StoreError::Closed)
    }

    /// Folds what is spooled, deletes the segments and stops (at shutdown).
    pub(crate) async fn close(&self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Close(reply)).is_ok() {
            let _ = done.await;
        }
    }
}

/// The segment appends go to.
struct Segment {
    number: u64,
    file: File,
    len: u64,
    /// The file's size: `len` plus zeroed space.
    allocated: u64,
    last_seq: u64,
}

impl Segment {
    fn create(paths: &SpoolPaths, number: u64) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(paths.segment(number))?;
        paths.sync_directory()?;
        Ok(Self {
            number,
            file,
            len: 0,
            allocated: 0,
            last_seq: 0,
        })
    }

    /// Writes `frames` and syncs them.
    fn append(&mut self, frames: &[u8]) -> std::io::Result<()> {
        let end = self.len + frames.len() as u64;
        if end > self.allocated {
            let grown = end.next_multiple_of(PREALLOCATE_BYTES);
            let zeros = vec![0u8; usize::try_from(grown - self.allocated).unwrap_or(0)];
            std::os::unix::fs::FileExt::write_all_at(&self.file, &zeros, self.allocated)?;
            self.allocated = grown;
        }
        self.file.write_all(frames)?;
        self.file.sync_data()?;
        self.len += frames.len() as u64;
        Ok(())
    }
}

/// Adds to `commands` what arrives within [`GROUP_WAIT`], until [`GROUP_MIN`] are there (a
/// settle or a close does not wait).
fn wait_for_company(queue: &std::sync::mpsc::Receiver<Command>, commands: &mut Vec<Command>) {
    let until = Instant::now() + GROUP_WAIT;
    while commands.len() < GROUP_MIN && commands.iter().all(|c| matches!(c, Command::Append(..))) {
        let left = until.saturating_duration_since(Instant::now());
        match queue.recv_timeout(left) {
            Ok(command) => commands.push(command),
            Err(_) => break,
        }
    }
}

/// The spool thread's state.
struct Appender<F> {
    paths: SpoolPaths,
    folder: F,
    segment: Segment,
    /// Segments full or abandoned, with the last sequence number each holds.
    closed: Vec<(u64, u64)>,
    next_seq: u64,
    /// Synced messages not yet handed to the folder, and since when the oldest waits.
    pending: Vec<Spooled>,
    since: Option<Instant>,
    fold_interval: Duration,
    _lock: File,
}

impl<F: Folder> Appender<F> {
    fn serve(mut self, queue: &std::sync::mpsc::Receiver<Command>) {
        let mut closing = None;
        while closing.is_none() {
            let next = match self.since {
                Some(since) => {
                    let left =
                        (since + self.fold_interval).saturating_duration_since(Instant::now());
                    match queue.recv_timeout(left) {
                        Ok(command) => Some(command),
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                            self.hand_over(false);
                            continue;
                        }
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
                    }
                }
                None => queue.recv().ok(),
            };
            let Some(first) = next else {
                // Every handle is gone: what is synced still goes to SQLite now.
                self.hand_over(true);
                break;
            };
            let mut commands = vec![first];
            commands.extend(queue.try_iter().take(FOLD_MAX));
            wait_for_company(queue, &mut commands);
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
            for reply in after {
                let _ = reply.send(());
            }
            self.delete_folded(closing.is_some());
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
        self.since.get_or_insert_with(Instant::now);
        for (spooled, reply) in accepted {
            self.segment.last_seq = spooled.seq;
            self.pending.push(spooled);
            let _ = reply.send(Ok(()));
        }
        if self.segment.len >= SEGMENT_BYTES {
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
        match Segment::create(&self.paths, self.segment.number + 1) {
            Ok(next) => {
                let full = std::mem::replace(&mut self.segment, next);
                self.closed.push((full.number, full.last_seq));
            }
            Err(error) => tracing::error!(%error, "could not start a new spool segment"),
        }
    }

    /// Deletes the closed segments whose messages are all folded (and the current one too at
    /// shutdown, once everything is).
    fn delete_folded(&mut self, closing: bool) {
        let folded = self.folder.folded_through().load(Ordering::Acquire);
        if closing && self.segment.last_seq <= folded {
            self.closed
                .push((self.segment.number, self.segment.last_seq));
        }
        self.closed.retain(|&(number, last_seq)| {
            if last_seq > folded {
                return true;
            }
            match std::fs::remove_file(self.paths.segment(number)) {
                Ok(()) => false,
                Err(error) => {
                    tracing::warn!(%error, number, "could not delete a folded spool segment");
                    true
                }
            }
        });
    }
}

#[cfg(test)]
#[path = "spool_tests.rs"]
mod tests;
