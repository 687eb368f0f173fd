//! The operator's maintenance commands: API tokens, backups and restores, and the mail tools.

use anyhow::Context;
use parley_app::{App, Caller};

use super::describe;
use crate::cli::{MailCommand, TokenCommand};
use crate::config::Config;

/// `parley token create|revoke`.
pub(super) async fn token(app: &App, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            email,
            marketplace,
            label,
        } => {
            if let Some(slug) = marketplace {
                let key = app
                    .create_marketplace_key(&slug, &label)
                    .await
                    .map_err(describe)?;
                println!("{key}");
                eprintln!(
                    "Integration key for marketplace {slug}: keep it secret, it is shown once."
                );
            } else if let Some(email) = email {
                let (token, caller) = app.create_token(&email, &label).await.map_err(describe)?;
                println!("{token}");
                let who = match caller {
                    Caller::Member(m) => format!("member {} <{}>", m.name, m.email),
                    Caller::Buyer(b) => format!("buyer {} <{}>", b.name, b.email),
                    Caller::Marketplace(m) => format!("marketplace {}", m.name),
                };
                eprintln!("Token for {who}: keep it secret, it is shown once.");
            }
            Ok(())
        }
        TokenCommand::Revoke { token } => {
            if app.revoke_token(&token).await.map_err(describe)? {
                println!("Revoked.");
                Ok(())
            } else {
                anyhow::bail!("no such token")
            }
        }
    }
}

/// Mail tools: no database needed.
pub(super) fn mail(command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Trim { file } => {
            let bytes = match &file {
                Some(path) => {
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
                }
                None => {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                        .context("reading standard input")?;
                    bytes
                }
            };
            // Bodies come in every charset; bytes that are not UTF-8 are shown replaced
            // rather than refused.
            let body = String::from_utf8_lossy(&bytes);
            println!("{}", parley_mail::trim_reply(&body));
            Ok(())
        }
    }
}

/// `parley backup DIR`: the database (SQLite) and the documents.
pub(super) async fn backup(app: &App, dir: &std::path::Path) -> anyhow::Result<()> {
    let summary = app.backup(dir).await.map_err(describe)?;
    if summary.database {
        println!(
            "Backed up the database and {} documents into {}.",
            summary.documents,
            dir.display()
        );
    } else {
        println!(
            "Backed up {} documents into {}. Back the PostgreSQL database up with pg_dump \
             (see the README).",
            summary.documents,
            dir.display()
        );
    }
    if let parley_app::DocumentStore::S3(s3) = app.documents() {
        println!(
            "Documents stay in {s3:?}: back the bucket up with the object store's own tools \
             (versioning or replication)."
        );
    }
    Ok(())
}

/// `parley restore DIR`: what `backup` wrote, put back before the database is opened.
pub(super) fn restore(dir: &std::path::Path, config: &Config) -> anyhow::Result<()> {
    let parley_app::DocumentStore::Local(files) = &config.documents else {
        anyhow::bail!(
            "documents are kept in an S3 bucket: restore the database with the tools of its \
             server and the bucket with the object store's (see the README)"
        );
    };
    let restored =
        parley_app::backup::restore(dir, &config.database_url, files).map_err(describe)?;
    if restored {
        println!(
            "Restored {} into {}.",
            dir.display(),
            config.data_dir.display()
        );
    } else {
        println!(
            "Restored the documents of {}. Restore the PostgreSQL database with pg_restore \
             (see the README).",
            dir.display()
        );
    }
    Ok(())
}
