//! The email relay with real SMTP clients (lettre, and Debian's swaks) against Parley's
//! listener, on SQLite and PostgreSQL (what it refuses and outbound delivery: `relay_delivery`).

use std::net::SocketAddr;
use std::process::Command;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use parley_app::mail::outbox::Mail;
use serde_json::Value;

use crate::both;
use crate::helpers::{Db, Person, TestApp};

pub(crate) async fn spawn(db: Db) -> TestApp {
    TestApp::spawn_with_dev_mailbox(db).await
}

/// The queued mail, newest first (after the worker's step that queues the notifications of
/// new messages).
pub(crate) async fn outbox(t: &TestApp) -> Vec<Mail> {
    t.relay_caught_up().await;
    while t.app.queue_pending_notifications(100).await.expect("queue") > 0 {}
    t.app
        .dev_mailbox(200)
        .await
        .expect("mailbox")
        .into_iter()
        .map(|q| q.mail)
        .collect()
}

/// The newest mail to `recipient` of `kind`.
pub(crate) async fn last_mail(t: &TestApp, recipient: &str, kind: &str) -> Mail {
    outbox(t)
        .await
        .into_iter()
        .find(|m| m.recipient == recipient && m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} mail to {recipient}"))
}

fn lettre_client(smtp: SocketAddr) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.ip().to_string())
        .port(smtp.port())
        .build()
}

/// Sends `raw` with lettre; `Ok` on 250, else the reply's code and text.
pub(crate) async fn send(
    smtp: SocketAddr,
    from: &str,
    to: &str,
    raw: impl AsRef<[u8]>,
) -> Result<(), String> {
    let envelope = Envelope::new(
        Some(from.parse().expect("from")),
        vec![to.parse().expect("to")],
    )
    .expect("envelope");
    lettre_client(smtp)
        .send_raw(&envelope, raw.as_ref())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Sends `raw` expecting a refusal; returns the reply's code and text.
pub(crate) async fn refusal(smtp: SocketAddr, from: &str, to: &str, raw: &str) -> String {
    send(smtp, from, to, raw)
        .await
        .expect_err("the relay should refuse this message")
}

pub(crate) fn email(from: &str, to: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: Re: pump\r\nMessage-ID: <{message_id}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        body.replace('\n', "\r\n")
    )
}

/// The request as `who` sees it, once the relay's accepted mail is in it (milliseconds after
/// the `250` on SQLite; waiting for it here keeps the reads exact).
pub(crate) async fn history(t: &TestApp, who: &Person, request: &str) -> Value {
    t.relay_caught_up().await;
    t.get_json(&who.token, &format!("/api/v1/requests/{request}"))
        .await
}

