//! Several instances (issue "Scale"): two `parley serve` processes on one PostgreSQL database,
//! documents in a real S3-compatible server (moto's, from PyPI, installed by `scripts/test`),
//! mail through a real smarthost (Postfix's smtp-sink). Messages with a PDF are posted through
//! the API and emailed replies with a PDF are sent over SMTP to both processes; one is killed
//! with SIGKILL in the middle. Afterwards, read through the survivor: every message that was
//! answered 201 or 250 is in its conversation with its document, byte for byte, from the
//! bucket; every notification reached the smarthost at least once, duplicates (a mail the
//! killed process sent but had not yet recorded) recognisable by their Message-ID and rare.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod support;

use support::documents::{assert_each_once_with_its_document, email_with_pdf, post_with_pdf};
use support::{curl, parley, run, smtp_sink, stdout};

const BUCKET: &str = "parley-docs";
const API_MESSAGES: usize = 40;
const EMAILS: usize = 24;

/// A child process stopped when the test ends, however it ends (an orphaned server would
/// outlive a failed test).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// moto's S3 server on a free port, with the bucket made.
fn s3_server() -> (Running, String) {
    let port = support::free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server (PyPI moto[server], installed by scripts/test)");
    let child = Running(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let made = curl(&[
            "-X",
            "PUT",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("{endpoint}/{BUCKET}"),
        ]);
        if made == "200" {
            break;
        }
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, endpoint)
}

struct Demo {
    token: String,
    buyer: String,
    masked: String,
    request: String,
}

fn demo(dir: &Path, options: &[&str]) -> Demo {
    let output = run(parley(dir).args(options).arg("demo"));
    assert!(output.status.success(), "{output:?}");
    let printed = stdout(&output);
    let relay = support::demo_relay(&printed);
    let token = support::claire_token(&printed);
    Demo {
        token,
        buyer: relay.buyer,
        masked: relay.masked,
        request: relay.request,
    }
}

/// What was acknowledged: a marker and the bytes of its document.
type Acknowledged = Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

