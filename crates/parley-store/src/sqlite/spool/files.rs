//! The spool's files: where they live, the segment appends go to, the rejected file.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Spooled;
use super::frame::{SEGMENT_HEADER_BYTES, encode, segment_header};
use crate::StoreError;

/// A segment is closed for new appends past this size (then, once folded, deleted or kept as
/// the spare).
pub(super) const SEGMENT_BYTES: u64 = 32 << 20;

/// Segments grow by this much zeroed space at a time, ahead of the appends: an append that
/// changes the file's size makes its sync write the inode too (perf: ext4 writing the inode
/// block was a sixth of the spool's time), one into space already there does not. Replay
/// stops at the zeros.
///
/// Those zeros are as many bytes again as the frames, and every one of them goes through the
/// disk's syncs; so a folded segment is kept as the spare and becomes the next segment, its
/// space written already (see [`Segment::recycle`]): 48 → 36.5 KB written to the disk per
/// 5 KB message, 4–10 % less CPU and 3.5–9 % more messages a second (docs/PERFORMANCE.md and its history in git).
const PREALLOCATE_BYTES: u64 = 2 << 20;

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

    pub(super) fn lock(&self) -> PathBuf {
        self.with_suffix("-spool.lock")
    }

    pub(super) fn segment(&self, number: u64) -> PathBuf {
        self.with_suffix(&format!("-spool.{number:08}"))
    }

    /// A folded segment kept for reuse (never replayed: its messages are all folded).
    pub(super) fn spare(&self) -> PathBuf {
        self.with_suffix("-spool.spare")
    }

    /// Where messages that could not be folded are kept (never dropped), in the spool's
    /// format, for an operator to look at.
    pub(crate) fn rejected(&self) -> PathBuf {
        self.with_suffix("-spool.rejected")
    }

    /// The existing segments, oldest first.
    pub(crate) fn segments(&self) -> std::io::Result<Vec<(u64, PathBuf)>> {
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

    pub(super) fn directory(&self) -> PathBuf {
        match self.database.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Syncs the directory, so that a new segment's name survives a power cut.
    pub(super) fn sync_directory(&self) -> std::io::Result<()> {
        File::open(self.directory())?.sync_all()
    }
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

/// The segment appends go to.
pub(super) struct Segment {
    pub(super) number: u64,
    file: File,
    pub(super) len: u64,
    /// The file's size: `len` plus zeroed space.
    allocated: u64,
    pub(super) last_seq: u64,
}

impl Segment {
    /// A new segment whose frames are numbered from `first_seq` on.
    pub(super) fn create(paths: &SpoolPaths, number: u64, first_seq: u64) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(paths.segment(number))?;
        std::os::unix::fs::FileExt::write_all_at(&file, &segment_header(first_seq), 0)?;
        paths.sync_directory()?;
        Ok(Self::at_start(number, file, SEGMENT_HEADER_BYTES as u64))
    }

    /// The spare (a folded segment) as segment `number`, numbered from `first_seq` on. Its new
    /// header is synced before the file takes a segment's name: a segment name never shows
    /// the earlier life's frames as its own, and the spare's name is never replayed.
    pub(super) fn recycle(
        paths: &SpoolPaths,
        number: u64,
        first_seq: u64,
    ) -> std::io::Result<Self> {
        let file = OpenOptions::new().write(true).open(paths.spare())?;
        std::os::unix::fs::FileExt::write_all_at(&file, &segment_header(first_seq), 0)?;
        file.sync_data()?;
        let allocated = file.metadata()?.len();
        std::fs::rename(paths.spare(), paths.segment(number))?;
        paths.sync_directory()?;
        Ok(Self::at_start(number, file, allocated))
    }

    fn at_start(number: u64, file: File, allocated: u64) -> Self {
        Self {
            number,
            file,
            len: SEGMENT_HEADER_BYTES as u64,
            allocated: allocated.max(SEGMENT_HEADER_BYTES as u64),
            last_seq: 0,
        }
    }

    /// Writes `frames` and syncs them (with the header, for a new segment).
    pub(super) fn append(&mut self, frames: &[u8]) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt as _;
        let end = self.len + frames.len() as u64;
        if end > self.allocated {
            let grown = end.next_multiple_of(PREALLOCATE_BYTES);
            let zeros = vec![0u8; usize::try_from(grown - self.allocated).unwrap_or(0)];
            self.file.write_all_at(&zeros, self.allocated)?;
            self.allocated = grown;
        }
        self.file.write_all_at(frames, self.len)?;
        self.file.sync_data()?;
        self.len = end;
        Ok(())
    }
}
