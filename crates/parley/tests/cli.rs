//! The `parley` binary, run for real: configuration precedence, migrations, the demo (twice),
//! tokens, and `serve` answering then stopping cleanly on SIGTERM. The database commands run on
//! SQLite and, when `PARLEY_TEST_DATABASE_URL` is set, on PostgreSQL.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

mod support;
use support::documents::{assert_each_once_with_its_document, email_with_pdf, post_with_pdf};
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

/// A message with a PDF answered 201 by the API and an emailed reply with a PDF answered 250
/// survive `kill -9` right after their answers — the reply before it reached its conversation
/// (`parley_relay_unfolded_messages`: the relay's log takes it there after an hour here) — and
/// after the restart each is in its conversation once, its document byte for byte.
#[test]
fn answered_messages_with_documents_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = run(parley(dir.path()).args(["--data-dir", "data", "demo"]));
    assert!(demo.status.success(), "{demo:?}");
    let printed = stdout(&demo);
    let relay = support::demo_relay(&printed);
    let token = support::claire_token(&printed);
    let files = dir.path().join("pdfs");

    let (mut child, http, smtp, _log) = support::serve_with(
        dir.path(),
        &["--data-dir", "data", "--relay-fold-ms", "3600000"],
    );
    let posted =
        post_with_pdf(&http, &token, &relay.request, "api-before-kill", &files).expect("201");
    let mailed = email_with_pdf(
        &smtp,
        (&relay.buyer, &relay.masked),
        "mail-before-kill",
        &files,
    )
    .expect("250");
    let metrics = support::curl(&[&format!("http://{http}/metrics")]);
    assert!(
        metrics.contains("\nparley_relay_unfolded_messages 1\n"),
        "the reply is acknowledged and not in its conversation yet: {metrics}"
    );
    child.kill().expect("kill -9");
    child.wait().expect("wait");

    let (mut again, http, _, _log) = support::serve_with(dir.path(), &["--data-dir", "data"]);
    assert_each_once_with_its_document(
        (&http, &token),
        &relay.request,
        &[
            ("api-before-kill".to_owned(), posted),
            ("mail-before-kill".to_owned(), mailed),
        ],
        dir.path(),
    );
    again.kill().expect("kill");
    again.wait().expect("wait");
}
