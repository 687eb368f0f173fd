//! The accept loop: one task per connection, STARTTLS by wrapping the stream and starting a
//! new session on it, until the shutdown signal (sessions in flight finish on their own).
//!
//! Every connection passes the gate first (sessions in total and per client address): beyond
//! it the client hears `421 4.7.0` and is let go. An accept that fails (out of file
//! descriptors, typically) is retried after a growing pause and logged at most once a second,
//! so a full process neither spins nor floods its log.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use parley_app::App;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::SmtpConfig;
use crate::gate::{Gate, Refused};
use crate::session::{Outcome, Session};

/// Serves SMTP on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: App,
    config: SmtpConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let gate = Gate::new(config.limits);
    let config = Arc::new(config);
    let mut failures = AcceptFailures::default();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(accepted) => {
                    failures.reset();
                    accepted
                }
                Err(error) => {
                    let pause = failures.record(&error);
                    tokio::select! {
                        () = &mut shutdown => return Ok(()),
                        () = tokio::time::sleep(pause) => continue,
                    }
                }
            },
        };
        let pass = match gate.admit(peer.ip()) {
            Ok(pass) => pass,
            Err(why) => {
                tokio::spawn(turn_away(stream, why));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (app, config, gate) = (app.clone(), config.clone(), gate.clone());
        tokio::spawn(async move {
            if let Err(error) = connection(stream, app, config, gate, peer.to_string()).await {
                tracing::debug!(%peer, %error, "SMTP session ended with an error");
            }
            drop(pass);
        });
    }
}

/// Says why, briefly, and hangs up (a client that does not read is not waited for).
async fn turn_away(mut stream: TcpStream, why: Refused) {
    let reply: &[u8] = match why {
        Refused::Total => b"421 4.7.0 Too many connections, try again later\r\n",
        Refused::PerIp => b"421 4.7.0 Too many connections from your address, try again later\r\n",
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(reply)).await;
}

/// Failed accepts in a row: the pause before the next try, and when the log last said so.
#[derive(Default)]
struct AcceptFailures {
    in_a_row: u32,
    unlogged: u64,
    last_logged: Option<std::time::Instant>,
}

impl AcceptFailures {
    /// Counts a failure; returns how long to wait (1 ms, doubling, at most 1 s).
    fn record(&mut self, error: &std::io::Error) -> Duration {
        self.in_a_row = self.in_a_row.saturating_add(1);
        self.unlogged += 1;
        let due = self
            .last_logged
            .is_none_or(|at| at.elapsed() >= Duration::from_secs(1));
        if due {
            tracing::warn!(%error, failures = self.unlogged, "SMTP accept failed; pausing");
            self.unlogged = 0;
            self.last_logged = Some(std::time::Instant::now());
        }
        Duration::from_millis(1 << self.in_a_row.min(10)).min(Duration::from_secs(1))
    }

    fn reset(&mut self) {
        self.in_a_row = 0;
    }
}

async fn connection(
    stream: TcpStream,
    app: App,
    config: Arc<SmtpConfig>,
    gate: Arc<Gate>,
    peer: String,
) -> std::io::Result<()> {
    let session =
        Session::new(stream, app.clone(), config.clone(), peer.clone(), false).within(gate.clone());
    if let Outcome::StartTls(stream) = session.run().await? {
        let Some(acceptor) = config.tls.clone() else {
            return Ok(());
        };
        let stream =
            tokio::time::timeout(config.command_timeout, acceptor.accept(stream)).await??;
        Session::new(stream, app, config, peer, true)
            .within(gate)
            .run()
            .await?;
    }
    Ok(())
}
