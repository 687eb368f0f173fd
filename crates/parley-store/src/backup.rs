//! Backups taken while Parley serves, and their restore (SQLite; PostgreSQL has pg_dump).
//!
//! What was acknowledged lives in the database or, for an emailed reply not folded yet, in the
//! relay's spool (see `spool`). A backup copies the spool's segments first, then snapshots
//! the database (`VACUUM INTO`, a consistent copy while others write). A message acknowledged
//! before the backup began is in one or both: a segment is deleted only after its messages
//! are folded, and the database only grows. Restoring puts both back; the next start folds
//! the segments again, and folding skips a message already stored.

use std::path::{Path, PathBuf};

use crate::sqlite::spool::SpoolPaths;
use crate::{Store, StoreError};

/// The database file's name in a backup folder.
pub const BACKUP_DATABASE: &str = "parley.db";

/// The SQLite file a `sqlite:` URL names (`None` for PostgreSQL or an in-memory database).
#[must_use]
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let options: sqlx::sqlite::SqliteConnectOptions = database_url.parse().ok()?;
    let path = options.get_filename();
    let memory = path.as_os_str().is_empty() || path == Path::new(":memory:");
    (database_url.starts_with("sqlite:") && !memory && !database_url.contains("mode=memory"))
        .then(|| path.to_path_buf())
}

impl Store {
    /// Copies the database into the empty folder `dir` while it serves (see the module's
    /// note). `Ok(false)` on PostgreSQL, whose backups are pg_dump's.
    pub async fn backup_into(&self, dir: &Path) -> Result<bool, StoreError> {
        let Some(file) = self.sqlite_file.clone() else {
            return Ok(false);
        };
        let spool = SpoolPaths::new(&file);
        let database_name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(BACKUP_DATABASE)
            .to_owned();
        for (_, segment) in spool.segments().map_err(StoreError::Spool)? {
            let Some(name) = segment.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let renamed = name.replacen(&database_name, BACKUP_DATABASE, 1);
            match std::fs::copy(&segment, dir.join(renamed)) {
                Ok(_) => {}
                // Folded and deleted meanwhile: its messages are in the snapshot below.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(StoreError::Spool(error)),
            }
        }
        let target = dir.join(BACKUP_DATABASE);
        let quoted = target.display().to_string().replace('\'', "''");
        let mut conn = self.read().await?;
        crate::dynamic_query(format!("VACUUM INTO '{quoted}'"))
            .execute(&mut *conn)
            .await?;
        sync_folder(dir).map_err(StoreError::Spool)?;
        Ok(true)
    }
}

/// Puts the backup in `dir` back as the SQLite database `database` (which must not exist
/// yet), with its spool's segments beside it.
pub fn restore_sqlite(dir: &Path, database: &Path) -> Result<(), StoreError> {
    if database.exists() {
        return Err(StoreError::Spool(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!(
                "{} exists: restore into a new data directory",
                database.display()
            ),
        )));
    }
    let name = database
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(BACKUP_DATABASE)
        .to_owned();
    let target_dir = database
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&target_dir).map_err(StoreError::Spool)?;
    let backup = SpoolPaths::new(&dir.join(BACKUP_DATABASE));
    for (_, segment) in backup.segments().map_err(StoreError::Spool)? {
        let Some(file) = segment.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let renamed = file.replacen(BACKUP_DATABASE, &name, 1);
        copy_synced(&segment, &target_dir.join(renamed))?;
    }
    copy_synced(&dir.join(BACKUP_DATABASE), database)?;
    sync_folder(&target_dir).map_err(StoreError::Spool)
}

fn copy_synced(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::copy(from, to).map_err(StoreError::Spool)?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(StoreError::Spool)
}

fn sync_folder(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::File::open(&path)?.sync_all()?;
        }
    }
    std::fs::File::open(dir)?.sync_all()
}
