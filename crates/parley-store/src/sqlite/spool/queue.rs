//! The spool's queue: appends from the SMTP sessions, taken by the spool thread in groups.
//!
//! A channel woke the spool thread at every append, though while it waits for company (see
//! `company`) it has nothing to do until the group is complete or nobody else is coming
//! (perf: the `futex` wake was 4 % of the sessions' CPU, and waking to receive a sixth of the
//! spool thread's). Here the thread says what it waits for, and a sender wakes it only when
//! that has happened.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Command;
use super::company::{Receiving, worth_waiting};

/// The most commands taken at once.
const TAKE_MAX: usize = super::FOLD_MAX;

/// What the spool thread is doing, so that senders know whether to wake it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// Writing or folding: it looks at the queue when done.
    Busy,
    /// Idle: any command wakes it.
    ForAny,
    /// Holding appends for company: woken when the group is complete, when nobody else is
    /// sending, or by a command that is not an append.
    ForCompany,
}

struct State {
    commands: Vec<Command>,
    /// Tickets out (messages being received that have not reached the queue).
    receiving: usize,
    /// Handles that may still send ([`Sender`]s).
    senders: usize,
    waiting: Waiting,
    /// The spool thread has stopped: sending fails.
    stopped: bool,
}

pub(super) struct Queue {
    state: Mutex<State>,
    wake: Condvar,
}

/// What the spool thread gets from [`Queue::take`].
pub(super) enum Next {
    Commands(Vec<Command>),
    /// The deadline passed with nothing queued.
    Timeout,
    /// Nothing queued and every [`Sender`] is gone.
    Disconnected,
}

impl Queue {
    /// A queue and its first sender.
    pub(super) fn new() -> (Arc<Self>, Sender) {
        let queue = Arc::new(Self {
            state: Mutex::new(State {
                commands: Vec::new(),
                receiving: 0,
                senders: 1,
                waiting: Waiting::Busy,
                stopped: false,
            }),
            wake: Condvar::new(),
        });
        (queue.clone(), Sender { queue })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts a ticket out.
    pub(super) fn ticket_out(&self) {
        self.lock().receiving += 1;
    }

    /// A ticket given back without its message (see [`Receiving`]).
    pub(super) fn ticket_back(&self) {
        let mut state = self.lock();
        state.receiving -= 1;
        let wake = state.waiting == Waiting::ForCompany && state.receiving == 0;
        drop(state);
        if wake {
            self.wake.notify_one();
        }
    }

    /// Tickets out.
    #[cfg(test)]
    pub(super) fn receiving(&self) -> usize {
        self.lock().receiving
    }

    /// Waits for commands: the first one, until `deadline` if any; then, while
    /// [`worth_waiting`], for company, `group_wait` at most.
    pub(super) fn take(&self, deadline: Option<Instant>, group_wait: Duration) -> Next {
        let mut state = self.lock();
        while state.commands.is_empty() {
            if state.senders == 0 {
                return Next::Disconnected;
            }
            state.waiting = Waiting::ForAny;
            state = match deadline {
                None => self.wait(state),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        state.waiting = Waiting::Busy;
                        return Next::Timeout;
                    }
                    self.wait_timeout(state, left)
                }
            };
        }
        let until = Instant::now() + group_wait;
        while holds_for_company(&state) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state.waiting = Waiting::ForCompany;
            state = self.wait_timeout(state, left);
        }
        state.waiting = Waiting::Busy;
        let count = state.commands.len().min(TAKE_MAX);
        Next::Commands(state.commands.drain(..count).collect())
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.wake
            .wait(state)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn wait_timeout<'a>(
        &self,
        state: MutexGuard<'a, State>,
        left: Duration,
    ) -> MutexGuard<'a, State> {
        match self.wake.wait_timeout(state, left) {
            Ok((state, _)) => state,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }

    /// Stops the queue when the returned guard is dropped: when the spool thread ends, even
    /// by a panic, nobody is left waiting on a queue that no one reads.
    pub(super) fn stop_on_exit(self: &Arc<Self>) -> impl Drop + use<> {
        struct Stop(Arc<Queue>);
        impl Drop for Stop {
            fn drop(&mut self) {
                self.0.stop();
            }
        }
        Stop(self.clone())
    }

    /// The spool thread stopped: later sends fail, and what is queued is dropped (its
    /// senders get [`crate::StoreError::Closed`]).
    fn stop(&self) {
        let mut state = self.lock();
        state.stopped = true;
        let left = std::mem::take(&mut state.commands);
        drop(state);
        drop(left);
    }
}

/// Whether the queued commands are held for company.
fn holds_for_company(state: &State) -> bool {
    state.senders > 0
        && worth_waiting(state.commands.len(), state.receiving)
        && state
            .commands
            .iter()
            .all(|c| matches!(c, Command::Append(..)))
}

/// A handle that sends to the spool thread; when the last one is dropped, the thread folds
/// what it has and stops.
pub(super) struct Sender {
    queue: Arc<Queue>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.queue.fmt(f)
    }
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("spool::Queue")
            .field("queued", &state.commands.len())
            .field("receiving", &state.receiving)
            .field("waiting", &state.waiting)
            .finish_non_exhaustive()
    }
}

impl Clone for Sender {
    fn clone(&self) -> Self {
        self.queue.lock().senders += 1;
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        state.senders -= 1;
        let wake = state.senders == 0 && state.waiting != Waiting::Busy;
        drop(state);
        if wake {
            self.queue.wake.notify_one();
        }
    }
}

impl Sender {
    /// Queues `command`, waking the spool thread if it waits for it; gives it back when the
    /// spool has stopped. The `ticket` of an append's sender is given back with it.
    pub(super) fn send(&self, command: Command, ticket: Option<Receiving>) -> Result<(), Command> {
        let mut state = self.queue.lock();
        if state.stopped {
            drop(state);
            drop(ticket);
            return Err(command);
        }
        if let Some(ticket) = ticket {
            ticket.given_with_message();
            state.receiving -= 1;
        }
        let is_append = matches!(command, Command::Append(..));
        state.commands.push(command);
        let wake = match state.waiting {
            Waiting::Busy => false,
            Waiting::ForAny => true,
            Waiting::ForCompany => !is_append || !holds_for_company(&state),
        };
        drop(state);
        if wake {
            self.queue.wake.notify_one();
        }
        Ok(())
    }

    /// A ticket for a message about to be received.
    pub(super) fn receiving(&self) -> Receiving {
        Receiving::new(self.queue.clone())
    }

    #[cfg(test)]
    pub(super) fn queue(&self) -> &Queue {
        &self.queue
    }
}