/// All message bodies `who` sees in the request, newest first.
pub(crate) async fn bodies(t: &TestApp, who: &Person, request: &str) -> Vec<Value> {
    history(t, who, request).await["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .flat_map(|thread| thread["messages"].as_array().cloned().unwrap_or_default())
        .collect()
}

both!(
    notifications_are_queued_once_by_concurrent_workers,
    a_reply_travels_buyer_relay_seller_and_back,
    people_in_copy_may_answer_the_buyer,
    an_automatic_reply_is_noted_never_passed_on,
);

/// An out-of-office answer to a notification: 250 (no bounce), one event for the party it
/// answered, no message, no notification, nothing for the other side.
async fn an_automatic_reply_is_noted_never_passed_on(db: Db) {
    let t = spawn(db).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(t.say(&t.maker, &request, "Our offer.").await.status(), 201);
    let address = last_mail(&t, "ana@buyer.example", "new_message")
        .await
        .from_address
        .expect("masked");
    let mails_before = outbox(&t).await.len();
    for headers in [
        "Auto-Submitted: auto-replied\r\n",
        "X-Autoreply: yes\r\n",
        "Subject: Réponse automatique : absente jusqu'au 5\r\n",
    ] {
        let raw = format!(
            "From: <ana@buyer.example>\r\nTo: <{address}>\r\n{headers}\
             Content-Type: text/plain; charset=utf-8\r\n\r\nI am away until Monday.\r\n"
        );
        send(t.smtp, "ana@buyer.example", &address, &raw)
            .await
            .expect("250: never bounced");
    }
    let messages = bodies(&t, &t.maker, &request).await;
    assert_eq!(messages.len(), 1, "not a message: {messages:?}");
    let seller_sees = t.history_kinds(&t.maker, &request).await;
    let noted = seller_sees
        .iter()
        .filter(|k| *k == "automatic_reply_received")
        .count();
    assert_eq!(noted, 3, "{seller_sees:?}");
    let buyer_sees = t.history_kinds(&buyer, &request).await;
    assert!(!buyer_sees.contains(&"automatic_reply_received".to_owned()));
    assert_eq!(outbox(&t).await.len(), mails_before, "nobody is notified");
}

async fn a_reply_travels_buyer_relay_seller_and_back(db: Db) {
    let t = spawn(db).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    // The handler hears of the request from their masked address in the thread.
    let new_request = last_mail(&t, "claire@hydrotech.example", "new_request").await;
    let seller_address = new_request.from_address.clone().expect("masked from");
    assert!(seller_address.ends_with("@reply.parley.localhost"));
    assert!(
        new_request
            .text_body
            .contains("¿Pueden enviarme un presupuesto?")
    );

    let sent = t
        .say(&t.maker, &request, "Here is our offer: 1,250 EUR.")
        .await;
    assert_eq!(sent.status(), 201);
    let to_buyer = last_mail(&t, "ana@buyer.example", "new_message").await;
    let buyer_address = to_buyer.from_address.clone().expect("masked from");
    assert_eq!(to_buyer.from_name.as_deref(), Some("Hydrotech via Parley"));
    assert!(to_buyer.text_body.contains("Here is our offer: 1,250 EUR."));
    // Neither the seller's address nor their masked address reaches the buyer.
    let token = seller_address.split('@').next().expect("token");
    for part in [
        &to_buyer.text_body,
        to_buyer.html_body.as_ref().expect("html"),
    ] {
        assert!(!part.contains("claire@hydrotech.example"));
        assert!(!part.contains(token));
    }
    // FAQ f: the seller gets a copy of what they sent.
    last_mail(&t, "claire@hydrotech.example", "message_copy").await;

    // The buyer answers from their mailbox, quoting the notification.
    let reply = "Thanks, we take it.\n\nOn Mon, 23 Nov 2026 at 10:02, Hydrotech via Parley <x@y> wrote:\n> Here is our offer: 1,250 EUR.";
    send(
        t.smtp,
        "ana@buyer.example",
        &buyer_address,
        &email(
            "ana@buyer.example",
            &buyer_address,
            "r1@buyer.example",
            reply,
        ),
    )
    .await
    .expect("250 for the buyer's reply");
    let messages = bodies(&t, &t.maker, &request).await;
    assert_eq!(messages[0]["body"], "Thanks, we take it.");
    assert_eq!(messages[0]["channel"], "email");
    assert_eq!(messages[0]["author"], "buyer");
    assert!(
        messages[0]["full_email"]
            .as_str()
            .expect("full email kept")
            .contains("> Here is our offer")
    );
    // The raw email is kept, for whoever may read the thread only.
    let id: parley_domain::MessageId = messages[0]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let own = t.app.authenticate(&buyer.token).await.expect("caller");
    let Ok(parley_app::documents::Original::Raw(raw)) = t.app.email_original(&own, id).await else {
        panic!("the buyer gets their own raw email");
    };
    assert!(String::from_utf8_lossy(&raw).contains("Message-ID: <r1@buyer.example>"));
    let seller = t.app.authenticate(&t.maker.token).await.expect("caller");
    assert!(matches!(
        t.app.email_original(&seller, id).await,
        Ok(parley_app::documents::Original::Readable(_))
    ));
    let outsider = t.app.authenticate(&t.outsider.token).await.expect("caller");
    assert!(t.app.email_original(&outsider, id).await.is_err());
    // The seller hears of it, from the same masked address as before.
    let to_seller = last_mail(&t, "claire@hydrotech.example", "new_message").await;
    assert_eq!(
        to_seller.from_address.as_deref(),
        Some(seller_address.as_str())
    );
    assert!(to_seller.text_body.contains("Thanks, we take it."));
    assert!(
        !to_seller.text_body.contains("Here is our offer"),
        "never the history (FAQ b)"
    );

    // The seller answers by email with swaks, a real command-line SMTP client.
    let output = Command::new("swaks")
        .args([
            "--server",
            &t.smtp.to_string(),
            "--from",
            "claire@hydrotech.example",
        ])
        .args(["--to", &seller_address, "--header", "Subject: Re: order"])
        .args([
            "--body",
            "Delivery next week.\n\n-- \nClaire Martin, Hydrotech",
        ])
        .output()
        .expect("swaks (installed by scripts/test)");
    let transcript = String::from_utf8_lossy(&output.stdout);
    assert!(
        transcript.contains("<-  250 2.0.0"),
        "swaks transcript:\n{transcript}"
    );
    let messages = bodies(&t, &buyer, &request).await;
    assert_eq!(messages[0]["body"], "Delivery next week.");
    assert_eq!(messages[0]["author"], "member");
    let to_buyer = last_mail(&t, "ana@buyer.example", "new_message").await;
    assert!(to_buyer.text_body.contains("Delivery next week."));
    assert_eq!(
        to_buyer.from_address.as_deref(),
        Some(buyer_address.as_str())
    );
    // The history records it like a web reply.
    let kinds = t.history_kinds(&t.maker, &request).await;
    assert_eq!(kinds[0], "message_sent");
}

async fn notifications_are_queued_once_by_concurrent_workers(db: Db) {
    let t = spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "ana@buyer.example").await;
    for n in 0..5 {
        let sent = t.say(&t.maker, &request, &format!("Offer {n}.")).await;
        assert_eq!(sent.status(), 201);
    }
    // Two workers (as two processes would) race for the same pending messages.
    let (a, b) = tokio::join!(
        t.app.queue_pending_notifications(100),
        t.app.queue_pending_notifications(100)
    );
    assert!(a.expect("worker a") + b.expect("worker b") >= 5);
    let to_buyer: Vec<Mail> = outbox(&t)
        .await
        .into_iter()
        .filter(|m| m.recipient == "ana@buyer.example" && m.kind == "new_message")
        .collect();
    // The first at once, the four others within two minutes gathered into one digest: each
    // message notified once, whatever the workers.
    assert_eq!(to_buyer.len(), 2, "{to_buyer:?}");
    assert!(
        to_buyer[0].text_body.contains("4 mensajes nuevos"),
        "{}",
        to_buyer[0].text_body
    );
    assert!(to_buyer[0].text_body.contains("Offer 4."));
    assert!(to_buyer[1].text_body.contains("Offer 0."));
    assert_eq!(
        t.app.queue_pending_notifications(100).await.expect("queue"),
        0
    );
}

