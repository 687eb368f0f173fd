//! The spool's files: where they live, the segment appends go to, the rejected file.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Spooled;
use super::frame::encode;
use crate::StoreError;

/// A segment is closed for new appends past this size (then deleted once folded).
pub(super) const SEGMENT_BYTES: u64 = 32 << 20;

/// Segments grow by this much zeroed space at a time, ahead of the appends: an append that
/// changes the file's size makes its sync write the inode too (perf: ext4 writing the inode
/// block was a sixth of the spool's time), one into space already there does not. Replay
/// stops at the zeros.
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

    /// Where messages that could not be folded are kept (never dropped), in the spool's
    /// format, for an operator to look at.
    pub(crate) fn rejected(&self) -> PathBuf {
        self.with_suffix("-spool.rejected")
    }

    /// The existing segments, oldest first.
    pub(super) fn segments(&self) -> std::io::Result<Vec<(u64, PathBuf)>> {
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
    pub(super) fn create(paths: &SpoolPaths, number: u64) -> std::io::Result<Self> {
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
    pub(super) fn append(&mut self, frames: &[u8]) -> std::io::Result<()> {
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
