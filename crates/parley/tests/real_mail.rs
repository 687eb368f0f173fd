//! Real-world mail against a running `parley serve` (issue "Real-world mail"), sent with swaks:
//! an out-of-office answer is noted, never a message; a DSN sent back to the return path of a
//! notification Parley delivered through a real smarthost (Postfix's smtp-sink) marks it
//! bounced and tells the seller; a reply with a forged From (its domain publishes DMARC
//! `p=reject`, in a DNS server the test starts) is held and its holder told.

use std::time::{Duration, Instant};

mod support;

use support::{curl, parley, run, smtp_sink, stdout, swaks};

#[test]
fn an_out_of_office_a_bounce_and_a_forged_reply_take_their_paths_through_a_running_serve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = run(parley(dir.path()).args(["--data-dir", "data", "demo"]));
    assert!(demo.status.success(), "{demo:?}");
    let printed = stdout(&demo);
    let support::DemoRelay {
        buyer,
        masked,
        request,
    } = support::demo_relay(&printed);
    let claire = support::claire_token(&printed);

    let mailbox = dir.path().join("sink");
    let (mut sink, port) = smtp_sink(&mailbox);
    let smarthost = format!("smtp://127.0.0.1:{port}");
    let domain = buyer.rsplit_once('@').expect("buyer address").1.to_owned();
    let dns = parley_test_support::dns::TestDns::start(&[
        (&domain, "v=spf1 ip4:192.0.2.10 -all"),
        (&format!("_dmarc.{domain}"), "v=DMARC1; p=reject"),
    ]);
    let dns_server = dns.addr.to_string();
    let (mut server, http, smtp, _log) = support::serve_with(
        dir.path(),
        &[
            "--data-dir",
            "data",
            "--smarthost",
            &smarthost,
            "--sender-auth",
            "enforce",
            "--dns-server",
            &dns_server,
        ],
    );
    let history = || {
        curl(&[
            "-H",
            &format!("Authorization: Bearer {claire}"),
            &format!("http://{http}/api/v1/requests/{request}/history"),
        ])
    };

    // An out-of-office answer: accepted, noted for the seller, never a message.
    let transcript = swaks(
        &smtp,
        &[
            "--from",
            &buyer,
            "--to",
            &masked,
            "--header",
            "Subject: Out of office",
            "--header",
            "Auto-Submitted: auto-replied",
            "--body",
            "I am away until Monday.",
        ],
    );
    assert!(transcript.contains("<-  250"), "{transcript}");
    let seen = history();
    assert!(seen.contains("automatic_reply_received"), "{seen}");
    let detail = curl(&[
        "-H",
        &format!("Authorization: Bearer {claire}"),
        &format!("http://{http}/api/v1/requests/{request}"),
    ]);
    assert!(!detail.contains("I am away"), "{detail}");

    // Claire writes; the notice to the buyer leaves through the smarthost with its return path.
    let marker = "Delivery in three weeks, marker 4711.";
    let posted = curl(&[
        "-H",
        &format!("Authorization: Bearer {claire}"),
        "-H",
        "Content-Type: application/json",
        "-d",
        &format!("{{\"body\": \"{marker}\"}}"),
        &format!("http://{http}/api/v1/requests/{request}/messages"),
    ]);
    assert!(posted.contains("\"id\""), "{posted}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let delivered = loop {
        let found = std::fs::read_dir(&mailbox)
            .expect("sink")
            .filter_map(Result::ok)
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .find(|mail| mail.contains(marker) && mail.contains(&buyer));
        if let Some(mail) = found {
            break mail;
        }
        assert!(
            Instant::now() < deadline,
            "the notice never reached the smarthost"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let return_path = delivered
        .split(|c: char| c == '<' || c == '>' || c.is_whitespace())
        .find(|w| w.starts_with("bounce-") && w.contains('@'))
        .expect("the return path in the smarthost's dump")
        .to_owned();
    let dsn = dir.path().join("dsn.eml");
    std::fs::write(
        &dsn,
        format!(
            "From: Mail Delivery System <MAILER-DAEMON@mx.buyer.example>\r\n\
             To: {return_path}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n\
             --R\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n\
             --R\r\nContent-Type: message/delivery-status\r\n\r\n\
             Reporting-MTA: dns; mx.buyer.example\r\n\r\n\
             Final-Recipient: rfc822; {buyer}\r\nAction: failed\r\nStatus: 5.2.2\r\n\
             Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n--R--\r\n"
        ),
    )
    .expect("dsn");
    let dsn = dsn.to_string_lossy().into_owned();
    let transcript = swaks(
        &smtp,
        &["--from", "<>", "--to", &return_path, "--data", &dsn],
    );
    assert!(
        transcript.contains("<-  250 2.0.0 Bounce noted"),
        "{transcript}"
    );
    let seen = history();
    assert!(seen.contains("mail_bounced"), "{seen}");
    assert!(seen.contains("mailbox_full"), "{seen}");

    // A forged reply: the buyer's address in From, sent from a machine the buyer's domain
    // does not name, unsigned. Accepted, held, not posted; the buyer is told through the
    // smarthost.
    let before: Vec<_> = std::fs::read_dir(&mailbox)
        .expect("sink")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    let forged = "Please pay to IBAN XX00 1234 from now on.";
    let transcript = swaks(
        &smtp,
        &["--from", &buyer, "--to", &masked, "--body", forged],
    );
    assert!(
        transcript.contains("<-  250 2.0.0 Message held until its sender is confirmed"),
        "{transcript}"
    );
    let detail = curl(&[
        "-H",
        &format!("Authorization: Bearer {claire}"),
        &format!("http://{http}/api/v1/requests/{request}"),
    ]);
    assert!(!detail.contains("IBAN"), "{detail}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let told = std::fs::read_dir(&mailbox)
            .expect("sink")
            .filter_map(Result::ok)
            .filter(|e| !before.contains(&e.path()))
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .any(|mail| mail.contains(&buyer) && mail.contains(&format!("/requests/{request}")));
        if told {
            break;
        }
        assert!(Instant::now() < deadline, "the holder was never told");
        std::thread::sleep(Duration::from_millis(50));
    }

    server.kill().expect("kill");
    server.wait().expect("wait");
    sink.kill().expect("kill sink");
    sink.wait().expect("wait sink");
}
