//! Bounces (issue "Real-world mail"): mail leaves a real SMTP server's way with a return path
//! naming it; a DSN sent with swaks to that return path marks it bounced (no more retries) and
//! tells the party; two hard bounces make the address undeliverable until its holder writes
//! again.

use std::process::Command;

use parley_smtp::DeliveryConfig;
use parley_smtp::sender::{Transport, deliver_due};

use crate::both;
use crate::helpers::{Db, SmtpSink, TestApp};

both!(a_bounce_marks_the_mail_and_tells_the_sender,);

const BUYER: &str = "ana@buyer.example";

fn dsn(return_path: &str, status: &str) -> String {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.buyer.example>\r\n\
To: {return_path}\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Auto-Submitted: auto-replied\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"RPT\"\r\n\
\r\n\
--RPT\r\n\
Content-Type: text/plain\r\n\
\r\n\
Your message could not be delivered.\r\n\
--RPT\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.buyer.example\r\n\
\r\n\
Final-Recipient: rfc822; {BUYER}\r\n\
Action: failed\r\n\
Status: {status}\r\n\
Diagnostic-Code: smtp; 550 {status} <{BUYER}>: Recipient address rejected: User unknown\r\n\
\r\n\
--RPT--\r\n"
    )
}

/// Sends `message` from the null sender to `to` through Parley's relay; the SMTP transcript.
fn swaks(t: &TestApp, to: &str, message: &str) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("dsn.eml");
    std::fs::write(&file, message).expect("write");
    let output = Command::new("swaks")
        .args(["--server", &t.smtp.to_string(), "--from", "<>", "--to", to])
        .arg("--data")
        .arg(&file)
        .output()
        .expect("swaks (installed by scripts/test)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The return path of the latest notice to the buyer, which the smarthost received with it.
async fn buyer_notice_path(t: &TestApp, sink: &SmtpSink) -> String {
    let mailbox = t.app.dev_mailbox(50).await.expect("mailbox");
    let notice = mailbox
        .iter()
        .find(|q| q.mail.recipient == BUYER && q.mail.kind == "new_message")
        .expect("a notice to the buyer");
    let path = parley_app::bounces::return_path(&notice.mail.id, "reply.parley.localhost");
    let dumped = sink.received();
    assert!(
        dumped.contains(&path),
        "sent with its return path {path}:\n{dumped}"
    );
    path
}

async fn a_bounce_marks_the_mail_and_tells_the_sender(db: Db) {
    let mut settings = TestApp::settings();
    settings.dev_mailbox = true;
    let t = TestApp::spawn_with(db, settings).await;
    let sink = SmtpSink::start();
    let config = DeliveryConfig {
        smarthost: Some(format!("smtp://127.0.0.1:{}", sink.port)),
        from_address: "noreply@reply.parley.localhost".to_owned(),
        message_id_domain: "reply.parley.localhost".to_owned(),
        poll_interval: std::time::Duration::from_secs(1),
        batch: 50,
        dkim: None,
    };
    let transport = Transport::new(&config).expect("transport");
    let deliver = || async {
        while t.app.queue_pending_notifications(50).await.expect("queue") > 0 {}
        deliver_due(&t.app, &config, &transport)
            .await
            .expect("deliver")
    };
    // Each step in a conversation of its own: notices of one conversation are gathered.
    let bounce_next = async |status: &str| {
        let (request, _) = t.request_from("FR", BUYER).await;
        assert_eq!(t.say(&t.maker, &request, "Our offer").await.status(), 201);
        deliver().await;
        let dumped = sink.received();
        assert!(dumped.contains("Our offer"), "{dumped}");
        let path = buyer_notice_path(&t, &sink).await;
        let transcript = swaks(&t, &path, &dsn(&path, status));
        assert!(
            transcript.contains("<-  250 2.0.0 Bounce noted"),
            "{transcript}"
        );
        request
    };

    let first = bounce_next("5.1.1").await;
    // The party hears it; the buyer's side does not.
    let kinds = t.history_kinds(&t.maker, &first).await;
    assert_eq!(kinds[0], "mail_bounced", "{kinds:?}");
    let buyer = crate::helpers::person(&t.app, BUYER).await;
    assert!(
        !t.history_kinds(&buyer, &first)
            .await
            .contains(&"mail_bounced".to_owned())
    );
    let history = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{first}/history"))
        .await;
    let bounced = &history["events"][0];
    assert_eq!(bounced["data"]["reason"], "mailbox_unknown");
    assert_eq!(bounced["data"]["code"], "550 5.1.1");
    // The bounced mail failed with the remote words, and is not tried again.
    let mailbox = t.app.dev_mailbox(50).await.expect("mailbox");
    let failed = mailbox
        .iter()
        .find(|q| {
            q.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("bounced: 550 5.1.1"))
        })
        .expect("the bounced mail");
    assert_eq!(failed.mail.recipient, BUYER);
    let pending: Vec<_> = mailbox
        .iter()
        .filter(|q| q.sent_at.is_none())
        .map(|q| {
            (
                q.mail.kind.clone(),
                q.mail.recipient.clone(),
                q.last_error.clone(),
            )
        })
        .collect();
    assert_eq!(deliver().await, 0, "{pending:?}");

    let page = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let html = page
        .client
        .get(t.url(&format!("/requests/{first}")))
        .header("cookie", &page.cookie)
        .header("accept-language", "en")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(
        html.contains("Not delivered to the buyer: mailbox unknown (550 5.1.1)"),
        "{html}"
    );
    // A second hard bounce: the address is undeliverable, notifications to it stop.
    bounce_next("5.1.1").await;
    let (third, buyer) = t.request_from("FR", BUYER).await;
    deliver().await;
    assert_eq!(t.say(&t.maker, &third, "Still there?").await.status(), 201);
    deliver().await;
    // The seller's own copy goes out; nothing reaches the buyer's address.
    let to_buyer = format!("X-Rcpt-Args: <{BUYER}>");
    assert!(
        !sink
            .mails()
            .iter()
            .any(|mail| mail.contains("Still there?") && mail.contains(&to_buyer)),
        "a notice reached an undeliverable address"
    );
    let mailbox = t.app.dev_mailbox(50).await.expect("mailbox");
    assert!(
        mailbox.iter().any(|q| q.mail.recipient == BUYER
            && q.last_error
                .as_deref()
                .is_some_and(|e| e.contains("undeliverable"))),
        "the notice to the buyer failed as undeliverable"
    );
    // The buyer writes from it again: it is deliverable again.
    assert_eq!(t.say(&buyer, &third, "Yes, here.").await.status(), 201);
    let (fourth, _) = t.request_from("FR", BUYER).await;
    deliver().await;
    assert_eq!(t.say(&t.maker, &fourth, "Welcome back").await.status(), 201);
    deliver().await;
    assert!(
        sink.mails()
            .iter()
            .any(|mail| mail.contains("Welcome back") && mail.contains(&to_buyer)),
        "the buyer is reached again"
    );

    // A delay notice or a mail that is no bounce changes nothing; an unknown id neither.
    let path = buyer_notice_path(&t, &sink).await;
    let delayed = dsn(&path, "4.4.1").replace("Action: failed", "Action: delayed");
    assert!(swaks(&t, &path, &delayed).contains("<-  250"));
    let unknown = "bounce-00000000000000000000000000000000@reply.parley.localhost";
    assert!(swaks(&t, unknown, &dsn(unknown, "5.1.1")).contains("<-  250"));
    let kinds = t.history_kinds(&t.maker, &fourth).await;
    assert!(!kinds.contains(&"mail_bounced".to_owned()), "{kinds:?}");
}
