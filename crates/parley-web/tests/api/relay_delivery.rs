//! The relay's edges with real SMTP clients and servers: what it must refuse, a message
//! delivered twice stored once, outbound mail reaching a real SMTP server (Postfix's smtp-sink)
//! with failures retried.

use crate::both;
use crate::helpers::{Db, SmtpSink, free_port, pdf};
use crate::relay::{bodies, email, last_mail, refusal, send, spawn};

both!(
    the_relay_refuses_what_it_must,
    a_message_delivered_twice_is_stored_once,
    outbound_mail_reaches_a_real_smtp_server_and_failures_retry,
);

async fn the_relay_refuses_what_it_must(db: Db) {
    let sqlite = matches!(db, Db::Sqlite);
    let t = spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker, &request, "Our offer.").await.status(), 201);
    let address = last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    let ok_email = |from: &str| email(from, &address, "x@example.com", "Hello");

    let unknown = "aaaaaaaaaaaaaaaaaaaaaaaa@reply.parley.localhost";
    let refused = refusal(
        t.smtp,
        "ana@buyer.example",
        unknown,
        &ok_email("ana@buyer.example"),
    )
    .await;
    assert!(refused.contains("5.1.1"), "{refused}");

    let spoofed = refusal(
        t.smtp,
        "eve@evil.example",
        &address,
        &ok_email("eve@evil.example"),
    )
    .await;
    assert!(spoofed.contains("5.7.1"), "{spoofed}");

    // Right envelope, forged From header.
    let forged = refusal(
        t.smtp,
        "ana@buyer.example",
        &address,
        &ok_email("claire@hydrotech.example"),
    )
    .await;
    assert!(forged.contains("5.7.1"), "{forged}");

    let elsewhere = refusal(
        t.smtp,
        "ana@buyer.example",
        "bob@gmail.example",
        &ok_email("ana@buyer.example"),
    )
    .await;
    assert!(elsewhere.contains("5.7.1"), "{elsewhere}");

    let huge = email(
        "ana@buyer.example",
        &address,
        "big@example.com",
        &"x".repeat(80).repeat(20_000),
    );
    let refused = refusal(t.smtp, "ana@buyer.example", &address, &huge).await;
    assert!(refused.contains("5.3.4"), "{refused}");

    // Nothing written, only the history of earlier emails: refused as empty, with why.
    let history = email(
        "ana@buyer.example",
        &address,
        "history@example.com",
        "> On Mon, 3 May 2026 at 10:02, Claire <x@example.com> wrote:\r\n>\r\n>> On Sun, 2 May 2026 at 09:00, Ana <y@example.com> wrote:\r\n>>",
    );
    let refused = refusal(t.smtp, "ana@buyer.example", &address, &history).await;
    assert!(
        refused.contains("5.6.0") && refused.contains("no text of its own"),
        "{refused}"
    );

    // None of these reached the conversation.
    let messages = bodies(&t, &t.maker, &request).await;
    assert_eq!(messages.len(), 1, "{messages:?}");

    // A PDF is stored like a web document.
    let pdf = pdf();
    let encoded = base64(&pdf);
    let with_pdf = format!(
        "From: <ana@buyer.example>\r\nTo: <{address}>\r\nSubject: order\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nOur order form.\r\n--b\r\nContent-Type: application/pdf; name=order.pdf\r\nContent-Disposition: attachment; filename=order.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b--\r\n"
    );
    send(t.smtp, "ana@buyer.example", &address, &with_pdf)
        .await
        .expect("PDF accepted");
    let messages = bodies(&t, &t.maker, &request).await;
    assert_eq!(messages[0]["body"], "Our order form.");
    assert_eq!(messages[0]["documents"][0]["filename"], "order.pdf");

    // A revoked address is refused like an unknown one.
    let token = address.split('@').next().expect("token");
    assert!(t.app.revoke_relay_address(token).await.expect("revoke"));
    let refused = refusal(
        t.smtp,
        "ana@buyer.example",
        &address,
        &ok_email("ana@buyer.example"),
    )
    .await;
    assert!(refused.contains("5.1.1"), "{refused}");

    // /metrics counts what the relay answered, and the mail waiting to go out.
    let metrics = t.text("/metrics").await;
    let value = |line: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{line} in {metrics}"))
    };
    assert_eq!(value("parley_relay_messages_accepted_total "), 1.0);
    assert_eq!(value("parley_relay_refusals_total{code=\"550\"} "), 6.0);
    assert_eq!(value("parley_relay_refusals_total{code=\"552\"} "), 1.0);
    assert!(value("parley_mail_queue_depth ") >= 1.0, "{metrics}");
    assert!(value("parley_mail_queue_oldest_age_seconds ") >= 0.0);
    // The store's write paths: on SQLite the accepted reply was made durable before its 250,
    // then folded into its conversation, and nothing waits any more.
    for path in ["sqlx", "direct", "fold"] {
        value(&format!("parley_store_batches_total{{path=\"{path}\"}} "));
        value(&format!(
            "parley_store_batch_seconds_total{{path=\"{path}\"}} "
        ));
    }
    if sqlite {
        assert!(value("parley_store_batch_units_total{path=\"fold\"} ") >= 1.0);
        assert!(value("parley_relay_intake_messages_total ") >= 1.0);
        assert!(value("parley_relay_intake_syncs_total ") >= 1.0);
        assert!(value("parley_relay_intake_wait_seconds_total ") > 0.0);
        assert_eq!(value("parley_relay_unfolded_messages "), 0.0);
        assert_eq!(value("parley_relay_fold_lag_seconds "), 0.0);
    } else {
        assert!(
            !metrics.contains("parley_relay_unfolded_messages"),
            "{metrics}"
        );
    }
}

