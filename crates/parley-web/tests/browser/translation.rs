//! Translating a buyer's message in a browser (issue 7): pick a language, Translate, the
//! translation appears under the original (htmx), and folds away with one click.

use crate::driver::{Driver, available, find, find_text, screenshot};
use crate::flows::{sign_in, text};
use crate::helpers::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seller_translates_the_buyers_message_in_place() {
    if !available() {
        return;
    }
    if !parley_translate::LocalApy::installed() {
        assert!(
            std::env::var_os("PARLEY_REQUIRE_APERTIUM").is_none(),
            "PARLEY_REQUIRE_APERTIUM is set but apertium-apy is not installed"
        );
        return;
    }
    let apy = parley_translate::LocalApy::start()
        .await
        .expect("apertium-apy");
    let mut settings = TestApp::settings();
    settings.translation = vec![parley_app::TranslationEngine::Apertium(
        apy.url().to_owned(),
    )];
    let app = TestApp::spawn_with(Db::Sqlite, settings).await;
    let (request, buyer) = app.request_from("ES", "carmen@b.example").await;
    let sent = app
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/messages"),
            &serde_json::json!({
                "body": "Necesito un presupuesto para tres bombas.",
                "party": app.distributor.to_string()
            }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let driver = Driver::start();
    let browser = driver.browser().await;
    sign_in(
        &app,
        &browser,
        "lucia@iberia.example",
        &format!("/requests/{request}"),
    )
    .await;
    find(&browser, "#history .translate select option[value=en]")
        .await
        .click()
        .await
        .expect("English");
    find(&browser, "#history .translate button[type=submit]")
        .await
        .click()
        .await
        .expect("Translate");
    let translation = find_text(&browser, "translation", "Translated: Spanish → English").await;
    let shown = translation.text().await.expect("text");
    assert!(shown.contains("I need"), "{shown}");
    assert!(
        text(&browser, "#history li.message")
            .await
            .contains("Necesito un presupuesto")
    );
    screenshot(&browser, "translated-message").await;
    // One click folds the translation away; the original stays.
    find(&browser, "#history .translation summary")
        .await
        .click()
        .await
        .expect("fold");
    let open = find(&browser, "#history .translation")
        .await
        .attr("open")
        .await
        .expect("attr");
    assert!(open.is_none(), "folded");
    // The request's own text (the buyer's first message) has its *Translate* too.
    find(&browser, "#t-request select option[value=en]")
        .await
        .click()
        .await
        .expect("English");
    find(&browser, "#t-request button[type=submit]")
        .await
        .click()
        .await
        .expect("Translate the request");
    let shown = find(&browser, "#t-request .translated .translation")
        .await
        .text()
        .await
        .expect("text");
    assert!(shown.contains("Translated: Spanish → English"), "{shown}");
    browser.close().await.expect("close");
}
