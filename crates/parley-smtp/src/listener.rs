//! The accept loop: one task per connection, STARTTLS by wrapping the stream and starting a
//! new session on it, until the shutdown signal (sessions in flight finish on their own).

use std::future::Future;
use std::sync::Arc;

use parley_app::App;
use tokio::net::{TcpListener, TcpStream};

use crate::SmtpConfig;
use crate::session::{Outcome, Session};

/// Serves SMTP on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: App,
    config: SmtpConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let config = Arc::new(config);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: log, and keep serving.
                    tracing::warn!(%error, "SMTP accept failed");
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let (app, config) = (app.clone(), config.clone());
        tokio::spawn(async move {
            if let Err(error) = connection(stream, app, config, peer.to_string()).await {
                tracing::debug!(%peer, %error, "SMTP session ended with an error");
            }
        });
    }
}

async fn connection(
    stream: TcpStream,
    app: App,
    config: Arc<SmtpConfig>,
    peer: String,
) -> std::io::Result<()> {
    let session = Session::new(stream, app.clone(), config.clone(), peer.clone(), false);
    if let Outcome::StartTls(stream) = session.run().await? {
        let Some(acceptor) = config.tls.clone() else {
            return Ok(());
        };
        let stream = acceptor.accept(stream).await?;
        Session::new(stream, app, config, peer, true).run().await?;
    }
    Ok(())
}
