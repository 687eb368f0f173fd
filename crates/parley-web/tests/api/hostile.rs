//! Hostile and unlucky input: one bad value never stops the service.

use parley_app::mail::outbox::Mail;
use parley_smtp::DeliveryConfig;
use parley_smtp::sender::{Transport, deliver_due};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, SmtpSink, TestApp, error_codes, free_port};

both!(
    control_characters_never_enter_a_header_field,
    one_bad_mail_fails_alone_and_the_others_go_out,
    a_failing_worker_shows_in_health_and_metrics,
    sessions_are_limited_and_crowded_ones_time_out_sooner,
    a_data_phase_dripped_byte_by_byte_ends_at_its_deadline,
    unfinished_http_headers_are_cut_off_and_the_web_still_answers,
    a_genuine_sign_in_link_never_leads_off_site,
    a_marketplace_never_changes_what_another_sent_about_a_buyer,
    signed_and_decorated_replies_are_accepted,
    floods_are_limited,
    a_burst_of_messages_is_notified_once_then_gathered,
    pages_carry_security_headers,
    oversized_fields_are_refused,
    the_dev_mailbox_pages_and_cuts_huge_mail,
);

fn request_body(t: &TestApp, name: &str, company: &str, product: &str) -> Value {
    json!({
        "buyer": {
            "name": name,
            "company": company,
            "country": "FR",
            "language": "fr",
            "email": "evil@buyer.example",
        },
        "manufacturer_id": t.manufacturer.to_string(),
        "product": { "reference": "HT-200", "name": product },
        "message": "Bonjour"
    })
}

async fn control_characters_never_enter_a_header_field(db: Db) {
    let t = TestApp::spawn(db).await;
    let hostile = request_body(
        &t,
        "Evil\"\r\nBcc: victim@x.example",
        "Acme\nX-Injected: 1",
        "Pump\u{202E}fdp.exe",
    );
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &hostile)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.expect("json");
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    for field in ["buyer.name", "buyer.company", "product.name"] {
        assert!(
            fields.contains(&(field, "control_character")),
            "{field} in {fields:?}"
        );
    }
    // Nothing was queued for anyone.
    let mut conn = t.app.store().read().await.expect("conn");
    let queued = parley_store::outbox::recent(&mut conn, 10)
        .await
        .expect("rows");
    assert!(queued.is_empty(), "{queued:?}");
    drop(conn);
    let fine = request_body(&t, "Élodie \"Lodie\" Fabre", "Fabre & Fils", "Pump");
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &fine)
        .await;
    assert_eq!(response.status(), 201, "quotes and accents are fine");

    // A network member's name goes through the same rule.
    let response = t
        .post_json(
            &t.maker.token,
            "/api/v1/network/members",
            &json!({
                "name": "Bad\r\nName", "kind": "distributor", "territories": "IT",
                "contact_name": "Ok Name", "contact_email": "ok@it.example",
            }),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        error_codes(response)
            .await
            .contains(&"control_character".to_owned())
    );
}

fn smarthost(port: u16) -> DeliveryConfig {
    DeliveryConfig {
        smarthost: Some(format!("smtp://127.0.0.1:{port}")),
        from_address: "noreply@reply.parley.localhost".to_owned(),
        message_id_domain: "reply.parley.localhost".to_owned(),
        poll_interval: std::time::Duration::from_secs(1),
        batch: 50,
        dkim: None,
    }
}

/// Queues `mail` as an older Parley (or a forgotten path) might have: straight into the outbox.
async fn enqueue(t: &TestApp, mail: Mail) {
    t.app
        .store()
        .write(mail, |tx, mail| {
            Box::pin(parley_store::outbox::enqueue(tx, mail))
        })
        .await
        .expect("enqueue");
}

fn mail(id: &str, recipient: &str, from_name: &str) -> Mail {
    Mail {
        id: id.to_owned(),
        recipient: recipient.to_owned(),
        subject: "Line one\r\nBcc: victim@x.example".to_owned(),
        text_body: format!("Body of {id}"),
        from_name: Some(from_name.to_owned()),
        kind: "test".to_owned(),
        created_at: parley_app::now().0,
        ..Mail::default()
    }
}

