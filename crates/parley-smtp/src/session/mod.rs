//! One SMTP session, generic over its stream: commands are parsed by `smtp-proto`, answered
//! by one function per command (see the sibling files), and the answers to pipelined
//! commands are written together.

mod bounce;
mod command;
mod data;
mod envelope;
mod greeting;

use std::sync::Arc;

use parley_app::App;
use parley_app::relay::{Arrival, RelayTarget};
use smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::SmtpConfig;
use command::Command;

/// What the session's client has said so far in the current transaction.
#[derive(Default)]
struct Envelope {
    helo: Option<String>,
    /// The envelope sender, in lower case (empty for a bounce).
    mail_from: Option<String>,
    recipients: Vec<RelayTarget>,
    /// The outbound mails whose return path this message is sent to (bounces; see
    /// `parley_app::bounces`): never mixed with conversation recipients.
    bounces: Vec<String>,
}

enum Phase {
    Commands,
    Data {
        receiver: DataReceiver,
        message: Vec<u8>,
        /// The message passed the size cap: the rest is read and dropped, then `552`.
        too_big: bool,
        /// Held until the message is stored (see [`Arrival`]).
        arrival: Arrival,
        /// When the whole DATA phase must be over.
        deadline: tokio::time::Instant,
    },
}

/// How a session ended.
pub enum Outcome<S> {
    /// QUIT, the client hung up, or a timeout.
    Closed,
    /// The client asked for STARTTLS: the listener wraps the stream and starts again.
    StartTls(S),
}

/// An SMTP session on `stream`.
pub struct Session<S> {
    stream: S,
    app: App,
    config: Arc<SmtpConfig>,
    peer: String,
    tls: bool,
    envelope: Envelope,
    phase: Phase,
    requests: RequestReceiver,
    /// Replies not yet written.
    out: Vec<u8>,
    /// Bad commands so far: a client that only sends garbage is shown the door.
    errors: u32,
    /// The listener's gate, for its stress (shorter timeouts when crowded).
    gate: Option<Arc<crate::gate::Gate>>,
}

/// What handling a command asks of the loop.
enum Flow {
    Continue,
    Quit,
    StartTls,
}

