//! Nine languages in a browser (issue 28): a German and a Japanese buyer, whose browsers say
//! so, go through their request page, accept a quote and confirm the order, each seeing only
//! their language; a French seller's pages and emails carry no English.

use fantoccini::Client;
use parley_app::i18n::Words;
use reqwest::multipart::Form as Multipart;

use crate::driver::{Driver, available, find, find_text, screenshot};
use crate::flows::{open_link, place_order};
use crate::helpers::{Db, TestApp, pdf, pdf_part};

/// Sentences of the English pages and emails a forgotten translation would show.
const ENGLISH: [&str; 16] = [
    "Sign out",
    "My requests",
    "My results",
    "History of the exchanges",
    "Attach a document",
    "Request received through",
    "Awaiting your answer",
    "Accept",
    "Order confirmed",
    "Billing",
    "Delivery",
    "wrote to you",
    "Reply to this email",
    "Your request",
    "Sent quote version",
    "Hello ",
];

fn english_in(text: &str) -> Vec<&'static str> {
    ENGLISH.into_iter().filter(|s| text.contains(s)).collect()
}

async fn page_text(browser: &Client) -> String {
    find(browser, "body").await.text().await.expect("text")
}

async fn html_lang(browser: &Client) -> String {
    browser
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("lang")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn german_and_japanese_buyers_order_in_their_language_and_the_french_seller_reads_french() {
    if !available() {
        return;
    }
    let mut settings = TestApp::settings();
    settings.dev_mailbox = true;
    let app = TestApp::spawn_with(Db::Sqlite, settings).await;
    let driver = Driver::start();
    for (language, country) in [("de", "DE"), ("ja", "JP")] {
        let words = Words::new(language);
        let email = format!("buyer-{language}@b.example");
        let (request, _) = app.request_speaking(country, &email, language).await;
        let quote = Multipart::new()
            .text("body", "HT-200 ×2")
            .part("quote", pdf_part(pdf(), "HT-200.pdf"))
            .text("quote_amount", "1200")
            .text("quote_currency", "EUR")
            .text("quote_valid_until", "2099-12-31")
            .text("quote_reference", "Q-9")
            .text("quote_tax", "240");
        assert_eq!(
            app.post_form(&app.maker.token, &request, quote)
                .await
                .status(),
            201
        );

        let browser = driver.browser_speaking(language).await;
        let page = format!("/requests/{request}");
        open_link(&app, &browser, &email, &page, None).await;
        find(&browser, "#quotes button[value=accept]")
            .await
            .click()
            .await
            .expect("accept");
        place_order(&browser, "Hafenstraße 1, Hamburg", "Hafenstraße 1, Hamburg").await;
        find_text(&browser, "ok", &words.t("quote-ordered")).await;
        assert_eq!(html_lang(&browser).await, language);
        let text = page_text(&browser).await;
        assert!(text.contains(&words.t("history-title")), "{text}");
        assert!(
            english_in(&text).is_empty(),
            "{language}: {:?} in {text}",
            english_in(&text)
        );
        screenshot(&browser, &format!("buyer-ordered-{language}")).await;
        // The list of their requests too.
        browser.goto(&app.url("/requests")).await.expect("list");
        let text = page_text(&browser).await;
        assert!(
            english_in(&text).is_empty(),
            "{language}: {:?} in {text}",
            english_in(&text)
        );
        browser.close().await.expect("close");
    }

    // The French seller (profile French; the browser says nothing of it): pages in French.
    let browser = driver.browser().await;
    open_link(
        &app,
        &browser,
        "claire@hydrotech.example",
        "/requests",
        None,
    )
    .await;
    let list = page_text(&browser).await;
    assert_eq!(html_lang(&browser).await, "fr");
    assert!(
        english_in(&list).is_empty(),
        "{:?} in {list}",
        english_in(&list)
    );
    find(&browser, "a[href^='/requests/0']")
        .await
        .click()
        .await
        .expect("open a request");
    find(&browser, "#history").await;
    let page = page_text(&browser).await;
    assert!(
        english_in(&page).is_empty(),
        "{:?} in {page}",
        english_in(&page)
    );
    browser.close().await.expect("close");
    // …and emails: the order confirmations and every notice she got.
    while app
        .app
        .queue_pending_notifications(100)
        .await
        .expect("queue")
        > 0
    {}
    let mails: Vec<_> = app
        .app
        .dev_mailbox(100)
        .await
        .expect("mailbox")
        .into_iter()
        .filter(|queued| queued.mail.recipient == "claire@hydrotech.example")
        .collect();
    assert!(
        mails
            .iter()
            .filter(|q| q.mail.kind == "order_confirmed")
            .count()
            == 2,
        "{mails:?}"
    );
    for queued in mails {
        let mail = queued.mail;
        let all = format!(
            "{}\n{}\n{}",
            mail.subject,
            mail.text_body,
            mail.html_body.unwrap_or_default()
        );
        assert!(
            english_in(&all).is_empty(),
            "{}: {:?} in {all}",
            mail.kind,
            english_in(&all)
        );
    }
}
