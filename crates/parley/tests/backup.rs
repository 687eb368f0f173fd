//! `parley backup` taken while the relay accepts replies (all of them acknowledged and none yet
//! in its conversation), then `parley restore` into a new data directory: every reply
//! acknowledged before the backup began is there, once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

mod support;
use support::{parley, run, stdout};

/// Sends one email over SMTP; whether the end of data got `250`.
fn smtp_send(address: &str, from: &str, to: &str, marker: &str) -> bool {
    let stream = TcpStream::connect(address).expect("connect");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    let mut reply = || {
        let mut last = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return last;
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return line;
            }
            last = line;
        }
    };
    let mut say = |command: &str| writer.write_all(command.as_bytes()).expect("write");
    assert!(reply().starts_with("220"));
    say("EHLO backup.test\r\n");
    assert!(reply().starts_with("250"));
    say(&format!("MAIL FROM:<{from}>\r\n"));
    assert!(reply().starts_with("250"));
    say(&format!("RCPT TO:<{to}>\r\n"));
    assert!(reply().starts_with("250"));
    say("DATA\r\n");
    assert!(reply().starts_with("354"));
    say(&format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: Re: quote\r\nMessage-ID: <{marker}@backup.test>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nStill interested: {marker}.\r\n.\r\n"
    ));
    let accepted = reply().starts_with("250");
    say("QUIT\r\n");
    accepted
}

/// The body of `GET path` with a bearer token (HTTP/1.0: the body ends with the connection).
fn get(address: &str, path: &str, token: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: parley\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "{response}"
    );
    response
}

#[test]
fn a_backup_under_load_restores_every_acknowledged_reply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = |data: &str| {
        let mut command = parley(dir.path());
        command.args(["--data-dir", data]);
        command
    };
    let demo = run(base("data").arg("demo"));
    assert!(demo.status.success(), "{demo:?}");
    let printed = stdout(&demo);
    let support::DemoRelay {
        buyer,
        masked,
        request,
    } = support::demo_relay(&printed);

    // Replies reach their conversation only after an hour: the backup has to carry them from
    // wherever the relay keeps what it acknowledged.
    let (mut server, http, smtp, _log) = support::serve_with(
        dir.path(),
        &[
            "--data-dir",
            "data",
            "--relay-fold-ms",
            "3600000",
            "--relay-per-minute",
            "100000",
        ],
    );
    for n in 0..20 {
        assert!(smtp_send(&smtp, &buyer, &masked, &format!("before-{n}")));
    }
    let metrics = get(&http, "/metrics", "");
    assert!(
        metrics.contains("\nparley_relay_unfolded_messages 20\n"),
        "acknowledged and not in their conversation yet: {metrics}"
    );
    let during = {
        let (smtp, buyer, masked) = (smtp.clone(), buyer.clone(), masked.clone());
        std::thread::spawn(move || {
            (0..20)
                .filter(|n| smtp_send(&smtp, &buyer, &masked, &format!("during-{n}")))
                .count()
        })
    };
    let backup = run(base("data").args(["backup", "bk"]));
    assert!(backup.status.success(), "{backup:?}");
    assert!(
        stdout(&backup).contains("Backed up the database"),
        "{}",
        stdout(&backup)
    );
    assert_eq!(during.join().expect("sender"), 20);
    // Under load, then gone at once.
    server.kill().expect("kill");
    server.wait().expect("wait");

    let restored = run(base("restored").args(["restore", "bk"]));
    assert!(restored.status.success(), "{restored:?}");
    let twice = run(base("restored").args(["restore", "bk"]));
    assert!(!twice.status.success(), "never over an existing database");

    let token = run(base("restored").args(["token", "create", "--email", &buyer]));
    assert!(token.status.success(), "{token:?}");
    let token = stdout(&token).trim().to_owned();
    let (mut again, http, _, _log) = support::serve_with(dir.path(), &["--data-dir", "restored"]);
    let page = get(&http, &format!("/api/v1/requests/{request}"), &token);
    again.kill().expect("kill");
    again.wait().expect("wait");
    let json = page.split_once("\r\n\r\n").expect("a body").1;
    let detail: serde_json::Value = serde_json::from_str(json).expect("json");
    let bodies: Vec<&str> = detail["threads"][0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    for n in 0..20 {
        let marker = format!("Still interested: before-{n}.");
        let found = bodies.iter().filter(|b| **b == marker).count();
        assert_eq!(found, 1, "{marker} once in {bodies:?}");
    }
}