async fn one_bad_mail_fails_alone_and_the_others_go_out(db: Db) {
    let t = TestApp::spawn(db).await;
    let sink = SmtpSink::start();
    let config = smarthost(sink.port);
    // A display name that made lettre panic, a recipient that cannot be an address, and an
    // ordinary mail, in one batch.
    enqueue(
        &t,
        mail(
            "00000000-0000-7000-8000-000000000001",
            "ana@buyer.example",
            "Evil\"\r\nBcc: victim@x.example",
        ),
    )
    .await;
    enqueue(
        &t,
        mail(
            "00000000-0000-7000-8000-000000000002",
            "not an address",
            "Fine",
        ),
    )
    .await;
    enqueue(
        &t,
        mail(
            "00000000-0000-7000-8000-000000000003",
            "bob@buyer.example",
            "Fine",
        ),
    )
    .await;
    let claimed = deliver_due(
        &t.app,
        &config,
        &Transport::new(&config).expect("transport"),
    )
    .await
    .expect("the worker goes on");
    assert_eq!(claimed, 3);
    let received = sink.received();
    assert!(received.contains("Body of 00000000-0000-7000-8000-000000000001"));
    assert!(received.contains("Body of 00000000-0000-7000-8000-000000000003"));
    assert!(
        !received
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "no header was injected: {received}"
    );
    let mut conn = t.app.store().read().await.expect("conn");
    let rows = parley_store::outbox::recent(&mut conn, 10)
        .await
        .expect("rows");
    let bad = rows
        .iter()
        .find(|q| q.mail.recipient == "not an address")
        .expect("bad row");
    assert!(bad.sent_at.is_none());
    let error = bad.last_error.as_deref().unwrap_or_default();
    assert!(error.contains("build"), "{error}");
    assert!(error.contains("gave up"), "not retried forever: {error}");
    assert_eq!(rows.iter().filter(|q| q.sent_at.is_some()).count(), 2);
    // Nothing left to claim: the bad mail is not leased again.
    assert_eq!(
        deliver_due(
            &t.app,
            &config,
            &Transport::new(&config).expect("transport")
        )
        .await
        .expect("deliver"),
        0
    );
    let metrics = t
        .client
        .get(t.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("parley_mail_failures_total{reason=\"build\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("parley_mail_delivered_total 2"),
        "{metrics}"
    );
}

async fn a_failing_worker_shows_in_health_and_metrics(db: Db) {
    let t = TestApp::spawn(db).await;
    let health = || async {
        let response = t
            .client
            .get(t.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        (
            response.status().as_u16(),
            response.text().await.expect("text"),
        )
    };
    t.app.worker_health().started();
    assert_eq!(health().await.0, 200);
    // The smarthost is down: every delivery fails.
    let down = smarthost(free_port());
    for n in 0..parley_app::worker_health::FAILING_AFTER {
        enqueue(
            &t,
            mail(
                &format!("00000000-0000-7000-8000-0000000001{n:02}"),
                "ana@buyer.example",
                "Parley",
            ),
        )
        .await;
    }
    deliver_due(&t.app, &down, &Transport::new(&down).expect("transport"))
        .await
        .expect("deliver");
    let (status, body) = health().await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("worker: failing"), "{body}");
    assert!(body.contains("database: ok"), "{body}");
}

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

async fn a_genuine_sign_in_link_never_leads_off_site(db: Db) {
    let t = TestApp::spawn(db).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for next in [
        "/\t/evil.example/phish",
        "//evil.example",
        "/x\r\nSet-Cookie: a=b",
        "/x\n",
        "/x\u{b}",
        "/x\u{0}",
    ] {
        let (link, _) = t
            .app
            .create_sign_in_link("claire@hydrotech.example", next)
            .await
            .expect("link")
            .expect("known address");
        let response = client
            .get(t.url(&format!("/signin/{link}")))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
    }
}

async fn a_marketplace_never_changes_what_another_sent_about_a_buyer(db: Db) {
    let t = TestApp::spawn(db).await;
    let luc = |name: &str, company: &str, phone: &str| {
        json!({
            "buyer": {
                "name": name, "company": company, "country": "FR", "language": "fr",
                "email": "luc.moreau@buyer.example", "phone": phone,
            },
            "manufacturer_id": t.manufacturer.to_string(),
            "product": { "reference": "HT-200", "name": "Pump" },
            "message": "Bonjour"
        })
    };
    let genuine = t
        .post_json(
            &t.marketplace_key,
            "/api/v1/requests",
            &luc("Luc Moreau", "Moreau SARL", "+33 1 23 45 67 89"),
        )
        .await;
    assert_eq!(genuine.status(), 201);
    let genuine: Value = genuine.json().await.expect("json");
    // Another marketplace sends a request with Luc's address and someone else's details.
    let archiexpo = parley_domain::Marketplace {
        id: parley_domain::MarketplaceId::new(),
        slug: "archiexpo".into(),
        name: "ArchiExpo".into(),
    };
    t.app
        .store()
        .write(archiexpo, |tx, archiexpo| {
            Box::pin(parley_store::directory::insert_marketplace(tx, archiexpo))
        })
        .await
        .expect("marketplace");
    let other_key = t
        .app
        .create_marketplace_key("archiexpo", "test")
        .await
        .expect("key");
    let forged = t
        .post_json(
            &other_key,
            "/api/v1/requests",
            &luc("Mallory", "EvilCorp", "+1 555 0100"),
        )
        .await;
    assert_eq!(forged.status(), 201);
    // Luc's first request still shows what its own marketplace sent, phone included.
    let id = genuine["id"].as_str().expect("id");
    let detail = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{id}"))
        .await;
    assert_eq!(detail["buyer"]["name"], "Luc Moreau", "{detail}");
    assert_eq!(detail["buyer"]["company"], "Moreau SARL");
    let phone = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{id}/phone"),
            &json!({}),
        )
        .await;
    let phone: Value = phone.json().await.expect("json");
    assert_eq!(phone["phone"], "+33 1 23 45 67 89", "{phone}");
    let listed = t
        .get_json(&t.maker.token, "/api/v1/requests")
        .await
        .to_string();
    assert!(
        listed.contains("Luc Moreau") && listed.contains("Mallory"),
        "{listed}"
    );

    // A seller's address cannot be a buyer's: it could never sign in as one.
    let mut seller = luc("Claire", "Hydrotech", "");
    seller["buyer"]["email"] = json!("claire@hydrotech.example");
    let refused = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &seller)
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["email_of_a_seller"]);
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

