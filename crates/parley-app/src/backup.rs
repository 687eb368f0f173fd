//! `parley backup` and `parley restore`: a consistent copy taken while serving (the database
//! with every reply it acknowledged, see `parley_store::backup`, then the documents), and putting it back
//! into a new data directory.

use std::path::Path;

use crate::{App, AppError};

/// What a backup holds.
#[derive(Debug, Clone, Copy)]
pub struct BackupSummary {
    /// Whether the database is in it (SQLite); on PostgreSQL, pg_dump takes it.
    pub database: bool,
    pub documents: u64,
}

impl App {
    /// Where documents are kept.
    #[must_use]
    pub fn documents(&self) -> &crate::DocumentStore {
        self.files.location()
    }

    /// Backs up into `dir`, which must be empty or absent: the database first (so every
    /// document it names was written before), then the documents.
    pub async fn backup(&self, dir: &Path) -> Result<BackupSummary, AppError> {
        let io = |e: std::io::Error| AppError::Internal(Box::new(e));
        std::fs::create_dir_all(dir).map_err(io)?;
        if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
            return Err(AppError::invalid(
                "dir",
                "not_empty",
                format!("{} is not empty: back up into a new folder", dir.display()),
            ));
        }
        let database = self.store.backup_into(dir).await?;
        let documents = match self.files.local_root() {
            Some(root) => copy_tree(root, &dir.join("files")).map_err(io)?,
            None => 0,
        };
        Ok(BackupSummary {
            database,
            documents,
        })
    }
}

/// Puts the backup in `dir` back: the SQLite database (when `database_url` names one, which
/// must not exist yet) with what the store keeps beside it, and the documents into `documents_dir`. Run before
/// Parley opens the database. Returns whether a database was restored.
pub fn restore(dir: &Path, database_url: &str, documents_dir: &Path) -> Result<bool, AppError> {
    let io = |e: std::io::Error| AppError::Internal(Box::new(e));
    let database = match parley_store::backup::sqlite_file(database_url) {
        Some(file) => {
            parley_store::backup::restore_sqlite(dir, &file)?;
            true
        }
        None => false,
    };
    let files = dir.join("files");
    if files.is_dir() {
        copy_tree(&files, documents_dir).map_err(io)?;
    }
    Ok(database)
}

/// Copies the files under `from` into `to` (synced), returning how many.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    std::fs::create_dir_all(to)?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copied += copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            std::fs::File::open(&target)?.sync_all()?;
            copied += 1;
        }
    }
    std::fs::File::open(to)?.sync_all()?;
    Ok(copied)
}