async fn a_message_delivered_twice_is_stored_once(db: Db) {
    let t = spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker, &request, "Our offer.").await.status(), 201);
    let address = last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    let raw = email(
        "ana@buyer.example",
        &address,
        "same@buyer.example",
        "Only once.",
    );
    for _ in 0..2 {
        send(t.smtp, "ana@buyer.example", &address, &raw)
            .await
            .expect("250 both times");
    }
    let messages = bodies(&t, &t.maker, &request).await;
    let copies = messages
        .iter()
        .filter(|m| m["body"] == "Only once.")
        .count();
    assert_eq!(copies, 1);

    // Sent at the same time, replies share one commit of the writer; the copies among them
    // fail on the unique Message-ID, which must neither lose the others nor be stored twice.
    let raws: Vec<String> = (0..12)
        .map(|i| {
            email(
                "ana@buyer.example",
                &address,
                &format!("burst-{}@buyer.example", i % 6),
                &format!("Burst {}.", i % 6),
            )
        })
        .collect();
    let mut sends = tokio::task::JoinSet::new();
    for raw in raws {
        let (smtp, address) = (t.smtp, address.clone());
        sends.spawn(async move { send(smtp, "ana@buyer.example", &address, &raw).await });
    }
    while let Some(sent) = sends.join_next().await {
        sent.expect("task").expect("250 for every copy");
    }
    let after = bodies(&t, &t.maker, &request).await;
    for i in 0..6 {
        let body = format!("Burst {i}.");
        assert_eq!(
            after.iter().filter(|m| m["body"] == body).count(),
            1,
            "{body}"
        );
    }
    assert_eq!(after.len(), messages.len() + 6);
    let messages = after;

    // Threads follow the masked address, never the Message-ID: the same Message-ID sent to
    // the address of another conversation lands there, and does not merge the two.
    let (other, _) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker, &other, "Other offer.").await.status(), 201);
    let other_address = last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    assert_ne!(other_address, address);
    let raw = email(
        "ana@buyer.example",
        &other_address,
        "same@buyer.example",
        "Only once.",
    );
    send(t.smtp, "ana@buyer.example", &other_address, &raw)
        .await
        .expect("250 in the other conversation");
    let in_other = bodies(&t, &t.maker, &other).await;
    assert_eq!(in_other[0]["body"], "Only once.");
    assert_eq!(bodies(&t, &t.maker, &request).await.len(), messages.len());
}