async fn floods_are_limited(db: Db) {
    let t = TestApp::spawn_with(
        db,
        parley_app::Settings {
            dev_mailbox: true,
            limits: parley_app::limits::LimitSettings {
                sign_in_per_address_hourly: 3,
                sign_in_per_ip_hourly: 20,
                api_per_second: 1,
                api_burst: 5,
                relay_per_minute: 2,
            },
            ..TestApp::settings()
        },
    )
    .await;
    // The API: a burst, then 429 with Retry-After, as a problem document.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(t.get(&t.maker.token, "/api/v1/requests").await);
    }
    let limited = statuses
        .into_iter()
        .find(|r| r.status() == 429)
        .expect("a 429 within 8 calls at 1/s with a burst of 5");
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    // Another token is not slowed down.
    assert_eq!(
        t.get(&t.maker2.token, "/api/v1/requests").await.status(),
        200
    );

    // Sign-in emails: at most 3 an hour for one address, then 429 and nothing queued.
    let client = reqwest::Client::new();
    let form = client.get(t.url("/signin")).send().await.expect("GET");
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let page = form.text().await.expect("text");
    let token = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("form token")
        .to_owned();
    let mut codes = Vec::new();
    for _ in 0..5 {
        let response = client
            .post(t.url("/signin"))
            .header("cookie", &cookie)
            .form(&[("email", "tom@hydrotech.example"), ("form_token", &token)])
            .send()
            .await
            .expect("POST");
        codes.push(response.status().as_u16());
    }
    assert_eq!(codes, [200, 200, 200, 429, 429]);
    let links = crate::relay::outbox(&t)
        .await
        .into_iter()
        .filter(|m| m.recipient == "tom@hydrotech.example" && m.kind == "sign_in_link")
        .count();
    assert_eq!(links, 3);

    // The relay: 2 replies a minute per sender and conversation, then 451 4.7.1.
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker2, &request, "Offer").await.status(), 201);
    let address = crate::relay::last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    for n in 0..2 {
        let raw = crate::relay::email("ana@buyer.example", &address, &format!("f{n}@b"), "Hi");
        crate::relay::send(t.smtp, "ana@buyer.example", &address, &raw)
            .await
            .expect("250");
    }
    let raw = crate::relay::email("ana@buyer.example", &address, "f3@b", "Hi again");
    let refused = crate::relay::refusal(t.smtp, "ana@buyer.example", &address, &raw).await;
    assert!(
        refused.contains("451") && refused.contains("4.7.1"),
        "{refused}"
    );
}

