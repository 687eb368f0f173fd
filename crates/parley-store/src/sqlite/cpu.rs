//! The writer thread keeps to one CPU, with sqlx's worker thread for its connection.
//!
//! Every sqlx statement hands over from the writer's thread to that worker and back. When the
//! two sit on different CPUs, each hand-off wakes the other CPU, which on this project's
//! virtual machine cost ~70 µs a statement: a new request's two dozen statements held request
//! intake at 410–490/s, and message posts at 0.40–0.50× the bare reference. With both on one
//! CPU the hand-off is a switch between two threads: intake 1,080–1,180/s, posts 0.87–0.89×,
//! the relay unchanged (docs/PERFORMANCE.md, *Decisions*). The rest of Parley (the HTTP and
//! SMTP tasks, the readers) still runs on every CPU.

/// Keeps the calling thread, and the threads it starts from now on (Linux: a new thread
/// inherits its creator's affinity), on the CPU it runs on now. Called by the writer thread
/// before it opens its connections, so sqlx's worker joins it.
pub(crate) fn keep_to_one_cpu() {
    #[cfg(target_os = "linux")]
    {
        let mut here = rustix::thread::CpuSet::new();
        here.set(rustix::thread::sched_getcpu());
        if let Err(error) = rustix::thread::sched_setaffinity(None, &here) {
            // Only slower: the hand-offs cross CPUs.
            tracing::debug!(%error, "the SQLite writer could not keep to one CPU");
        }
    }
}
