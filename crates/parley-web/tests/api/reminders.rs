//! Automatic reminders (issue "Real-world mail"): the handler of a request left unhandled for 24
//! weekday hours gets one email, the buyer of a quote in its last three days gets one; each is a
//! history event of the party; none after an answer or a decline, none for a member who turned
//! them off, never twice.

use parley_domain::Timestamp;
use reqwest::multipart::Form;
use serde_json::json;

use crate::both;
use crate::helpers::{Db, TestApp, pdf, pdf_part};

both!(
    an_unhandled_request_reminds_its_handler_once,
    a_quote_about_to_expire_reminds_the_buyer_once,
);

const DAY_MS: i64 = 24 * 3600 * 1000;

fn in_days(days: i64) -> Timestamp {
    Timestamp(parley_app::now().0 + days * DAY_MS)
}

async fn spawn(db: Db) -> TestApp {
    let mut settings = TestApp::settings();
    settings.dev_mailbox = true;
    TestApp::spawn_with(db, settings).await
}

/// Queues the reminders due at `at` and runs them; returns how many were queued.
async fn remind(t: &TestApp, at: Timestamp) -> usize {
    let queued = t.app.queue_reminders(at).await.expect("queue");
    while t.app.run_due_jobs(at).await.expect("jobs") > 0 {}
    queued
}

/// The mail of `kind` queued so far, as (recipient, subject, text).
async fn mails(t: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    t.app
        .dev_mailbox(200)
        .await
        .expect("mailbox")
        .into_iter()
        .filter(|q| q.mail.kind == kind)
        .map(|q| (q.mail.recipient, q.mail.subject, q.mail.text_body))
        .collect()
}

async fn an_unhandled_request_reminds_its_handler_once(db: Db) {
    let t = spawn(db).await;
    let (waiting, buyer) = t.request_from("FR", "luc@b.example").await;
    let (answered, _) = t.request_from("FR", "ana@c.example").await;
    let (declined, _) = t.request_from("FR", "bo@d.example").await;
    assert_eq!(
        t.say(&t.maker, &answered, "Here is our offer")
            .await
            .status(),
        201
    );
    let response = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{declined}/decline"),
            &json!({ "reason": "out_of_stock" }),
        )
        .await;
    assert_eq!(response.status(), 204);
    // Not before 24 weekday hours.
    assert_eq!(remind(&t, parley_app::now()).await, 0);
    // Eight days later, whatever the weekday: one reminder, for the unhandled request only.
    assert_eq!(remind(&t, in_days(8)).await, 1);
    let sent = mails(&t, "handle_reminder").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (to, subject, text) = &sent[0];
    assert!(to.ends_with("@hydrotech.example"), "{to}");
    assert!(subject.contains("Centrifugal pump HT-200"), "{subject}");
    assert!(text.contains(&format!("/requests/{waiting}")), "{text}");
    // A history event for the party, not for the buyer.
    assert!(
        t.history_kinds(&t.maker, &waiting)
            .await
            .contains(&"reminder_sent".to_owned())
    );
    assert!(
        !t.history_kinds(&buyer, &waiting)
            .await
            .contains(&"reminder_sent".to_owned())
    );
    // Never twice.
    assert_eq!(remind(&t, in_days(9)).await, 0);
    assert_eq!(mails(&t, "handle_reminder").await.len(), 1);

    // Answered between the queuing and the sending: nothing is sent.
    let (late, _) = t.request_from("FR", "cy@e.example").await;
    assert_eq!(t.app.queue_reminders(in_days(8)).await.expect("queue"), 1);
    assert_eq!(
        t.say(&t.maker, &late, "Sorry for the wait").await.status(),
        201
    );
    while t.app.run_due_jobs(in_days(8)).await.expect("jobs") > 0 {}
    assert_eq!(mails(&t, "handle_reminder").await.len(), 1);

    // Turned off by the members (on My team, or through the API): no reminder at all.
    let tom = crate::pages::sign_in(&t, "tom@hydrotech.example").await;
    let page = tom
        .client
        .get(t.url("/team"))
        .header("cookie", &tom.cookie)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert!(page.contains("action=\"/team/reminders\""), "{page}");
    let off = tom
        .client
        .post(t.url("/team/reminders"))
        .header("cookie", &tom.cookie)
        .form(&[("csrf", tom.csrf.as_str()), ("reminders", "off")])
        .send()
        .await
        .expect("POST");
    assert_eq!(off.status(), 303);
    assert_eq!(
        t.get_json(&t.maker2.token, "/api/v1/team").await["reminders"],
        false
    );
    for member in [&t.maker] {
        let off = t
            .client
            .put(t.url("/api/v1/team/reminders"))
            .bearer_auth(&member.token)
            .json(&json!({ "reminders": false }))
            .send()
            .await
            .expect("PUT");
        assert_eq!(off.status(), 200);
    }
    assert_eq!(
        t.get_json(&t.maker.token, "/api/v1/team").await["reminders"],
        false
    );
    t.request_from("FR", "di@f.example").await;
    assert_eq!(remind(&t, in_days(8)).await, 0);
    // A buyer has none to turn off.
    let by_buyer = t
        .client
        .put(t.url("/api/v1/team/reminders"))
        .bearer_auth(&buyer.token)
        .json(&json!({ "reminders": false }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(by_buyer.status(), 403);
}

async fn a_quote_about_to_expire_reminds_the_buyer_once(db: Db) {
    let t = spawn(db).await;
    let (request, buyer) = t.request_from("FR", "luc@b.example").await;
    let (far, _) = t.request_from("FR", "ana@c.example").await;
    let (answered, answerer) = t.request_from("FR", "bo@d.example").await;
    for (request, days) in [(&request, 2), (&far, 30), (&answered, 2)] {
        let valid_until = in_days(days).to_rfc3339()[..10].to_owned();
        let form = Form::new()
            .text("body", "Our quote")
            .part("quote", pdf_part(pdf(), "quote.pdf"))
            .text("online_payment", "1")
            .text("quote_amount", "1200")
            .text("quote_currency", "EUR")
            .text("quote_valid_until", valid_until)
            .text("quote_reference", "Q-9")
            .text("quote_tax", "336");
        assert_eq!(
            t.post_form(&t.maker.token, request, form).await.status(),
            201
        );
    }
    // Accepted already: no reminder for it, even in its last days.
    let quotes = t
        .get_json(
            &answerer.token,
            &format!("/api/v1/requests/{answered}/quotes"),
        )
        .await;
    let quote = quotes["quotes"][0]["id"].as_str().expect("quote id");
    let accepted = t
        .post_json(
            &answerer.token,
            &format!("/api/v1/quotes/{quote}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(remind(&t, parley_app::now()).await, 1);
    let sent = mails(&t, "quote_reminder").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (to, subject, text) = &sent[0];
    assert_eq!(to, "luc@b.example");
    assert!(subject.contains("Hydrotech"), "{subject}");
    assert!(
        text.contains("/signin/"),
        "a link that signs the buyer in: {text}"
    );
    assert!(
        t.history_kinds(&t.maker, &request)
            .await
            .contains(&"reminder_sent".to_owned())
    );
    assert!(
        !t.history_kinds(&buyer, &request)
            .await
            .contains(&"reminder_sent".to_owned()),
        "the party's business"
    );
    assert_eq!(remind(&t, parley_app::now()).await, 0, "never twice");
    assert_eq!(mails(&t, "quote_reminder").await.len(), 1);
}
