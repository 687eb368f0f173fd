//! The SMTP session on its own: fed bytes through an in-memory stream (pipelining, errors),
//! and over TCP for STARTTLS (with lettre) and the idle timeout.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use parley_app::{App, Settings};
use parley_smtp::{Session, SmtpConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn app(dir: &tempfile::TempDir) -> App {
    let url = format!("sqlite://{}", dir.path().join("parley.db").display());
    App::open(&url, &dir.path().join("files"), Settings::default())
        .await
        .expect("app")
}

fn config() -> SmtpConfig {
    SmtpConfig::new("relay.test")
}

/// Runs a session on an in-memory stream, sends `input` in one write and returns everything
/// the server wrote until it closed.
async fn converse(app: App, config: SmtpConfig, input: &str) -> String {
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let session =
        tokio::spawn(Session::new(server, app, Arc::new(config), "test".into(), false).run());
    client.write_all(input.as_bytes()).await.expect("write");
    let mut output = String::new();
    client.read_to_string(&mut output).await.expect("read");
    assert!(session.await.expect("join").is_ok());
    output
}

fn codes(transcript: &str) -> Vec<&str> {
    transcript
        .lines()
        .filter(|l| l.len() >= 4 && &l[3..4] == " ")
        .map(|l| &l[..3])
        .collect()
}

#[tokio::test]
async fn pipelined_commands_get_their_replies_in_order() {
    let dir = tempfile::tempdir().expect("dir");
    let transcript = converse(
        app(&dir).await,
        config(),
        "EHLO client.example\r\nMAIL FROM:<ana@buyer.example> SIZE=1000\r\n\
         RCPT TO:<aaaaaaaaaaaaaaaaaaaaaaaa@relay.test>\r\nRCPT TO:<bob@elsewhere.example>\r\n\
         DATA\r\nRSET\r\nNOOP\r\nQUIT\r\n",
    )
    .await;
    assert_eq!(
        codes(&transcript),
        [
            "220", "250", "250", "550", "550", "554", "250", "250", "221"
        ],
        "{transcript}"
    );
    assert!(transcript.contains("250-PIPELINING"));
    assert!(transcript.contains("250-SIZE 26214400"));
    assert!(transcript.contains("8BITMIME"));
    assert!(
        !transcript.contains("STARTTLS"),
        "no certificate, no STARTTLS"
    );
    assert!(transcript.contains("550 5.1.1"));
    assert!(transcript.contains("550 5.7.1 Relaying denied"));
}

#[tokio::test]
async fn bad_commands_are_answered_then_the_session_ends() {
    let dir = tempfile::tempdir().expect("dir");
    let transcript = converse(
        app(&dir).await,
        config(),
        "MAIL FROM:<a@b.example>\r\nHELO x\r\nMAIL FROM:<a@b.example> SIZE=99999999999\r\n\
         AUTH PLAIN AGFiYwB4eXo=\r\nSTARTTLS\r\nFOO\r\nQUIT\r\n",
    )
    .await;
    assert_eq!(
        codes(&transcript),
        ["220", "503", "250", "552", "502", "502", "500", "221"],
        "{transcript}"
    );

    let garbage = "FOO\r\n".repeat(12);
    let transcript = converse(app(&dir).await, config(), &garbage).await;
    assert!(transcript.contains("421 4.7.0"), "{transcript}");
}

#[tokio::test]
async fn an_idle_client_is_disconnected() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = config();
    config.command_timeout = Duration::from_millis(200);
    let (mut client, server) = tokio::io::duplex(4096);
    let session = tokio::spawn(
        Session::new(
            server,
            app(&dir).await,
            Arc::new(config),
            "idle".into(),
            false,
        )
        .run(),
    );
    // The client says nothing after the greeting; the server gives up and says so.
    let mut output = String::new();
    client.read_to_string(&mut output).await.expect("read");
    assert!(output.starts_with("220 "));
    assert!(output.contains("421 4.4.2"), "{output}");
    assert!(session.await.expect("join").is_ok());
}

#[tokio::test]
async fn starttls_upgrades_the_connection_when_a_certificate_is_configured() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(status.status.success(), "{status:?}");
    let mut config = config();
    config.tls = Some(parley_smtp::load_acceptor(&cert, &key).expect("acceptor"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(parley_smtp::serve(
        listener,
        app(&dir).await,
        config,
        std::future::pending(),
    ));

    let tls = TlsParameters::builder("localhost".to_owned())
        .dangerous_accept_invalid_certs(true)
        .build()
        .expect("tls parameters");
    let client: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .tls(Tls::Required(tls))
            .build();
    assert!(client.test_connection().await.expect("STARTTLS handshake"));

    // Without TLS the capability is announced; after it, no more.
    let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    plain.write_all(b"EHLO c\r\nQUIT\r\n").await.expect("write");
    let mut transcript = String::new();
    plain.read_to_string(&mut transcript).await.expect("read");
    assert!(transcript.contains("250-STARTTLS") || transcript.contains("250 STARTTLS"));
}

#[tokio::test]
async fn a_client_guessing_recipients_is_disconnected_after_ten_refusals() {
    let dir = tempfile::tempdir().expect("dir");
    let mut input = "EHLO c\r\nMAIL FROM:<x@y.example>\r\n".to_owned();
    for n in 0..1000 {
        input.push_str(&format!("RCPT TO:<guess{n:020}@relay.test>\r\n"));
    }
    let transcript = converse(app(&dir).await, config(), &input).await;
    let refusals = transcript.lines().filter(|l| l.starts_with("550")).count();
    assert_eq!(refusals, 10, "{transcript}");
    assert!(
        transcript
            .trim_end()
            .ends_with("421 4.7.0 Too many errors, closing the connection")
    );
}