async fn people_in_copy_may_answer_the_buyer(db: Db) {
    let t = spawn(db).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    let sent = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{request}/messages"),
            &serde_json::json!({ "body": "Our offer.", "cc": "boss@hydrotech.example" }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    // FAQ d: the person in copy gets the message from a masked address of their own...
    let copy = last_mail(&t, "boss@hydrotech.example", "message_copy").await;
    assert!(copy.text_body.contains("Our offer."));
    let address = copy.from_address.expect("masked");
    // ...and may answer the buyer from their mailbox.
    send(
        t.smtp,
        "boss@hydrotech.example",
        &address,
        &email(
            "boss@hydrotech.example",
            &address,
            "cc1@hydrotech.example",
            "We can add a 5% discount.",
        ),
    )
    .await
    .expect("250 for the person in copy");
    let messages = bodies(&t, &buyer, &request).await;
    assert_eq!(messages[0]["body"], "We can add a 5% discount.");
    assert_eq!(messages[0]["author"], "member");
    let to_buyer = last_mail(&t, "ana@buyer.example", "new_message").await;
    assert!(to_buyer.text_body.contains("We can add a 5% discount."));
    // Nobody else may use that address.
    let refused = refusal(
        t.smtp,
        "claire@hydrotech.example",
        &address,
        &email(
            "claire@hydrotech.example",
            &address,
            "cc2@hydrotech.example",
            "Hi",
        ),
    )
    .await;
    assert!(refused.contains("5.7.1"), "{refused}");
}
