//! The SQLite writer: one connection on a thread of its own, committing write units in
//! batches (group commit).
//!
//! SQLite has one writer at a time, so write throughput is the inverse of how long each write
//! holds it. Through a shared pool connection each write held the lock across several hops
//! between the async runtime (busy with every HTTP request) and sqlx's connection thread:
//! measured, about 1,700 writes/s whatever the concurrency. Here units queue in a channel; the
//! writer takes everything queued, runs it in one transaction and commits once, so BEGIN,
//! COMMIT and the wake-ups are shared by the batch.
//!
//! A unit may run twice: if one unit of a batch fails, the batch is rolled back and each of
//! its units runs again alone, in its own transaction, so one failure never undoes another's
//! work. Units therefore only touch the database (which the rollback undoes).
//!
//! The thread also holds a second, direct connection (rusqlite) to the same file, for the
//! hottest units (a new message: see `message_record`). Through sqlx every statement is a
//! round trip between this thread and sqlx's own worker thread; perf showed those hand-offs
//! as half of the relay's CPU. Direct units run on this thread, batched and retried alone on
//! failure like the others. The two connections take turns (a batch of each, never
//! overlapping), so they never wait for each other's lock.
//!
//! The direct connection also folds the relay's spooled messages (see `spool` and `fold`):
//! the spool hands over a batch every few milliseconds, folded in one transaction of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use sqlx::{AnyConnection, Connection as _};
use tokio::sync::{mpsc, oneshot};

use super::direct::{DirectJob, DirectOptions, DirectPending, open_direct, run_direct_batch};
use super::fold;
use super::spool::{Folder, SpoolPaths, Spooled};
use crate::{Connection, StoreError};

/// A boxed future, as write units return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The most units committed together.
const MAX_BATCH: usize = 256;

/// A queued unit, its input, and where its result goes.
trait Job: Send {
    /// Runs the unit, keeping its result; `true` when it succeeded.
    fn run<'c>(&'c mut self, conn: &'c mut Connection) -> BoxFuture<'c, bool>;
    /// Sends the kept result, or `failure` when the commit failed.
    fn deliver(self: Box<Self>, failure: Option<StoreError>);
}

struct Pending<D, T, E, F> {
    data: D,
    unit: F,
    result: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<D, T, E, F> Job for Pending<D, T, E, F>
where
    D: Send + Sync + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: for<'c> Fn(&'c mut Connection, &'c D) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
{
    fn run<'c>(&'c mut self, conn: &'c mut Connection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let result = (self.unit)(conn, &self.data).await;
            let ok = result.is_ok();
            self.result = Some(result);
            ok
        })
    }

    fn deliver(self: Box<Self>, failure: Option<StoreError>) {
        let result = match (failure, self.result) {
            (Some(error), _) => Err(E::from(error)),
            (None, Some(result)) => result,
            (None, None) => Err(E::from(StoreError::Closed)),
        };
        let _ = self.reply.send(result);
    }
}

enum Command {
    Run(Box<dyn Job>),
    Direct(Box<dyn DirectJob>),
    /// Spooled messages to fold (see `spool`), and who learns when they are.
    Fold(Vec<Spooled>, oneshot::Sender<()>),
    Close(oneshot::Sender<()>),
}

/// A handle on the writer thread. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    commands: mpsc::UnboundedSender<Command>,
    /// Whether the thread has its direct connection.
    direct: bool,
    /// The highest spooled sequence number folded and committed.
    folded_through: Arc<AtomicU64>,
}

impl Writer {
    /// Opens the connection with `connect` on a new thread (and the direct one, when
    /// `direct` says how) and starts serving units.
    pub(crate) async fn start<C>(
        connect: C,
        direct: Option<DirectOptions>,
    ) -> Result<Self, StoreError>
    where
        C: FnOnce() -> BoxFuture<'static, Result<AnyConnection, sqlx::Error>> + Send + 'static,
    {
        let (commands, queue) = mpsc::unbounded_channel::<Command>();
        let (ready, started) = oneshot::channel::<Result<(), StoreError>>();
        let has_direct = direct.is_some();
        let folded_through = Arc::new(AtomicU64::new(0));
        let folded = Arc::clone(&folded_through);
        std::thread::Builder::new()
            .name("parley-sqlite-writer".to_owned())
            .spawn(move || {
                // Before the connections open: sqlx's worker thread inherits the CPU.
                super::cpu::keep_to_one_cpu();
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(StoreError::Database(sqlx::Error::Io(error))));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let conn = match connect().await {
                        Ok(conn) => conn,
                        Err(error) => {
                            let _ = ready.send(Err(error.into()));
                            return;
                        }
                    };
                    let direct_options = direct.clone();
                    let direct = match direct.as_ref().map(open_direct).transpose() {
                        Ok(direct) => direct,
                        Err(error) => {
                            let _ = ready.send(Err(error));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    let spool = direct_options.map(|o| SpoolPaths::new(&o.path));
                    serve(conn, direct, queue, (spool, folded)).await;
                });
            })
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        started.await.map_err(|_| StoreError::Closed)??;
        Ok(Self {
            commands,
            direct: has_direct,
            folded_through,
        })
    }

    /// Whether [`Writer::run_direct`] may be used.
    pub(crate) fn has_direct(&self) -> bool {
        self.direct
    }

    /// Queues a unit for the direct connection and returns its result once committed.
    pub(crate) async fn run_direct<D, T, F>(&self, data: D, unit: F) -> Result<T, StoreError>
    where
        D: Send + 'static,
        T: Send + 'static,
        F: Fn(&rusqlite::Connection, &D) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job = DirectPending {
            data,
            unit,
            result: None,
            reply,
        };
        self.commands
            .send(Command::Direct(Box::new(job)))
            .map_err(|_| StoreError::Closed)?;
        result.await.map_err(|_| StoreError::Closed)?
    }

    /// Queues `unit` with its input and returns its result once committed.
    pub(crate) async fn run<D, T, E, F>(&self, data: D, unit: F) -> Result<T, E>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> Fn(&'c mut Connection, &'c D) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job = Pending {
            data,
            unit,
            result: None,
            reply,
        };
        self.commands
            .send(Command::Run(Box::new(job)))
            .map_err(|_| StoreError::Closed)?;
        result.await.map_err(|_| StoreError::Closed)?
    }

    /// Closes the connection (checkpointing the WAL); later writes fail with `Closed`.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.commands.send(Command::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }
}