#[test]
fn two_processes_share_postgresql_and_s3_and_lose_nothing_when_one_is_killed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = support::database_url(dir.path(), true) else {
        return; // no PostgreSQL here (scripts/test requires it where one answers)
    };
    let (_s3, endpoint) = s3_server();
    let mailbox = dir.path().join("sink");
    let (sink, port) = smtp_sink(&mailbox);
    let _sink = Running(sink);
    let smarthost = format!("smtp://127.0.0.1:{port}");
    let shared = [
        "--database-url",
        &url,
        "--documents",
        "s3://parley-docs/instances",
        "--s3-endpoint",
        &endpoint,
        "--s3-access-key-id",
        "test",
        "--s3-secret-access-key",
        "test",
        "--smarthost",
        &smarthost,
        "--relay-per-minute",
        "1000",
    ];
    let with_data = |data: &'static str| {
        let mut options = vec!["--data-dir", data];
        options.extend(shared.iter().copied());
        options
    };
    let Demo {
        token,
        buyer,
        masked,
        request,
    } = demo(dir.path(), &with_data("data-a"));
    let (first, http_a, smtp_a, _log_a) = support::serve_with(dir.path(), &with_data("data-a"));
    let mut first = Running(first);
    let (second, http_b, smtp_b, _log_b) = support::serve_with(dir.path(), &with_data("data-b"));
    let _second = Running(second);

    let killed = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let posted: Acknowledged = Arc::default();
    let mailed: Acknowledged = Arc::default();
    let files = dir.path().join("pdfs");
    std::fs::create_dir_all(&files).expect("dir");

    // The seller posts through the API, to one process then the other.
    let api = {
        let (killed, answered, posted, files) = (
            killed.clone(),
            answered.clone(),
            posted.clone(),
            files.clone(),
        );
        let (token, request, http) = (
            token.clone(),
            request.clone(),
            [http_a.clone(), http_b.clone()],
        );
        std::thread::spawn(move || {
            for i in 0..API_MESSAGES {
                let to = if killed.load(Ordering::SeqCst) {
                    1
                } else {
                    i % 2
                };
                let marker = format!("api-marker-{i:03}");
                if let Some(bytes) = post_with_pdf(&http[to], &token, &request, &marker, &files) {
                    posted.lock().expect("lock").push((marker, bytes));
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    // The buyer replies by email with a PDF, to one relay then the other.
    let smtp = {
        let (killed, answered, mailed, files) = (
            killed.clone(),
            answered.clone(),
            mailed.clone(),
            files.clone(),
        );
        let (buyer, masked, smtp) = (
            buyer.clone(),
            masked.clone(),
            [smtp_a.clone(), smtp_b.clone()],
        );
        std::thread::spawn(move || {
            for i in 0..EMAILS {
                let to = if killed.load(Ordering::SeqCst) {
                    1
                } else {
                    i % 2
                };
                let marker = format!("mail-marker-{i:03}");
                if let Some(bytes) = email_with_pdf(&smtp[to], (&buyer, &masked), &marker, &files) {
                    mailed.lock().expect("lock").push((marker, bytes));
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    // SIGKILL in the middle of the load.
    let deadline = Instant::now() + Duration::from_secs(120);
    while answered.load(Ordering::SeqCst) < (API_MESSAGES + EMAILS) / 3 {
        assert!(Instant::now() < deadline, "the load never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.0.kill().expect("SIGKILL");
    first.0.wait().expect("reaped");
    killed.store(true, Ordering::SeqCst);
    api.join().expect("api load");
    smtp.join().expect("smtp load");
    let posted = posted.lock().expect("lock").clone();
    let mailed = mailed.lock().expect("lock").clone();
    assert!(posted.len() >= API_MESSAGES / 2, "{} posted", posted.len());
    assert!(mailed.len() >= EMAILS / 2, "{} mailed", mailed.len());

    // Every acknowledged message is in the conversation, its document in the bucket.
    let acknowledged: Vec<_> = posted.iter().chain(&mailed).cloned().collect();
    assert_each_once_with_its_document((&http_b, &token), &request, &acknowledged, dir.path());
    // In the bucket, not on either process's disk.
    let listing = curl(&[&format!("{endpoint}/{BUCKET}?prefix=instances/documents/")]);
    assert!(
        listing.matches("<Key>").count() >= posted.len() + mailed.len(),
        "{listing}"
    );
    for data in ["data-a", "data-b"] {
        assert!(
            !dir.path()
                .join(data)
                .join("files")
                .join("documents")
                .exists()
        );
    }

    // Every mail Parley queued (notifications of the messages; a burst in one conversation is
    // announced at once, then as one digest two minutes later) reached the smarthost at least
    // once: each leaves with `Message-ID: <outbox id@…>`.
    let psql = |sql: &str| {
        let output = Command::new("psql")
            .args([url.as_str(), "-Atc", sql])
            .output()
            .expect("psql (installed by scripts/test)");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    let deadline = Instant::now() + Duration::from_secs(240);
    while psql("SELECT count(*) FROM outbox WHERE sent_at IS NULL") != "0" {
        assert!(
            Instant::now() < deadline,
            "mail never left: {}",
            psql("SELECT id, last_error FROM outbox WHERE sent_at IS NULL")
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let queued: Vec<String> = psql("SELECT id FROM outbox")
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(queued.len() >= posted.len(), "{} mails", queued.len());
    let mut delivered: HashMap<String, usize> = HashMap::new();
    for entry in std::fs::read_dir(&mailbox)
        .expect("sink")
        .filter_map(Result::ok)
    {
        let mail = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let id = mail
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("message-id")
                    .then(|| value.trim().to_owned())
            })
            .expect("a Message-ID");
        let id = id
            .trim_start_matches('<')
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        *delivered.entry(id).or_default() += 1;
    }
    let missing: Vec<&String> = queued
        .iter()
        .filter(|id| !delivered.contains_key(*id))
        .collect();
    assert!(missing.is_empty(), "never delivered: {missing:?}");
    let duplicates: usize = delivered.values().map(|n| n - 1).sum();
    eprintln!(
        "{} posted and {} mailed were acknowledged; {} mails queued, {duplicates} delivered twice",
        posted.len(),
        mailed.len(),
        queued.len()
    );
    assert!(
        duplicates <= 1 + queued.len() / 5,
        "{duplicates} duplicates among {} mails",
        queued.len()
    );
}
