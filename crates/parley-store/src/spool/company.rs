//! How long an append waits for others to share its sync.
//!
//! A sync is a flush through the virtual disk, about 100 µs of CPU here whatever it carries,
//! so an append waits a little for others to come and share it: with ten senders, waiting
//! until four are queued saved more CPU than it cost in latency (`bench/relay-cpu.sh`,
//! `serve`: 2,770 → 2,960–3,150 msg/s). But company can only come from a message someone is
//! sending: a sender alone, or two, waited the whole [`GROUP_WAIT`] for appends that could not
//! come (`smtp-source -s 1`: 406 msg/s; 1,373 without the wait).
//!
//! So the SMTP session holds a [`Receiving`] ticket from `DATA` until its message reaches the
//! spool (the spool drops it when it takes the append), and an append waits only while a
//! ticket is out: someone else is sending a message that will be here in a moment.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use super::Command;

/// The longest an append waits for company.
pub(super) const GROUP_WAIT: Duration = Duration::from_micros(1500);

/// Appends queued together that no longer wait for more.
pub(super) const GROUP_MIN: usize = 4;

/// A message being received that will be appended to the spool in a moment (see the module
/// documentation). Dropping it says it will not come, or has come.
#[derive(Debug)]
pub struct Receiving {
    count: Arc<AtomicUsize>,
}

impl Receiving {
    pub(super) fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self {
            count: count.clone(),
        }
    }
}

impl Drop for Receiving {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

tokio::task_local! {
    /// The ticket of the message the current task is storing: the use case between the SMTP
    /// session and the store does not carry it (a web reply has none).
    static TICKET: Cell<Option<Receiving>>;
}

/// Runs `future` (which stores a received message) with its `ticket`, handed to the spool
/// with the message's append.
pub async fn while_receiving<F: Future>(ticket: Option<Receiving>, future: F) -> F::Output {
    TICKET.scope(Cell::new(ticket), future).await
}

/// The ticket of the message the current task is storing, if any.
pub(crate) fn take_ticket() -> Option<Receiving> {
    TICKET.try_with(Cell::take).ok().flatten()
}

/// Whether appends queued together should wait for more: fewer than [`GROUP_MIN`] are there,
/// and someone is sending a message that has not reached the spool.
pub(super) fn worth_waiting(queued: usize, receiving: usize) -> bool {
    queued < GROUP_MIN && receiving > 0
}

/// A command as the spool takes it: an append's ticket is given back.
pub(super) fn taken(mut command: Command) -> Command {
    if let Command::Append(_, _, ticket) = &mut command {
        ticket.take();
    }
    command
}

/// Adds to `commands` what arrives while it is worth waiting, for `wait` at most (a settle or
/// a close does not wait).
pub(super) fn wait_for_company(
    queue: &Receiver<Command>,
    commands: &mut Vec<Command>,
    receiving: &AtomicUsize,
    wait: Duration,
) {
    let until = Instant::now() + wait;
    while worth_waiting(commands.len(), receiving.load(Ordering::Acquire))
        && commands.iter().all(|c| matches!(c, Command::Append(..)))
    {
        let left = until.saturating_duration_since(Instant::now());
        match queue.recv_timeout(left) {
            Ok(command) => commands.push(taken(command)),
            Err(_) => break,
        }
    }
}