async fn a_burst_of_messages_is_notified_once_then_gathered(db: Db) {
    let t = crate::relay::spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    let to_ana = |t: &TestApp| {
        let t = t.app.clone();
        async move {
            while t.queue_pending_notifications(100).await.expect("queue") > 0 {}
            t.dev_mailbox(100)
                .await
                .expect("mailbox")
                .into_iter()
                .filter(|q| q.mail.recipient == "ana@buyer.example" && q.mail.kind == "new_message")
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(t.say(&t.maker, &request, "First.").await.status(), 201);
    let first = to_ana(&t).await;
    assert_eq!(first.len(), 1, "the first is emailed at once");
    // The worker hands it over (the dev mailbox: marked sent).
    t.app.outbox_to_dev_mailbox(100).await.expect("deliver");
    // Two more within two minutes, each queued by its own worker round: one digest, later.
    assert_eq!(t.say(&t.maker, &request, "Second.").await.status(), 201);
    to_ana(&t).await;
    assert_eq!(t.say(&t.maker, &request, "Third.").await.status(), 201);
    let all = to_ana(&t).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let digest = &all[0];
    assert!(digest.sent_at.is_none(), "the digest waits");
    assert!(
        // The buyer reads Spanish: the digest says so in Spanish.
        digest.mail.text_body.contains("2 mensajes nuevos"),
        "{}",
        digest.mail.text_body
    );
    assert!(digest.mail.text_body.contains("Third."));
    // Not due yet: the worker's next pass leaves it.
    let delivered = t.app.outbox_to_dev_mailbox(100).await.expect("deliver");
    assert!(!delivered.contains(&digest.mail.id), "{delivered:?}");
}

async fn pages_carry_security_headers(db: Db) {
    let t = TestApp::spawn(db).await;
    for path in ["/signin", "/api/v1/requests", "/healthz"] {
        let response = t.client.get(t.url(path)).send().await.expect("GET");
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
    // The pages' own markup needs nothing the policy forbids: no inline script or style.
    let page = t.text("/signin").await;
    assert!(
        !page.contains("<script>") && !page.contains(" style=\""),
        "{page}"
    );
}

async fn oversized_fields_are_refused(db: Db) {
    let t = TestApp::spawn(db).await;
    let mut body = request_body(&t, "Ana", "Acme", "Pump");
    body["message"] = json!("x".repeat(parley_domain::message::MAX_MESSAGE_CHARS + 1));
    let refused = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["message_too_long"]);
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    let long = "y".repeat(1_000_000);
    let refused = t.say(&t.maker, &request, &long).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["message_too_long"]);
}

async fn the_dev_mailbox_pages_and_cuts_huge_mail(db: Db) {
    let t = crate::relay::spawn(db).await;
    for n in 0..60 {
        let mut queued = mail(
            &format!("00000000-0000-7000-8000-0000000002{n:02}"),
            "ana@buyer.example",
            "Parley",
        );
        queued.created_at += n;
        if n == 59 {
            queued.text_body = "x".repeat(1_000_000);
        }
        enqueue(&t, queued).await;
    }
    let page = t
        .client
        .get(t.url("/dev/mail"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert_eq!(page.matches("class=\"card mail\"").count(), 50);
    assert!(
        page.len() < 200_000,
        "the 1 MB line is cut: {} bytes",
        page.len()
    );
    assert!(page.contains("more characters]"));
    let older = page
        .split("href=\"/dev/mail?before=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older mail");
    let rest = t
        .client
        .get(t.url(&format!("/dev/mail?before={older}")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert_eq!(rest.matches("class=\"card mail\"").count(), 10);
    assert!(!rest.contains("href=\"/dev/mail?before="));
}
