//! The SQLite writer keeps to one CPU with sqlx's worker for its connection (see the store's
//! `sqlite::cpu`), and nothing else is held to it. A test binary of its own: the only store
//! in this process, so the threads found are its own.
#![cfg(target_os = "linux")]

use rustix::thread::{CpuSet, Pid, sched_getaffinity};

/// Each thread of this process: its name (as the kernel keeps it: 15 bytes) and its CPUs.
fn threads() -> Vec<(String, CpuSet)> {
    std::fs::read_dir("/proc/self/task")
        .expect("tasks")
        .filter_map(Result::ok)
        .filter_map(|task| {
            let name = std::fs::read_to_string(task.path().join("comm")).ok()?;
            let tid = task.file_name().to_str()?.parse().ok()?;
            let cpus = sched_getaffinity(Pid::from_raw(tid)).ok()?;
            Some((name.trim().to_owned(), cpus))
        })
        .collect()
}

fn only_cpu(cpus: &CpuSet) -> Option<usize> {
    (cpus.count() == 1).then(|| (0..CpuSet::MAX_CPU).find(|&n| cpus.is_set(n)))?
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_and_its_sqlx_worker_share_one_cpu() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("parley.db").display());
    let store = parley_store::Store::open(&url, parley_store::SqliteOptions::default())
        .await
        .expect("open");
    // A read, so the pool has opened a connection (and its worker) too.
    store.ping().await.expect("ping");

    let threads = threads();
    let writer: Vec<_> = threads
        .iter()
        .filter(|(name, _)| name.starts_with("parley-sqlite-w"))
        .collect();
    assert_eq!(writer.len(), 1, "one writer: {threads:?}");
    let cpu = only_cpu(&writer[0].1).expect("the writer keeps to one CPU");
    let workers: Vec<Option<usize>> = threads
        .iter()
        .filter(|(name, _)| name.starts_with("sqlx-sqlite-wor"))
        .map(|(_, cpus)| only_cpu(cpus))
        .collect();
    assert_eq!(
        workers.iter().filter(|w| **w == Some(cpu)).count(),
        1,
        "the writer's sqlx worker shares its CPU: {workers:?}"
    );
    if std::thread::available_parallelism().map_or(1, usize::from) > 1 {
        assert!(
            workers.iter().any(Option::is_none),
            "the pool's workers run anywhere: {workers:?}"
        );
        let here = sched_getaffinity(None).expect("this thread");
        assert!(here.count() > 1, "the rest of the process is not held");
    }
    store.close().await;
}