async fn outbound_mail_reaches_a_real_smtp_server_and_failures_retry(db: Db) {
    use parley_smtp::DeliveryConfig;
    use parley_smtp::sender::{Transport, deliver_due};

    let t = spawn(db).await;
    let config = |port: u16| DeliveryConfig {
        smarthost: Some(format!("smtp://127.0.0.1:{port}")),
        from_address: "noreply@reply.parley.localhost".to_owned(),
        message_id_domain: "reply.parley.localhost".to_owned(),
        poll_interval: std::time::Duration::from_secs(1),
        batch: 50,
        dkim: None,
    };
    // Nothing listens: the attempt fails and is scheduled again.
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    let closed = free_port();
    let down = config(closed);
    let claimed = deliver_due(&t.app, &down, &Transport::new(&down).expect("transport"))
        .await
        .expect("deliver");
    assert_eq!(claimed, 1);
    let queued = t.app.dev_mailbox(10).await.expect("mailbox");
    assert_eq!(queued[0].attempts, 1);
    assert!(queued[0].sent_at.is_none());
    assert!(queued[0].last_error.is_some());
    // Not due again right away (backoff), so a second pass claims nothing.
    let again = deliver_due(&t.app, &down, &Transport::new(&down).expect("transport"))
        .await
        .expect("deliver");
    assert_eq!(again, 0);

    // With a real SMTP server up, new mail is delivered.
    let sink = SmtpSink::start();
    let up = config(sink.port);
    assert_eq!(
        t.say(&t.maker, &request, "Delivered for real.")
            .await
            .status(),
        201
    );
    // The worker first queues the new message's notifications, then delivers.
    assert_eq!(
        t.app.queue_pending_notifications(10).await.expect("queue"),
        1
    );
    let delivered = deliver_due(&t.app, &up, &Transport::new(&up).expect("transport"))
        .await
        .expect("deliver");
    assert_eq!(
        delivered, 2,
        "the buyer's notification and the seller's copy"
    );
    let dumped = sink.received();
    // Autoresponders must not answer Parley's mail (RFC 3834): no loops.
    assert!(
        dumped.contains("Auto-Submitted: auto-generated"),
        "{dumped}"
    );
    assert!(dumped.contains("Delivered for real."), "{dumped}");
    assert!(dumped.contains("@reply.parley.localhost"));
    assert!(dumped.contains("Content-Type: text/html"));
    let sent = t.app.dev_mailbox(10).await.expect("mailbox");
    assert!(sent.iter().filter(|q| q.sent_at.is_some()).count() >= 2);
    // Each row is sent once: nothing left to claim.
    let left = deliver_due(&t.app, &up, &Transport::new(&up).expect("transport"))
        .await
        .expect("deliver");
    assert_eq!(left, 0);

    // Without a smarthost, mail ends in the development mailbox: marked delivered without
    // being rendered, and rendered when the mailbox shows it.
    let dev = DeliveryConfig {
        smarthost: None,
        ..config(0)
    };
    // (A conversation of its own: another mail to Ana in the first within two minutes would
    // wait to be gathered.)
    let (other, _) = t.request_from("FR", "bea@buyer.example").await;
    assert_eq!(
        t.say(&t.maker, &other, "Kept for the dev mailbox.")
            .await
            .status(),
        201
    );
    t.app.queue_pending_notifications(10).await.expect("queue");
    let kept = deliver_due(&t.app, &dev, &Transport::new(&dev).expect("transport"))
        .await
        .expect("deliver");
    assert_eq!(
        kept, 3,
        "the new request's mail to its handler, and both notices"
    );
    let shown = t.app.dev_mailbox(10).await.expect("mailbox");
    let latest: Vec<_> = shown
        .iter()
        .filter(|q| q.mail.text_body.contains("Kept for the dev mailbox."))
        .collect();
    assert_eq!(latest.len(), 2, "both notices, rendered");
    assert!(latest.iter().all(|q| q.sent_at.is_some()));
    assert!(latest.iter().all(|q| {
        q.mail
            .html_body
            .as_deref()
            .is_some_and(|h| h.contains("Kept for the dev"))
    }));
}

fn base64(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}
