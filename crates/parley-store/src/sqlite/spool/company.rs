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
//! spool's queue (which takes the ticket back with the append), and an append waits only
//! while a ticket is out: someone else is sending a message that will be here in a moment.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::queue::Queue;

/// The longest an append waits for company.
pub(super) const GROUP_WAIT: Duration = Duration::from_micros(1500);

/// Appends queued together that no longer wait for more.
pub(super) const GROUP_MIN: usize = 4;

/// A message being received that will be appended to the spool in a moment (see the module
/// documentation). Dropping it says it will not come; the queue takes it back with the
/// message otherwise.
#[derive(Debug)]
pub(crate) struct Receiving {
    queue: Option<Arc<Queue>>,
}

impl Receiving {
    pub(super) fn new(queue: Arc<Queue>) -> Self {
        queue.ticket_out();
        Self { queue: Some(queue) }
    }

    /// The message reached the queue, which counted the ticket back itself (under its lock).
    pub(super) fn given_with_message(mut self) {
        self.queue = None;
    }
}

impl Drop for Receiving {
    fn drop(&mut self) {
        if let Some(queue) = self.queue.take() {
            queue.ticket_back();
        }
    }
}

/// An emailed reply on its way, from the relay's `DATA` until it is stored within
/// [`Arrival::within`]: while one is out, replies arriving together wait a moment for it to
/// share their sync to disk (see the module documentation). Does nothing where emailed
/// replies are written directly (PostgreSQL, or another process holds the spool).
#[derive(Debug, Default)]
pub struct Arrival(Option<Receiving>);

impl Arrival {
    pub(crate) fn new(ticket: Option<Receiving>) -> Self {
        Self(ticket)
    }

    /// Runs `future`, which stores the reply that arrived.
    pub async fn within<F: Future>(self, future: F) -> F::Output {
        while_receiving(self.0, future).await
    }
}

tokio::task_local! {
    /// The ticket of the message the current task is storing: the use case between the SMTP
    /// session and the store does not carry it (a web reply has none).
    static TICKET: Cell<Option<Receiving>>;
}

/// Runs `future` (which stores a received message) with its `ticket`, handed to the spool
/// with the message's append.
pub(crate) async fn while_receiving<F: Future>(ticket: Option<Receiving>, future: F) -> F::Output {
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