const MAX_ERRORS: u32 = 10;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    #[must_use]
    pub fn new(stream: S, app: App, config: Arc<SmtpConfig>, peer: String, tls: bool) -> Self {
        Self {
            stream,
            app,
            config,
            peer,
            tls,
            envelope: Envelope::default(),
            phase: Phase::Commands,
            requests: RequestReceiver::default(),
            out: Vec::with_capacity(512),
            errors: 0,
            gate: None,
        }
    }

    /// The session counts as one of `gate`'s: its timeouts shorten when the gate is stressed.
    #[must_use]
    pub fn within(mut self, gate: Arc<crate::gate::Gate>) -> Self {
        self.gate = Some(gate);
        self
    }

    /// Reads what the client sends, or `None` when it stayed silent too long. The limit is
    /// looked at again every short timeout while waiting, so a session idle since before the
    /// listener got crowded is let go as soon as it is.
    async fn read_in_time(&mut self, buffer: &mut [u8]) -> Option<std::io::Result<usize>> {
        let waiting_since = tokio::time::Instant::now();
        loop {
            let limit = self.read_timeout();
            let waited = waiting_since.elapsed();
            if waited >= limit {
                return None;
            }
            let slice = (limit - waited).min(self.config.stressed_command_timeout);
            // Reading is cancel-safe: a slice that ends takes nothing from the stream.
            if let Ok(read) = tokio::time::timeout(slice, self.stream.read(buffer)).await {
                return Some(read);
            }
        }
    }

    /// How long the next read may wait: the command timeout (shorter when the listener is
    /// crowded), and in DATA no later than the phase's deadline.
    fn read_timeout(&self) -> std::time::Duration {
        let stressed = self.gate.as_ref().is_some_and(|g| g.stressed());
        let idle = if stressed {
            self.config.stressed_command_timeout
        } else {
            self.config.command_timeout
        };
        match &self.phase {
            Phase::Commands => idle,
            Phase::Data { deadline, .. } => {
                idle.min(deadline.saturating_duration_since(tokio::time::Instant::now()))
            }
        }
    }

    /// Runs the session to its end. After STARTTLS no greeting is sent again.
    pub async fn run(mut self) -> std::io::Result<Outcome<S>> {
        if !self.tls {
            self.reply(220, &format!("{} Parley ESMTP ready", self.config.hostname));
            self.flush().await?;
        }
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let Some(read) = self.read_in_time(&mut buffer).await else {
                tracing::info!(peer = %self.peer, "SMTP client timed out");
                self.reply(421, "4.4.2 Timeout, closing the connection");
                let _ = self.flush().await;
                return Ok(Outcome::Closed);
            };
            let read = read?;
            if read == 0 {
                return Ok(Outcome::Closed);
            }
            let mut bytes = buffer[..read].iter();
            match self.ingest(&mut bytes).await {
                Flow::Continue => self.flush().await?,
                Flow::Quit => {
                    self.flush().await?;
                    let _ = self.stream.shutdown().await;
                    return Ok(Outcome::Closed);
                }
                Flow::StartTls => {
                    self.flush().await?;
                    return Ok(Outcome::StartTls(self.stream));
                }
            }
        }
    }

    /// Handles every complete command (and message data) in `bytes`.
    async fn ingest(&mut self, bytes: &mut std::slice::Iter<'_, u8>) -> Flow {
        loop {
            if let Phase::Data {
                receiver,
                message,
                too_big,
                arrival,
                ..
            } = &mut self.phase
            {
                let done = receiver.ingest(bytes, message);
                if message.len() > self.config.max_message_bytes {
                    *too_big = true;
                    message.clear();
                }
                if !done {
                    return Flow::Continue;
                }
                let (message, too_big, arrival) =
                    (std::mem::take(message), *too_big, std::mem::take(arrival));
                self.phase = Phase::Commands;
                self.message_received(message, too_big, arrival).await;
                continue;
            }
            if bytes.len() == 0 {
                return Flow::Continue;
            }
            let command = match self.requests.ingest(bytes) {
                Ok(request) => Command::from(request),
                Err(smtp_proto::Error::NeedsMoreData { .. }) => return Flow::Continue,
                Err(error) => Command::Invalid(error),
            };
            let flow = self.handle(command).await;
            if self.errors >= MAX_ERRORS {
                self.reply(421, "4.7.0 Too many errors, closing the connection");
                return Flow::Quit;
            }
            if !matches!(flow, Flow::Continue) {
                return flow;
            }
        }
    }

    async fn handle(&mut self, command: Command) -> Flow {
        match command {
            Command::Ehlo(host) => self.ehlo(host),
            Command::Helo(host) => self.helo(host),
            Command::Mail { address, size } => self.mail_from(address, size),
            Command::Rcpt(address) => self.rcpt_to(address).await,
            Command::Data => self.data(),
            Command::Rset => {
                let helo = self.envelope.helo.take();
                self.envelope = Envelope {
                    helo,
                    ..Envelope::default()
                };
                self.reply(250, "2.0.0 OK");
            }
            Command::Noop => self.reply(250, "2.0.0 OK"),
            Command::Vrfy => self.reply(252, "2.5.0 Cannot verify, but will try delivery"),
            Command::StartTls => return self.starttls(),
            Command::Quit => {
                self.reply(221, "2.0.0 Bye");
                return Flow::Quit;
            }
            Command::Unsupported(name) => {
                self.errors += 1;
                self.reply(502, &format!("5.5.1 {name} is not implemented"));
            }
            Command::Invalid(error) => {
                self.errors += 1;
                let (code, text) = command::describe(&error);
                self.reply(code, text);
            }
        }
        Flow::Continue
    }

    fn starttls(&mut self) -> Flow {
        if self.tls || self.config.tls.is_none() {
            self.errors += 1;
            self.reply(502, "5.5.1 STARTTLS is not available");
            return Flow::Continue;
        }
        self.reply(220, "2.0.0 Ready to start TLS");
        Flow::StartTls
    }

    /// Queues a one-line reply.
    fn reply(&mut self, code: u16, text: &str) {
        self.app.relay_metrics().answered(code);
        self.out
            .extend_from_slice(format!("{code} {text}\r\n").as_bytes());
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if !self.out.is_empty() {
            self.stream.write_all(&self.out).await?;
            self.stream.flush().await?;
            self.out.clear();
        }
        Ok(())
    }
}
