//! The SQLite writer: one connection on a thread of its own, running write units one after
//! another, each in its own transaction.
//!
//! SQLite has one writer at a time. Sharing its connection through a pool made each write hold
//! the lock across several hops between the async runtime (busy with every HTTP request) and
//! sqlx's connection thread; measured, that capped writes near 1,700/s with the CPU half idle.
//! Here the units queue in a channel and run on a dedicated single-threaded runtime, so the
//! lock is held only for the statements themselves.

use std::future::Future;
use std::pin::Pin;

use sqlx::{AnyConnection, Connection as _};
use tokio::sync::{mpsc, oneshot};

use crate::{Connection, StoreError};

/// A boxed future, as write units return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

type Job = Box<dyn for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, ()> + Send>;

enum Command {
    Run(Job),
    Close(oneshot::Sender<()>),
}

/// A handle on the writer thread. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    commands: mpsc::UnboundedSender<Command>,
}

impl Writer {
    /// Opens the connection with `connect` on a new thread and starts serving units.
    pub(crate) async fn start<C>(connect: C) -> Result<Self, StoreError>
    where
        C: FnOnce() -> BoxFuture<'static, Result<AnyConnection, sqlx::Error>> + Send + 'static,
    {
        let (commands, mut queue) = mpsc::unbounded_channel::<Command>();
        let (ready, started) = oneshot::channel::<Result<(), sqlx::Error>>();
        std::thread::Builder::new()
            .name("parley-sqlite-writer".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(sqlx::Error::Io(error)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let mut conn = match connect().await {
                        Ok(conn) => {
                            let _ = ready.send(Ok(()));
                            conn
                        }
                        Err(error) => {
                            let _ = ready.send(Err(error));
                            return;
                        }
                    };
                    while let Some(command) = queue.recv().await {
                        match command {
                            Command::Run(job) => job(&mut conn).await,
                            Command::Close(done) => {
                                let _ = conn.close().await;
                                let _ = done.send(());
                                return;
                            }
                        }
                    }
                });
            })
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        started
            .await
            .map_err(|_| StoreError::Closed)?
            .map_err(StoreError::Database)?;
        Ok(Self { commands })
    }

    /// Runs `unit` in a transaction on the writer and returns its result once committed.
    pub(crate) async fn run<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let _ = reply.send(in_transaction(conn, unit).await);
            })
        });
        self.commands
            .send(Command::Run(job))
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

/// Runs `unit` between BEGIN and COMMIT, rolling back on error.
pub(crate) async fn in_transaction<T, E, F>(conn: &mut Connection, unit: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T, E>>,
{
    let mut tx = conn.begin().await.map_err(StoreError::from)?;
    match unit(&mut tx).await {
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
