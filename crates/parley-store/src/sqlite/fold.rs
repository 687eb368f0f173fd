//! Folding spooled messages into SQLite (see `spool`), on the writer's thread and direct
//! connection: many messages per transaction, so that the B-tree pages they share are written
//! and synced once for all of them.

use std::sync::atomic::{AtomicU64, Ordering};

use super::spool::{SpoolPaths, Spooled, keep_rejected};
use crate::StoreError;
use crate::message_record::fold_direct;

/// Folds `records`, then counts them folded in `folded_through`. A message that cannot be
/// stored is kept in the rejected file. Returns the records when the transaction could not
/// commit at all (the database failing): the caller retries them with the next batch, and
/// their segments stay on disk meanwhile.
pub(crate) fn fold(
    conn: Option<&mut rusqlite::Connection>,
    paths: Option<&SpoolPaths>,
    records: Vec<Spooled>,
    folded_through: &AtomicU64,
) -> Vec<Spooled> {
    if records.is_empty() {
        return records;
    }
    let (Some(conn), Some(paths)) = (conn, paths) else {
        tracing::error!("spooled messages but no direct connection to fold them");
        return records;
    };
    let started = std::time::Instant::now();
    let folded = fold_all(conn, paths, &records);
    crate::metrics::FOLD.batch(records.len(), started, folded.is_ok());
    match folded {
        Ok(through) => {
            if let Some(through) = through {
                folded_through.fetch_max(through, Ordering::AcqRel);
            }
            Vec::new()
        }
        Err(error) => {
            tracing::error!(%error, "folding spooled messages failed; retrying with the next");
            records
        }
    }
}

/// Folds `records` in one transaction or, when one fails, each alone. Returns the highest
/// sequence number now safely stored (`None` when a rejected message could not be kept aside,
/// so that its segment stays for the next start to retry).
fn fold_all(
    conn: &mut rusqlite::Connection,
    paths: &SpoolPaths,
    records: &[Spooled],
) -> Result<Option<u64>, StoreError> {
    let through = records.iter().map(|s| s.seq).max();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if records.iter().all(|s| fold_direct(&tx, &s.record).is_ok()) {
        tx.commit()?;
        return Ok(through);
    }
    tx.rollback()?;
    let mut all_kept = true;
    for spooled in records {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        match fold_direct(&tx, &spooled.record) {
            Ok(_) => tx.commit()?,
            Err(error) => {
                tx.rollback()?;
                let message = spooled.record.message.id;
                tracing::error!(%error, %message, "a spooled message could not be stored; kept in the rejected file");
                if let Err(error) = keep_rejected(paths, spooled) {
                    tracing::error!(%error, %message, "could not keep a rejected message aside");
                    all_kept = false;
                }
            }
        }
    }
    Ok(through.filter(|_| all_kept))
}
