//! Hostile and unlucky connections: crowded and dripping SMTP sessions, unfinished HTTP
//! headers, signed and decorated mail.

use serde_json::json;

use crate::both;
use crate::helpers::{Db, TestApp};

both!(
    sessions_are_limited_and_crowded_ones_time_out_sooner,
    a_data_phase_dripped_byte_by_byte_ends_at_its_deadline,
    unfinished_http_headers_are_cut_off_and_the_web_still_answers,
    signed_and_decorated_replies_are_accepted,
);

/// A relay listener of its own on `t.app`, with `config`.
pub(crate) async fn relay_with(
    t: &TestApp,
    config: parley_smtp::SmtpConfig,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    tokio::spawn(parley_smtp::serve(
        listener,
        t.app.clone(),
        config,
        std::future::pending(),
    ));
    address
}

/// Reads one reply line (or nothing, when the server closed).
async fn line(stream: &mut tokio::io::BufReader<tokio::net::TcpStream>) -> String {
    use tokio::io::AsyncBufReadExt;
    let mut line = String::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_line(&mut line),
    )
    .await
    .expect("the server answers or closes in time");
    read.expect("read");
    line
}

async fn connect(address: std::net::SocketAddr) -> tokio::io::BufReader<tokio::net::TcpStream> {
    tokio::io::BufReader::new(
        tokio::net::TcpStream::connect(address)
            .await
            .expect("connect"),
    )
}

async fn sessions_are_limited_and_crowded_ones_time_out_sooner(db: Db) {
    let t = TestApp::spawn(db).await;
    let mut config = parley_smtp::SmtpConfig::new(&t.app.settings().relay_domain);
    config.limits = parley_smtp::gate::ConnectionLimits {
        total: 5,
        per_ip: 5,
    };
    config.command_timeout = std::time::Duration::from_secs(60);
    config.stressed_command_timeout = std::time::Duration::from_millis(300);
    let relay = relay_with(&t, config).await;
    // Five sessions: all greeted.
    let mut open = Vec::new();
    for _ in 0..5 {
        let mut session = connect(relay).await;
        assert!(line(&mut session).await.starts_with("220 "));
        open.push(session);
    }
    // A sixth is turned away, politely.
    let mut sixth = connect(relay).await;
    let refused = line(&mut sixth).await;
    assert!(refused.starts_with("421 4.7.0"), "{refused}");
    assert_eq!(line(&mut sixth).await, "", "then closed");
    // Every place taken is past 80 %: idle sessions get the short timeout, not the 60 s one,
    // even those that were waiting before the crowd came (once one leaves, the listener is
    // no longer crowded and the others keep the usual timeout).
    let started = std::time::Instant::now();
    let mut waiting = tokio::task::JoinSet::new();
    for mut session in open {
        waiting.spawn(async move { (line(&mut session).await, session) });
    }
    let (first, _) = waiting
        .join_next()
        .await
        .expect("a session")
        .expect("joined");
    assert!(first.starts_with("421 4.4.2"), "{first}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Their places come back once they close.
    waiting.abort_all();
    while waiting.join_next().await.is_some() {}
    let mut again = connect(relay).await;
    let mut greeted = line(&mut again).await;
    while greeted.starts_with("421 4.7.0") {
        // The closed sessions' places are given back as their tasks end.
        tokio::task::yield_now().await;
        again = connect(relay).await;
        greeted = line(&mut again).await;
    }
    assert!(greeted.starts_with("220 "), "{greeted}");
}

async fn a_data_phase_dripped_byte_by_byte_ends_at_its_deadline(db: Db) {
    use tokio::io::AsyncWriteExt;
    let t = crate::relay::spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker, &request, "Offer").await.status(), 201);
    let address = crate::relay::last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    let mut config = parley_smtp::SmtpConfig::new(&t.app.settings().relay_domain);
    config.data_deadline = std::time::Duration::from_secs(2);
    let relay = relay_with(&t, config).await;
    let mut session = connect(relay).await;
    assert!(line(&mut session).await.starts_with("220 "));
    session
        .get_mut()
        .write_all(
            format!("HELO c\r\nMAIL FROM:<ana@buyer.example>\r\nRCPT TO:<{address}>\r\nDATA\r\n")
                .as_bytes(),
        )
        .await
        .expect("write");
    for expected in ["250", "250", "250", "354"] {
        let reply = line(&mut session).await;
        assert!(reply.starts_with(expected), "{reply}");
    }
    // One byte every 200 ms: each read is well within the command timeout, but the phase as
    // a whole must end at its deadline.
    let started = std::time::Instant::now();
    let closed = loop {
        if session.get_mut().write_all(b"x").await.is_err() {
            break line(&mut session).await;
        }
        tokio::select! {
            reply = line(&mut session) => break reply,
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the DATA phase outlived its deadline"
        );
    };
    assert!(closed.starts_with("421 4.4.2"), "{closed}");
}

