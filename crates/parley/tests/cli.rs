//! The `parley` binary, run for real: configuration precedence, migrations, the demo (twice),
//! tokens, and `serve` answering then stopping cleanly on SIGTERM. The database commands run on
//! SQLite and, when `PARLEY_TEST_DATABASE_URL` is set, on PostgreSQL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod support;
use support::{database_url, parley, run, serve, stdout};

fn demo_tokens_and_migrations(postgres: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = database_url(dir.path(), postgres) else {
        assert!(
            std::env::var_os("PARLEY_REQUIRE_POSTGRES").is_none(),
            "PostgreSQL required"
        );
        return;
    };
    let base = || {
        let mut command = parley(dir.path());
        command.args(["--data-dir", "data", "--database-url", &url]);
        command
    };
    let migrated = run(base().arg("migrate"));
    assert!(migrated.status.success(), "{migrated:?}");
    assert!(stdout(&migrated).contains("Database is up to date."));

    let first = run(base().arg("demo"));
    assert!(first.status.success(), "{first:?}");
    assert!(
        stdout(&first).contains("Demo data loaded (50 new requests)."),
        "{}",
        stdout(&first)
    );
    assert!(stdout(&first).contains("claire.martin@hydrotech.example"));
    let second = run(base().arg("demo"));
    assert!(
        stdout(&second).contains("Demo data loaded (0 new requests)."),
        "idempotent"
    );

    let token = run(base().args(["token", "create", "--email", "carmen.ruiz@buyer.example"]));
    assert!(token.status.success());
    assert!(stdout(&token).trim().starts_with("prl_"));
    assert!(String::from_utf8_lossy(&token.stderr).contains("buyer Carmen Ruiz"));
    let key = run(base().args(["token", "create", "--marketplace", "archiexpo"]));
    assert!(stdout(&key).trim().starts_with("prl_"));
    let unknown = run(base().args(["token", "create", "--email", "nobody@nowhere.example"]));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("No member or buyer"));
    let revoked = run(base().args(["token", "revoke", stdout(&token).trim()]));
    assert!(stdout(&revoked).contains("Revoked."));
}

#[test]
fn demo_tokens_and_migrations_on_sqlite() {
    demo_tokens_and_migrations(false);
}

#[test]
fn demo_tokens_and_migrations_on_postgres() {
    demo_tokens_and_migrations(true);
}

/// On a fresh database (no demo), the operator adds a marketplace, gets its integration key and
/// links an organization under the marketplace's own id; every step idempotent or refused
/// plainly.
fn marketplaces_are_data(postgres: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = database_url(dir.path(), postgres) else {
        return;
    };
    let base = || {
        let mut command = parley(dir.path());
        command.args(["--data-dir", "data", "--database-url", &url]);
        command
    };
    let before = run(base().args(["token", "create", "--marketplace", "acme-expo"]));
    assert!(!before.status.success(), "no such marketplace yet");
    let added = run(base().args([
        "marketplace",
        "add",
        "--slug",
        "acme-expo",
        "--name",
        "Acme Expo",
    ]));
    assert!(added.status.success(), "{added:?}");
    let id = stdout(&added).trim().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "prints the id: {id}");
    let again = run(base().args([
        "marketplace",
        "add",
        "--slug",
        "acme-expo",
        "--name",
        "Other",
    ]));
    assert!(again.status.success());
    assert_eq!(stdout(&again).trim(), id, "idempotent on the slug");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad = run(base().args(["marketplace", "add", "--slug", "Acme Expo", "--name", "x"]));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lower-case"));
    let list = run(base().args(["marketplace", "list"]));
    assert_eq!(stdout(&list), format!("acme-expo\tAcme Expo\t{id}\n"));
    let key = run(base().args(["token", "create", "--marketplace", "acme-expo"]));
    assert!(key.status.success(), "{key:?}");
    assert!(stdout(&key).trim().len() >= 32);
    // Linking needs an organization that exists.
    let unknown = run(base().args([
        "organization",
        "link",
        "--marketplace",
        "acme-expo",
        "--external-id",
        "EXH-1",
        "--to",
        &uuid::Uuid::now_v7().to_string(),
    ]));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("No such organization"));
}

#[test]
fn marketplaces_are_data_on_sqlite() {
    marketplaces_are_data(false);
}

#[test]
fn marketplaces_are_data_on_postgres() {
    marketplaces_are_data(true);
}

