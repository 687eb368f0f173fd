//! The confidentiality wall in a browser (issue 5): a manufacturer forwards a request to its
//! distributor, the distributor replies, and the manufacturer sees "contacted the buyer" but
//! not the conversation; then the distributor declines another request with a reason.

use crate::driver::{Driver, available, find, find_text, screenshot, text_with};
use crate::flows::{sign_in, text};
use crate::helpers::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_request_stays_behind_the_wall() {
    if !available() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (request, _) = app.request_from("FR", "jeanne@b.example").await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let page = format!("/requests/{request}");

    // The manufacturer forwards it to its Spanish distributor, with a note.
    sign_in(&app, &browser, "claire@hydrotech.example", &page).await;
    find(&browser, "#forward-button")
        .await
        .click()
        .await
        .expect("open");
    find(
        &browser,
        &format!("#forward-to option[value='org:{}']", app.distributor),
    )
    .await
    .click()
    .await
    .expect("choose");
    find(&browser, "#forward-note")
        .await
        .send_keys("Jeanne lives near Girona")
        .await
        .expect("note");
    screenshot(&browser, "forward-dialog").await;
    find(&browser, "#forward button[type=submit]")
        .await
        .click()
        .await
        .expect("forward");
    // The new page shows the forward on top of the history, with the date and the address.
    find_text(
        &browser,
        "event",
        "Forwarded the request to Iberia Fluidos (lucia@iberia.example)",
    )
    .await;
    let forwarded = text(&browser, "#history li:first-child").await;
    assert!(forwarded.contains("lucia@iberia.example"), "{forwarded}");

    // The distributor replies in its own conversation.
    sign_in(&app, &browser, "lucia@iberia.example", &page).await;
    find(&browser, "#body")
        .await
        .send_keys("Hola Jeanne, our price is 1,200 EUR.")
        .await
        .expect("type");
    find(&browser, "#reply button[type=submit]")
        .await
        .click()
        .await
        .expect("send");
    let sent = text_with(&browser, "message", "our price is 1,200 EUR").await;
    assert!(sent.contains("our price is 1,200 EUR"), "{sent}");

    // The manufacturer sees the status, never the conversation.
    sign_in(&app, &browser, "claire@hydrotech.example", &page).await;
    let history = text(&browser, "#history").await;
    assert!(history.contains("Contacted the buyer"), "{history}");
    assert!(history.contains("Forwarded the request to Iberia Fluidos"));
    let source = browser.source().await.expect("source");
    assert!(
        !source.contains("1,200 EUR"),
        "the distributor's message leaked"
    );
    screenshot(&browser, "manufacturer-behind-the-wall").await;

    // The distributor declines another request; the reason is kept for the sellers.
    let (second, _) = app.request_from("ES", "pablo@b.example").await;
    let second_page = format!("/requests/{second}");
    sign_in(&app, &browser, "lucia@iberia.example", &second_page).await;
    find(&browser, "#decline-button")
        .await
        .click()
        .await
        .expect("open");
    find(&browser, "#decline-reason option[value=out_of_stock]")
        .await
        .click()
        .await
        .expect("reason");
    screenshot(&browser, "decline-dialog").await;
    find(&browser, "#decline button[type=submit]")
        .await
        .click()
        .await
        .expect("confirm");
    let status = text(&browser, "#handle .status.declined").await;
    assert!(status.contains("Out of stock"), "{status}");
    sign_in(&app, &browser, "pablo@b.example", &second_page).await;
    let source = browser.source().await.expect("source");
    assert!(!source.contains("Out of stock") && !source.contains("Declined"));
    browser.close().await.expect("close");
}