async fn unfinished_http_headers_are_cut_off_and_the_web_still_answers(db: Db) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestApp::spawn(db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    let limits = parley_web::HttpLimits {
        max_connections: 8,
        header_read_timeout: std::time::Duration::from_millis(500),
        ..parley_web::HttpLimits::default()
    };
    tokio::spawn(parley_web::serve_router(
        listener,
        parley_web::router(t.app.clone()),
        limits,
        std::future::pending(),
    ));
    // Eight clients start a request and never finish its headers: every place is taken.
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .expect("write");
        slow.push(stream);
    }
    // Each is let go after the header timeout...
    let started = std::time::Instant::now();
    for stream in &mut slow {
        let mut rest = Vec::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(20),
            stream.read_to_end(&mut rest),
        )
        .await
        .expect("closed by the server")
        .ok();
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // ...and the web answers again.
    let health = reqwest::get(format!("http://{address}/healthz"))
        .await
        .expect("GET");
    assert_eq!(health.status(), 200);
}

/// A reply as real mailboxes write them: `{body}` is the MIME after the From/To headers.
fn reply_with(to: &str, n: usize, content: &str) -> String {
    format!(
        "From: Ana <ana@buyer.example>\r\nTo: <{to}>\r\nSubject: Re: pump\r\n\
         Message-ID: <real{n}@buyer.example>\r\nMIME-Version: 1.0\r\n{content}"
    )
}

async fn signed_and_decorated_replies_are_accepted(db: Db) {
    let t = crate::relay::spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker, &request, "Offer").await.status(), 201);
    let address = crate::relay::last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    // (MIME, the text Parley must keep, the attachments it must name to the sender)
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSigned with S/MIME.\r\n--b1\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--b1--\r\n",
            "Signed with S/MIME.",
            &[],
        ),
        (
            "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSigned with PGP.\r\n--b1\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--b1--\r\n",
            "Signed with PGP.",
            &[],
        ),
        (
            "Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nThe meeting suits us.\r\n--b1\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n--b1--\r\n",
            "The meeting suits us.",
            &[],
        ),
        (
            "Content-Type: text; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nTm8gc3VidHlwZSBhdCBhbGwu\r\n",
            "No subtype at all.",
            &[],
        ),
        (
            "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nMy card.\r\n--b1\r\nContent-Type: text/x-vcard; name=\"ana.vcf\"\r\nContent-Disposition: attachment; filename=\"ana.vcf\"\r\n\r\nBEGIN:VCARD\r\nEND:VCARD\r\n--b1--\r\n",
            "My card.",
            &["ana.vcf"],
        ),
        (
            "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nFrom Outlook.\r\n--b1\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+IgAA\r\n--b1--\r\n",
            "From Outlook.",
            &["winmail.dat"],
        ),
        (
            "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee the mail below.\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d.example\r\nSubject: Old offer\r\n\r\nOld text\r\n--b1--\r\n",
            "See the mail below.",
            &["Old offer.eml"],
        ),
        (
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/msword; name=spec.doc\r\nContent-Disposition: attachment; filename=spec.doc\r\n\r\nnot a pdf\r\n--b--\r\n",
            "See attached.",
            &["spec.doc"],
        ),
    ];
    for (n, (mime, text, set_aside)) in cases.iter().enumerate() {
        crate::relay::send(
            t.smtp,
            "ana@buyer.example",
            &address,
            &reply_with(&address, n, mime),
        )
        .await
        .unwrap_or_else(|e| panic!("case {n} refused: {e}"));
        t.relay_caught_up().await;
        let detail = t
            .get_json(&t.maker.token, &format!("/api/v1/requests/{request}"))
            .await;
        let newest = &detail["threads"][0]["messages"][0];
        assert_eq!(newest["body"], *text, "case {n}");
        assert_eq!(newest["documents"], json!([]), "case {n}");
        let notices: Vec<_> = crate::relay::outbox(&t)
            .await
            .into_iter()
            .filter(|m| m.recipient == "ana@buyer.example" && m.kind == "attachments_set_aside")
            .collect();
        if set_aside.is_empty() {
            continue;
        }
        let notice = notices.first().expect("a notice");
        for name in *set_aside {
            assert!(notice.text_body.contains(name), "{}", notice.text_body);
        }
    }
    // A From naming two senders is refused: who wrote it cannot be told.
    let two = "From: ana@buyer.example, mallory@evil.example\r\nSubject: x\r\n\r\nHi\r\n";
    let refused = crate::relay::refusal(t.smtp, "ana@buyer.example", &address, two).await;
    assert!(refused.contains("5.7.1"), "{refused}");
}