#[test]
fn flags_beat_variables_beat_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("parley.toml"), "data_dir = \"from-file\"\n").expect("write");
    assert!(run(parley(dir.path()).arg("migrate")).status.success());
    assert!(dir.path().join("from-file/parley.db").exists());
    assert!(
        run(parley(dir.path())
            .env("PARLEY_DATA_DIR", "from-env")
            .arg("migrate"))
        .status
        .success()
    );
    assert!(dir.path().join("from-env/parley.db").exists());
    let flagged = run(parley(dir.path()).env("PARLEY_DATA_DIR", "from-env").args([
        "--data-dir",
        "from-flag",
        "migrate",
    ]));
    assert!(flagged.status.success());
    assert!(dir.path().join("from-flag/parley.db").exists());

    std::fs::write(dir.path().join("bad.toml"), "colour = \"blue\"\n").expect("write");
    let bad = run(parley(dir.path()).args(["--config", "bad.toml", "migrate"]));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.toml"));

    let help = run(parley(dir.path()).args(["serve", "--help"]));
    let help = stdout(&help);
    for documented in [
        "PARLEY_DATA_DIR",
        "PARLEY_DATABASE_URL",
        "PARLEY_HTTP",
        "--demo",
    ] {
        assert!(help.contains(documented), "{documented} in serve --help");
    }
}

/// The README's walkthrough, run as it is (`scripts/marketplace-walkthrough`) against the
/// real binary on a fresh data directory: no demo, nothing written by hand.
fn marketplace_walkthrough(postgres: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = database_url(dir.path(), postgres) else {
        return;
    };
    let (mut child, address, _, _log) = serve(dir.path(), Some(&url));
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/marketplace-walkthrough");
    let output = Command::new("bash")
        .arg(script)
        .current_dir(dir.path())
        .env("BASE", format!("http://{address}"))
        .env("PARLEY", env!("CARGO_BIN_EXE_parley"))
        .env("PARLEY_DATA_DIR", dir.path().join("data"))
        .env("PARLEY_DATABASE_URL", &url)
        .env_remove("PARLEY_HTTP")
        .env_remove("PARLEY_CONFIG")
        .output()
        .expect("run the walkthrough");
    let _ = child.kill();
    let _ = child.wait();
    let printed = stdout(&output);
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        printed.contains("EXH-1042\npaul@newco.example\n"),
        "{printed}"
    );
    assert!(printed.contains("answered\nDone: request"), "{printed}");
}

#[test]
fn marketplace_walkthrough_on_sqlite() {
    marketplace_walkthrough(false);
}

#[test]
fn marketplace_walkthrough_on_postgres() {
    marketplace_walkthrough(true);
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, address, smtp, lines) = serve(dir.path(), None);
    // The SMTP relay answers too.
    let mut relay = TcpStream::connect(&smtp).expect("connect smtp");
    let mut greeting = [0u8; 4];
    relay.read_exact(&mut greeting).expect("greeting");
    assert_eq!(&greeting, b"220 ");
    drop(relay);
    let mut stream = TcpStream::connect(&address).expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: parley\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = done
        .recv_timeout(Duration::from_secs(30))
        .expect("exits after SIGTERM")
        .expect("wait");
    assert!(status.success(), "clean exit: {status:?}");
    // The process has exited, so its stderr reaches EOF and the channel closes.
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|l| l.contains("\"stopped\"")), "{rest:?}");
}

#[test]
fn mail_trim_reads_a_file_or_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "Merci, le devis nous convient.\n\nLe 3 mai 2026 à 10:02, Hydrotech <r-x@reply.example> a écrit :\n> Voici notre devis.\n";
    let file = dir.path().join("reply.txt");
    std::fs::write(&file, body).expect("write");
    let from_file = run(parley(dir.path()).args(["mail", "trim"]).arg(&file));
    assert_eq!(stdout(&from_file).trim(), "Merci, le devis nous convient.");

    let mut child = parley(dir.path())
        .args(["mail", "trim"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), body.as_bytes())
        .expect("write stdin");
    let from_stdin = child.wait_with_output().expect("output");
    assert!(from_stdin.status.success());
    assert_eq!(
        String::from_utf8_lossy(&from_stdin.stdout).trim(),
        "Merci, le devis nous convient."
    );
}

/// The bodies stored in the thread of the masked address `to`, read through a bare connection
/// (which leaves what the relay acknowledged and has not put in a conversation where it is).
fn thread_bodies(db: &Path, to: &str) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = parley_store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .expect("connect");
        let mut conn = store.read().await.expect("read");
        let token = to.split('@').next().expect("token");
        let (address, _) = parley_store::relay::target(&mut conn, token)
            .await
            .expect("target")
            .expect("address exists");
        let thread = address.thread_id.parse().expect("thread id");
        let bodies = parley_store::messages::with_documents(&mut conn, &[thread])
            .await
            .expect("messages")
            .into_iter()
            .map(|(message, _)| message.body)
            .collect();
        drop(conn);
        store.close().await;
        bodies
    })
}

