//! `parley serve` under a crowd of idle SMTP connections, with a small open-file limit as
//! systemd's usual one (scaled down): the relay turns the excess away, the web keeps answering,
//! and the log stays small even when the process runs out of file descriptors.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod support;

/// `parley serve` under `ulimit -n LIMIT` (soft and hard: the binary cannot raise it), logging
/// JSON to a channel; returns the child, its log lines and its HTTP and SMTP addresses.
fn serve(
    dir: &Path,
    open_files: u32,
    extra: &[&str],
) -> (Child, mpsc::Receiver<String>, String, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_parley"))
        .args(["--data-dir", "data", "--log-format", "json", "serve"])
        .args([
            "--http",
            "127.0.0.1:0",
            "--smtp",
            "127.0.0.1:0",
            "--apertium",
            "off",
        ])
        .args(extra)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env("PARLEY_SENDER_AUTH", "off")
        .env_remove("PARLEY_DATA_DIR")
        .env_remove("PARLEY_DATABASE_URL")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let (http, smtp, lines) = support::serving(&mut child);
    (child, lines, http, smtp)
}

/// GET /healthz; the status line.
fn health(http: &str) -> String {
    let mut stream = TcpStream::connect(http).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: parley\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_owned()
}

/// The first line the server says on a new connection (empty when it says nothing in time).
fn greeting(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stream.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    String::from_utf8_lossy(&line).into_owned()
}

/// A JSON log line's time of day, in seconds.
fn log_seconds(line: &str) -> f64 {
    let event: serde_json::Value = serde_json::from_str(line).expect("json log");
    let stamp = event["timestamp"].as_str().expect("timestamp");
    let time = stamp.split('T').nth(1).expect("time").trim_end_matches('Z');
    time.split(':')
        .map(|part| part.parse::<f64>().expect("number"))
        .fold(0.0, |seconds, part| seconds * 60.0 + part)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_crowd_of_idle_smtp_connections_is_turned_away_and_the_web_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (child, lines, http, smtp) = serve(
        dir.path(),
        256,
        &[
            "--smtp-max-sessions",
            "100",
            "--smtp-max-sessions-per-ip",
            "1000",
        ],
    );
    let mut idle = Vec::new();
    let (mut greeted, mut turned_away) = (0, 0);
    for _ in 0..400 {
        let mut stream = TcpStream::connect(&smtp).expect("connect");
        let first = greeting(&mut stream);
        if first.starts_with("220 ") {
            greeted += 1;
        } else if first.starts_with("421 4.7.0") {
            turned_away += 1;
        }
        idle.push(stream);
    }
    assert_eq!((greeted, turned_away), (100, 300));
    assert!(
        health(&http).starts_with("HTTP/1.1 200"),
        "the web still answers"
    );
    drop(idle);
    stop(child);
    let log: Vec<String> = lines.try_iter().collect();
    assert!(
        log.len() < 40,
        "{} log lines: {:?}",
        log.len(),
        &log[..5.min(log.len())]
    );
}

#[test]
fn out_of_file_descriptors_the_accept_loop_pauses_and_logs_little() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No session limit to speak of: the process itself runs out of descriptors.
    let (child, lines, http, smtp) = serve(
        dir.path(),
        128,
        &[
            "--smtp-max-sessions",
            "10000",
            "--smtp-max-sessions-per-ip",
            "10000",
        ],
    );
    // More connections than descriptors, fewer than descriptors and the kernel's accept queue
    // together (else connecting itself stalls).
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(TcpStream::connect(&smtp).expect("connect (the kernel's backlog)"));
    }
    // The process runs out of descriptors and says so; keep the crowd three seconds more (by
    // the log's own clock) and count how often it said so.
    let mut failures_at = Vec::new();
    while failures_at
        .last()
        .is_none_or(|last| last - failures_at[0] < 3.0)
    {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("accept failures are logged while the crowd stays");
        if line.contains("accept failed") {
            failures_at.push(log_seconds(&line));
        }
    }
    assert!(
        failures_at.len() <= 5,
        "{} accept failures logged in 3 s: at most one a second",
        failures_at.len()
    );
    // Once the crowd leaves, Parley answers again.
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !health(&http).starts_with("HTTP/1.1 200") {
        assert!(Instant::now() < deadline, "the web answers again");
    }
    stop(child);
}
