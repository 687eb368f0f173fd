//! The flows a person does on a phone: display the number, reply with a PDF quote, see it on
//! top of the history; the buyer reads it and the seller sees the read receipt; each guide
//! error shows in red and keeps the typed text; My results offers Handle or View.

use fantoccini::Client;

use crate::driver::{Driver, available, find, screenshot, text_with};
use crate::helpers::{Db, TestApp, pdf};

pub(crate) async fn sign_in(app: &TestApp, browser: &Client, email: &str, next: &str) {
    // English chosen with the switcher: the texts these tests read are English, and the test
    // people's profiles say French or Spanish (a profile's language comes before the browser's).
    open_link(app, browser, email, next, Some("en")).await;
}

/// Opens a sign-in link of `email`'s in a browser without cookies, after choosing `language`
/// with the switcher when given (else the person's own language shows: profile, browser).
pub(crate) async fn open_link(
    app: &TestApp,
    browser: &Client,
    email: &str,
    next: &str,
    language: Option<&str>,
) {
    let (token, _) = app
        .app
        .create_sign_in_link(email, next)
        .await
        .expect("link")
        .expect("known address");
    browser.delete_all_cookies().await.expect("cookies");
    if let Some(language) = language {
        browser
            .goto(&app.url(&format!("/lang/{language}")))
            .await
            .expect("language");
    }
    browser
        .goto(&app.url(&format!("/signin/{token}")))
        .await
        .expect("goto");
}

/// Confirms the order of an accepted quote on the request page: billing and delivery
/// addresses, then the order button.
pub(crate) async fn place_order(browser: &Client, billing: &str, delivery: &str) {
    find(browser, "#billing")
        .await
        .send_keys(billing)
        .await
        .expect("billing");
    find(browser, "#delivery")
        .await
        .send_keys(delivery)
        .await
        .expect("delivery");
    find(browser, "#order button")
        .await
        .click()
        .await
        .expect("order");
}