/// One SMTP transaction by hand; returns the reply to the end of DATA.
fn smtp_send(address: &str, from: &str, to: &str, body: &str) -> String {
    let stream = TcpStream::connect(address).expect("connect smtp");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    // The last line of a (multi-line) reply.
    let mut reply = || {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("reply");
            if line.as_bytes().get(3) != Some(&b'-') {
                return line;
            }
        }
    };
    assert!(reply().starts_with("220"));
    let mut say = |text: String| {
        writer.write_all(text.as_bytes()).expect("write");
        reply()
    };
    assert!(say("EHLO crash.test\r\n".to_owned()).starts_with("250"));
    assert!(say(format!("MAIL FROM:<{from}>\r\n")).starts_with("250"));
    assert!(say(format!("RCPT TO:<{to}>\r\n")).starts_with("250"));
    assert!(say("DATA\r\n".to_owned()).starts_with("354"));
    let done = say(format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: crash\r\nMessage-ID: <{}@crash.test>\r\n\r\n{body}\r\n.\r\n",
        uuid::Uuid::now_v7().simple()
    ));
    let _ = say("QUIT\r\n".to_owned());
    done
}

/// An email answered `250` survives `kill -9` before it reached SQLite: it was in the relay's
/// spool (synced), and the next start folds it into its conversation, once, however often
/// that replay runs.
#[test]
fn a_relayed_email_survives_a_crash_between_250_and_its_fold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let db = data.join("parley.db");
    let demo = run(parley(dir.path()).args(["--data-dir", "data", "demo"]));
    assert!(demo.status.success(), "{demo:?}");
    let line = stdout(&demo)
        .lines()
        .find(|l| l.trim_start().starts_with("swaks "))
        .expect("a swaks line")
        .to_owned();
    let word_after = |flag: &str| {
        let mut words = line.split_whitespace();
        words.find(|w| *w == flag);
        words.next().expect(flag).to_owned()
    };
    let (from, to) = (word_after("--from"), word_after("--to"));

    // Folds only after an hour: the message stays in the spool alone.
    let mut child = parley(dir.path())
        .args([
            "--data-dir",
            "data",
            "--log-format",
            "json",
            "--relay-fold-ms",
            "3600000",
        ])
        .args(["smtp", "--smtp", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut lines = stderr.lines().map_while(Result::ok);
    let smtp = lines
        .find_map(|line| {
            let event: serde_json::Value = serde_json::from_str(&line).ok()?;
            (event["fields"]["message"] == "Parley SMTP relay is serving")
                .then(|| event["fields"]["smtp"].as_str().map(str::to_owned))?
        })
        .expect("serving log line");
    let body = format!("Survives a crash {}.", uuid::Uuid::now_v7().simple());
    let reply = smtp_send(&smtp, &from, &to, &body);
    assert!(reply.starts_with("250"), "{reply}");
    child.kill().expect("kill -9");
    child.wait().expect("wait");

    assert!(
        !thread_bodies(&db, &to).contains(&body),
        "not folded before the crash"
    );
    let segments: Vec<_> = std::fs::read_dir(&data)
        .expect("data dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("parley.db-spool.0"))
        .collect();
    let spooled: Vec<_> = segments
        .iter()
        .filter(|p| {
            let bytes = std::fs::read(p).expect("segment");
            bytes.windows(body.len()).any(|w| w == body.as_bytes())
        })
        .collect();
    assert_eq!(spooled.len(), 1, "the message is in one spool segment");
    let kept = std::fs::read(spooled[0]).expect("segment");

    let migrated = run(parley(dir.path()).args(["--data-dir", "data", "migrate"]));
    assert!(migrated.status.success(), "{migrated:?}");
    let count = |bodies: Vec<String>| bodies.iter().filter(|b| **b == body).count();
    assert_eq!(
        count(thread_bodies(&db, &to)),
        1,
        "folded at the next start"
    );

    // A crash after the fold's commit but before the segment's deletion replays it again:
    // still one message.
    std::fs::write(spooled[0], &kept).expect("put the segment back");
    let again = run(parley(dir.path()).args(["--data-dir", "data", "migrate"]));
    assert!(again.status.success(), "{again:?}");
    assert_eq!(
        count(thread_bodies(&db, &to)),
        1,
        "replayed twice, stored once"
    );
    assert!(
        !data.join("parley.db-spool.rejected").exists(),
        "the repeat was skipped, not refused"
    );
}
