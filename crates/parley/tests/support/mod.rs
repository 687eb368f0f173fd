//! What the binary's test files share: running `parley`, a fresh database, `parley serve`.
#![allow(dead_code, reason = "each test file uses a part")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub mod documents;

pub fn parley(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_parley"));
    command
        .current_dir(dir)
        .env_remove("PARLEY_DATA_DIR")
        .env_remove("PARLEY_DATABASE_URL")
        .env_remove("PARLEY_HTTP")
        .env_remove("PARLEY_CONFIG")
        // Tests talk only to 127.0.0.1: no DNS lookups of senders unless a test starts its own
        // DNS server (`real_mail`).
        .env("PARLEY_SENDER_AUTH", "off")
        .env("RUST_LOG", "info");
    command
}

pub fn run(command: &mut Command) -> Output {
    command.output().expect("run parley")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database.
pub fn database_url(dir: &Path, postgres: bool) -> Option<String> {
    if !postgres {
        return Some(format!("sqlite://{}", dir.join("cli.db").display()));
    }
    parley_test_support::postgres_url()?;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    Some(runtime.block_on(parley_test_support::Db::Postgres.fresh_url(dir)))
}

/// `parley serve` on loopback ports chosen by the system (`--database-url` when given, else
/// the data directory `data` in `dir`); returns the child and the HTTP and SMTP addresses from
/// the log line announcing them, and the rest of the log (a thread reads it, so the server
/// never blocks on a full pipe).
pub fn serve(
    dir: &Path,
    database_url: Option<&str>,
) -> (std::process::Child, String, String, mpsc::Receiver<String>) {
    let mut args = vec!["--data-dir", "data"];
    if let Some(url) = database_url {
        args.extend(["--database-url", url]);
    }
    serve_with(dir, &args)
}

/// [`serve`] with these global options (a data directory among them).
pub fn serve_with(
    dir: &Path,
    options: &[&str],
) -> (std::process::Child, String, String, mpsc::Receiver<String>) {
    let mut child = parley(dir)
        .args(["--log-format", "json"])
        .args(options)
        .args(["serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let (http, smtp, lines) = serving(&mut child);
    (child, http, smtp, lines)
}

/// The HTTP and SMTP addresses from the log line of a `parley serve` started with
/// `--log-format json` and its stderr piped, and the rest of its log (a thread reads it, so
/// the server never blocks on a full pipe).
pub fn serving(child: &mut std::process::Child) -> (String, String, mpsc::Receiver<String>) {
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("serving log line");
        let event: serde_json::Value = serde_json::from_str(&line).expect("json log");
        if event["fields"]["message"] == "Parley is serving" {
            let field = |name: &str| event["fields"][name].as_str().expect(name).to_owned();
            return (field("http"), field("smtp"), lines);
        }
    }
}

/// What `parley demo` prints for trying the relay: the buyer's address, the masked address
/// they write to, and the request it belongs to.
pub struct DemoRelay {
    pub buyer: String,
    pub masked: String,
    pub request: String,
}

/// Claire's (the demo manufacturer's) API token, from what `parley demo` prints.
pub fn claire_token(printed: &str) -> String {
    printed
        .lines()
        .filter(|l| l.contains("claire.martin@") && !l.contains("/signin/"))
        .find_map(|l| {
            l.split_whitespace()
                .last()
                .filter(|w| w.starts_with("prl_"))
        })
        .expect("Claire's API token")
        .to_owned()
}

pub fn demo_relay(printed: &str) -> DemoRelay {
    let swaks = printed
        .lines()
        .find(|l| l.contains("swaks --server"))
        .expect("the relay example");
    let word_after = |flag: &str| {
        let rest = &swaks[swaks.find(flag).expect(flag) + flag.len()..];
        rest.split_whitespace().next().expect(flag).to_owned()
    };
    let request = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("then see it at "))
        .and_then(|l| l.split("/requests/").nth(1))
        .and_then(|l| l.split_whitespace().next())
        .expect("the request")
        .to_owned();
    DemoRelay {
        buyer: word_after("--from "),
        masked: word_after("--to "),
        request,
    }
}

/// Postfix's smtp-sink on a free port, writing each mail into `dir`.
pub fn smtp_sink(dir: &Path) -> (Child, u16) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
        .expect("chmod");
    let port = free_port();
    let child = Command::new("smtp-sink")
        .args(["-u", "nobody", "-d"])
        .arg(dir.join("%M."))
        .arg(format!("127.0.0.1:{port}"))
        .arg("10")
        .spawn()
        .expect("smtp-sink (Debian package postfix, installed by scripts/test)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "smtp-sink did not start");
        std::thread::yield_now();
    }
    (child, port)
}

pub fn swaks(smtp: &str, args: &[&str]) -> String {
    let output = Command::new("swaks")
        .args(["--server", smtp])
        .args(args)
        .output()
        .expect("swaks (installed by scripts/test)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn curl(args: &[&str]) -> String {
    let output = Command::new("curl")
        .args(["--silent", "--show-error"])
        .args(args)
        .output()
        .expect("curl");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A loopback port free a moment ago, for a server that cannot be given port 0 and tell the
/// one it took (smtp-sink, moto's S3 server): another process could take it in between.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}
