//! Parley's emails on a phone (issue "Real-world mail"): every kind of mail a walkthrough
//! sends, rendered in Chromium at 390 px as a mail app shows it (the HTML part when there is
//! one, else the plain text wrapped), scrolls nothing sideways and offers its buttons at 44 px
//! or more; the HTML part declares a viewport and both colour schemes.

use std::collections::BTreeMap;

use base64::Engine as _;
use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::driver::{Driver, available, screenshot};
use crate::helpers::{Db, TestApp, pdf, pdf_part};

const MEASURE: &str = r#"
const problems = [];
const width = document.documentElement.scrollWidth;
if (width > window.innerWidth) { problems.push(`${width}px wide`); }
for (const a of document.querySelectorAll('a[data-button]')) {
  const r = a.getBoundingClientRect();
  if (Math.min(r.width, r.height) < 44) {
    problems.push(`button "${a.textContent.trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
}
return problems;
"#;

/// How a mail app shows a plain-text mail: the text, wrapped.
fn plain(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html><meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <pre style=\"white-space: pre-wrap; overflow-wrap: anywhere; font-family: system-ui\">\
         {escaped}</pre>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_email_reads_on_a_phone() {
    if !available() {
        return;
    }
    let app = TestApp::spawn_with_dev_mailbox(Db::Sqlite).await;
    // A walkthrough that sends each kind: a new request, a message with a document and a quote,
    // the buyer's answer, a forward, a sign-in link, a reminder.
    let (request, buyer) = app.request_from("FR", "jeanne@b.example").await;
    let long_word = "x".repeat(300);
    let form = Form::new()
        .text(
            "body",
            format!("Our offer, see https://example.com/{long_word} and the PDF."),
        )
        .part(
            "quote",
            pdf_part(pdf(), "offre-tres-longue-pour-un-telephone.pdf"),
        )
        .text("quote_amount", "1200")
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "Q-1");
    assert_eq!(
        app.post_form(&app.maker.token, &request, form)
            .await
            .status(),
        201
    );
    assert_eq!(
        app.say(&buyer, &request, "Merci, c'est noté.")
            .await
            .status(),
        201
    );
    let forwarded = app
        .post_json(
            &app.maker.token,
            &format!("/api/v1/requests/{request}/forward"),
            &json!({ "to_email": "expert@consult.example" }),
        )
        .await;
    assert!(forwarded.status().is_success());
    let (waiting, _) = app.request_from("FR", "paul@b.example").await;
    assert!(!waiting.is_empty());
    app.app
        .queue_reminders(parley_domain::Timestamp(
            parley_app::now().0 + 8 * 24 * 3600 * 1000,
        ))
        .await
        .expect("reminders");
    while app
        .app
        .run_due_jobs(parley_domain::Timestamp(
            parley_app::now().0 + 8 * 24 * 3600 * 1000,
        ))
        .await
        .expect("jobs")
        > 0
    {}
    app.app
        .create_sign_in_link("claire@hydrotech.example", "/requests")
        .await
        .expect("sign-in link");
    while app
        .app
        .queue_pending_notifications(100)
        .await
        .expect("queue")
        > 0
    {}
    let mails = app.app.dev_mailbox(200).await.expect("mailbox");
    // One of each kind.
    let mut kinds: BTreeMap<String, Value> = BTreeMap::new();
    for queued in &mails {
        kinds.entry(queued.mail.kind.clone()).or_insert_with(
            || json!({ "html": queued.mail.html_body, "text": queued.mail.text_body }),
        );
    }
    for kind in [
        "new_request",
        "new_message",
        "sign_in_link",
        "handle_reminder",
    ] {
        assert!(kinds.contains_key(kind), "{kind} in {:?}", kinds.keys());
    }
    let driver = Driver::start();
    let browser = driver.browser().await;
    let mut problems = Vec::new();
    for (kind, mail) in &kinds {
        let page = match mail["html"].as_str() {
            Some(html) => {
                assert!(html.contains("name=\"viewport\""), "{kind}: no viewport");
                assert!(html.contains("color-scheme"), "{kind}: no colour schemes");
                html.to_owned()
            }
            None => plain(mail["text"].as_str().unwrap_or_default()),
        };
        let url = format!(
            "data:text/html;charset=utf-8;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(page)
        );
        browser.goto(&url).await.expect("goto");
        let found = browser.execute(MEASURE, Vec::new()).await.expect("measure");
        screenshot(&browser, &format!("email-{kind}")).await;
        let found: Vec<String> = serde_json::from_value(found).expect("list");
        problems.extend(found.into_iter().map(|p| format!("{kind}: {p}")));
    }
    browser.close().await.expect("close");
    assert!(problems.is_empty(), "{problems:#?}");
}