async fn serve(
    mut conn: AnyConnection,
    mut direct: Option<rusqlite::Connection>,
    mut queue: mpsc::UnboundedReceiver<Command>,
    (spool, folded_through): (Option<SpoolPaths>, Arc<AtomicU64>),
) {
    let mut closing = None;
    // Spooled messages whose fold could not commit, retried with the next batch.
    let mut retry = Vec::new();
    while closing.is_none() {
        let Some(first) = queue.recv().await else {
            break;
        };
        let mut folds = Vec::new();
        let mut batch = Vec::new();
        let mut direct_batch = Vec::new();
        let mut take = |command| match command {
            Command::Run(job) => {
                batch.push(job);
                None
            }
            Command::Direct(job) => {
                direct_batch.push(job);
                None
            }
            Command::Fold(records, reply) => {
                folds.push((records, reply));
                None
            }
            Command::Close(done) => Some(done),
        };
        closing = take(first);
        let mut taken = 1;
        while closing.is_none() && taken < MAX_BATCH {
            match queue.try_recv() {
                Ok(command) => {
                    closing = take(command);
                    taken += 1;
                }
                Err(_) => break,
            }
        }
        if !direct_batch.is_empty() {
            match direct.as_mut() {
                Some(direct) => run_direct_batch(direct, direct_batch),
                None => {
                    for job in direct_batch {
                        job.deliver(Some(StoreError::Closed));
                    }
                }
            }
        }
        if !batch.is_empty() {
            run_batch(&mut conn, batch).await;
        }
        if !folds.is_empty() || !retry.is_empty() {
            let mut records = std::mem::take(&mut retry);
            let mut replies = Vec::with_capacity(folds.len());
            for (batch, reply) in folds {
                records.extend(batch);
                replies.push(reply);
            }
            retry = fold::fold(direct.as_mut(), spool.as_ref(), records, &folded_through);
            for reply in replies {
                let _ = reply.send(());
            }
        }
    }
    drop(direct);
    let _ = conn.close().await;
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

impl Folder for Writer {
    fn fold(&self, records: Vec<Spooled>) -> oneshot::Receiver<()> {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Fold(records, reply)).is_err() {
            // Closed: the records stay in their segment, folded at the next start.
            tracing::warn!("the writer is closed; spooled messages wait for the next start");
        }
        done
    }

    fn folded_through(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.folded_through)
    }
}

/// Runs a batch in one transaction; if any unit fails, runs each unit alone instead.
async fn run_batch(conn: &mut Connection, mut batch: Vec<Box<dyn Job>>) {
    let started = std::time::Instant::now();
    let units = batch.len();
    if batch.len() > 1 {
        match run_together(conn, &mut batch).await {
            Ok(()) => {
                crate::metrics::SQLX.batch(units, started, true);
                for job in batch {
                    job.deliver(None);
                }
                return;
            }
            Err(Some(error)) => {
                // The commit itself failed: nothing of the batch is stored.
                crate::metrics::SQLX.batch(units, started, false);
                tracing::error!(%error, "batch commit failed");
                for job in batch {
                    job.deliver(Some(StoreError::Closed));
                }
                return;
            }
            Err(None) => {}
        }
    }
    for mut job in batch {
        let failure = run_alone(conn, job.as_mut()).await.err();
        job.deliver(failure);
    }
    crate::metrics::SQLX.batch(units, started, true);
}

/// `Err(None)`: a unit failed and everything was rolled back. `Err(Some(_))`: the database
/// failed.
async fn run_together(
    conn: &mut Connection,
    batch: &mut [Box<dyn Job>],
) -> Result<(), Option<StoreError>> {
    let mut tx = conn.begin().await.map_err(|e| Some(e.into()))?;
    for job in batch.iter_mut() {
        if !job.run(&mut tx).await {
            tx.rollback().await.map_err(|e| Some(e.into()))?;
            return Err(None);
        }
    }
    tx.commit().await.map_err(|e| Some(e.into()))
}

/// Runs one unit in its own transaction: committed when it succeeded, rolled back otherwise.
async fn run_alone(conn: &mut Connection, job: &mut dyn Job) -> Result<(), StoreError> {
    let mut tx = conn.begin().await?;
    if job.run(&mut tx).await {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(())
}

/// Runs `unit` between BEGIN and COMMIT, rolling back on error (PostgreSQL's path, where
/// transactions run concurrently).
pub(crate) async fn in_transaction<D, T, E, F>(
    conn: &mut Connection,
    data: &D,
    unit: F,
) -> Result<T, E>
where
    E: From<StoreError>,
    F: for<'c> Fn(&'c mut Connection, &'c D) -> BoxFuture<'c, Result<T, E>>,
{
    let mut tx = conn.begin().await.map_err(StoreError::from)?;
    match unit(&mut tx, data).await {
        Ok(value) => {
            tx.commit().await.map_err(StoreError::from)?;
            Ok(value)
        }
        Err(error) => {
            tx.rollback().await.map_err(StoreError::from)?;
            Err(error)
        }
    }
}