pub(crate) async fn text(browser: &Client, css: &str) -> String {
    find(browser, css).await.text().await.expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_replies_with_a_quote_and_sees_the_read_receipt() {
    if !available() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let page = format!("/requests/{request}");
    sign_in(&app, &browser, "claire@hydrotech.example", &page).await;

    find(&browser, "#phone button")
        .await
        .click()
        .await
        .expect("click");
    assert_eq!(text(&browser, "#phone a.phone").await, "+34 600 000 001");

    let dir = tempfile::tempdir().expect("dir");
    let quote = dir.path().join("quote-42.pdf");
    std::fs::write(&quote, pdf()).expect("pdf");
    find(&browser, "#body")
        .await
        .send_keys("Our quote is attached.")
        .await
        .expect("type");
    // "Attach a document" opens the choice: Quote or Other document (guide section 1).
    find(&browser, "#attach-button")
        .await
        .click()
        .await
        .expect("attach");
    find(&browser, "input[name=document_kind][value=quote]")
        .await
        .click()
        .await
        .expect("quote");
    find(&browser, "input[type=file]")
        .await
        .send_keys(&quote.display().to_string())
        .await
        .expect("file");
    screenshot(&browser, "seller-reply-form").await;
    find(&browser, "#reply button[type=submit]")
        .await
        .click()
        .await
        .expect("send");
    let newest = text_with(&browser, "message", "Our quote is attached.").await;
    assert!(newest.contains("Our quote is attached."), "{newest}");
    assert!(newest.contains("Quote: quote-42.pdf"), "{newest}");
    let first = text(&browser, "#history li:first-child").await;
    assert!(first.contains("Our quote is attached."), "on top: {first}");
    assert!(!first.contains("Read on"));
    screenshot(&browser, "seller-after-reply").await;

    sign_in(&app, &browser, "luc@b.example", &page).await;
    let seen = text(&browser, "#history li.message").await;
    assert!(seen.contains("Our quote is attached."));
    assert!(
        !browser
            .source()
            .await
            .expect("source")
            .contains("Display the number")
    );
    screenshot(&browser, "buyer-request").await;

    sign_in(&app, &browser, "claire@hydrotech.example", &page).await;
    let receipt = text(&browser, "#history li.message").await;
    assert!(receipt.contains("Read on"), "{receipt}");
    screenshot(&browser, "seller-read-receipt").await;
    browser.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guide_errors_show_in_red_and_keep_the_text() {
    if !available() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let page = format!("/requests/{request}");
    let dir = tempfile::tempdir().expect("dir");
    let not_pdf = dir.path().join("notes.pdf");
    std::fs::write(&not_pdf, "just text").expect("write");
    let typed = "Here is my long answer about prices";
    // (sender, copy, message, file, expected error)
    let cases: [(&str, &str, &str, bool, &str); 5] = [
        ("", "", typed, false, "The Sender field is empty"),
        (
            "claire@",
            "",
            typed,
            false,
            "The Sender address is incorrect.",
        ),
        (
            "claire@hydrotech.example",
            "boss@",
            typed,
            false,
            "One of the Copy addresses is incorrect.",
        ),
        (
            "claire@hydrotech.example",
            "",
            typed,
            true,
            "Only PDF documents can be sent.",
        ),
        (
            "claire@hydrotech.example",
            "",
            "",
            false,
            "The message field is empty.",
        ),
    ];
    for (sender, cc, body, attach, expected) in cases {
        sign_in(&app, &browser, "claire@hydrotech.example", &page).await;
        let sender_field = find(&browser, "#sender").await;
        sender_field.clear().await.expect("clear");
        sender_field.send_keys(sender).await.expect("type");
        find(&browser, "#cc")
            .await
            .send_keys(cc)
            .await
            .expect("type");
        find(&browser, "#body")
            .await
            .send_keys(body)
            .await
            .expect("type");
        if attach {
            find(&browser, "input[type=file]")
                .await
                .send_keys(&not_pdf.display().to_string())
                .await
                .expect("file");
        }
        find(&browser, "#reply button[type=submit]")
            .await
            .click()
            .await
            .expect("send");
        let alert = find(&browser, "#errors").await;
        let message = alert.text().await.expect("text");
        assert!(message.contains(expected), "{expected}: {message}");
        let colour = alert.css_value("color").await.expect("css");
        assert!(colour.contains("176, 0, 32"), "errors are red: {colour}");
        let kept = find(&browser, "#body")
            .await
            .prop("value")
            .await
            .expect("prop");
        assert_eq!(
            kept.as_deref(),
            Some(body),
            "{expected}: the message is kept"
        );
        let kept_cc = find(&browser, "#cc")
            .await
            .prop("value")
            .await
            .expect("prop");
        assert_eq!(kept_cc.as_deref(), Some(cc));
    }
    screenshot(&browser, "seller-error").await;
    browser.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_results_offers_handle_or_view() {
    if !available() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (answered, _) = app.request_from("FR", "luc@b.example").await;
    let (fresh, _) = app.request_from("FR", "anne@b.example").await;
    assert_eq!(
        app.say(&app.maker, &answered, "Answered already")
            .await
            .status(),
        201
    );
    let driver = Driver::start();
    let browser = driver.browser().await;
    sign_in(&app, &browser, "claire@hydrotech.example", "/requests").await;
    let handle = find(&browser, &format!("a[href='/requests/{fresh}']")).await;
    assert_eq!(handle.text().await.expect("text"), "Handle the request");
    let view = find(&browser, &format!("a[href='/requests/{answered}']")).await;
    assert_eq!(view.text().await.expect("text"), "View the request");
    screenshot(&browser, "my-results").await;

    // Filters: Requests first, then Apply narrows the list (here: the unanswered ones).
    let spanish = app.request_from("ES", "carmen@b.example").await.0;
    browser.refresh().await.expect("refresh");
    find(&browser, "details.filters summary")
        .await
        .click()
        .await
        .expect("open");
    let kind = find(&browser, "#type option:checked")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(kind, "Requests");
    find(&browser, "#country option[value=ES]")
        .await
        .click()
        .await
        .expect("country");
    find(&browser, "#filters button[type=submit]")
        .await
        .click()
        .await
        .expect("apply");
    // The unfiltered page has the Spanish request too: count rows once the filtered one is in.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !browser
        .current_url()
        .await
        .expect("url")
        .as_str()
        .contains("country=ES")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the filtered page never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    find(&browser, &format!("a[href='/requests/{spanish}']")).await;
    let rows = browser
        .find_all(fantoccini::Locator::Css("li.row"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1, "only the Spanish buyer's request");
    assert!(
        browser
            .current_url()
            .await
            .expect("url")
            .as_str()
            .contains("country=ES")
    );
    screenshot(&browser, "my-results-filtered").await;
    browser.goto(&app.url("/requests")).await.expect("back");
    let handle = find(&browser, &format!("a[href='/requests/{fresh}']")).await;
    handle.click().await.expect("click");
    find(&browser, "#reply").await;
    browser.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_from_the_form_through_the_dev_mailbox() {
    if !available() {
        return;
    }
    let app = TestApp::spawn_with_dev_mailbox(Db::Sqlite).await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    browser.goto(&app.url("/requests")).await.expect("goto");
    // Not signed in: the sign-in form, which comes back to the list afterwards.
    find(&browser, "#email")
        .await
        .send_keys("tom@hydrotech.example")
        .await
        .expect("type");
    screenshot(&browser, "sign-in").await;
    find(&browser, "form button[type=submit]")
        .await
        .click()
        .await
        .expect("submit");
    assert!(
        text(&browser, "[role=status]")
            .await
            .contains("tom@hydrotech.example")
    );
    screenshot(&browser, "sign-in-sent").await;
    find(&browser, "a[href='/dev/mail']")
        .await
        .click()
        .await
        .expect("mailbox");
    screenshot(&browser, "dev-mailbox").await;
    // Mail links open in a new tab; follow this one where we are.
    let link = find(&browser, ".mail a[href*='/signin/']")
        .await
        .attr("href")
        .await
        .expect("attr")
        .expect("href");
    browser.goto(&link).await.expect("goto");
    find(&browser, "details.filters").await;
    assert!(
        browser
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/requests")
    );

    browser
        .goto(&app.url("/requests/not-a-request"))
        .await
        .expect("goto");
    // In Tom's language (his profile says French), like every page.
    assert!(text(&browser, "h1").await.contains("Introuvable"));
    screenshot(&browser, "not-found").await;
    browser.close().await.expect("close");
}
