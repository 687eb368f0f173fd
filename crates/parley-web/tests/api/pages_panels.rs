//! The seller's panels through HTTP: the network page with the handle panel, and quotes on the
//! request page.

use crate::both;
use crate::helpers::{Db, TestApp, pdf, pdf_part};
use crate::pages::{between, sign_in};
use reqwest::multipart::Form;

async fn the_network_page_and_the_handle_panel(db: Db) {
    let app = TestApp::spawn(db).await;
    let maker = sign_in(&app, "claire@hydrotech.example").await;
    let page = maker.get(&app, "/network").await;
    assert!(
        page.contains("Iberia Fluidos") && page.contains("ES, PT"),
        "members listed"
    );
    assert!(page.contains("Response rate"));
    // A refused form shows its errors and keeps what was typed.
    let (status, page) = maker
        .post_form(
            &app,
            "/network/members",
            &[
                ("name", "Lowlands Pumps"),
                ("kind", "distributor"),
                ("territories", "Benelux, Atlantis"),
                ("contact_name", "Bea"),
                ("contact_email", "bea@lowlands.example"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("ATLANTIS") || page.contains("Atlantis"),
        "the bad territory is named"
    );
    assert!(page.contains("value=\"Lowlands Pumps\""), "typed text kept");
    let (status, _) = maker
        .post_form(
            &app,
            "/network/members",
            &[
                ("name", "Lowlands Pumps"),
                ("kind", "distributor"),
                ("territories", "Benelux"),
                ("contact_name", "Bea"),
                ("contact_email", "bea@lowlands.example"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(maker.get(&app, "/network").await.contains("BE, NL, LU"));
    // A distributor has no network to manage: the page says so.
    let lucia = sign_in(&app, "lucia@iberia.example").await;
    assert!(
        lucia
            .get(&app, "/network")
            .await
            .contains("Only manufacturers")
    );

    // The handle panel: Forward, Add in copy, Decline with its reasons and Confirm.
    let (request, _) = app.request_from("ES", "ana@b.example").await;
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    for label in [
        "Forward",
        "Add in copy",
        "Decline",
        "Confirm",
        "Out of stock",
        "Not my territory",
    ] {
        assert!(page.contains(label), "{label} missing");
    }
    // The email's Decline button opens the Decline dialog.
    let page = lucia
        .get(&app, &format!("/requests/{request}?open=decline"))
        .await;
    let at = page.find("id=\"decline-button\"").expect("decline button");
    assert!(
        page[at.saturating_sub(80)..at].contains("open>"),
        "dialog open"
    );
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    let at = page.find("id=\"decline-button\"").expect("decline button");
    assert!(
        !page[at.saturating_sub(80)..at].contains("open>"),
        "closed by default"
    );
    // Forwarding to a bad address keeps the note.
    let (status, page) = lucia
        .post_form(
            &app,
            &format!("/requests/{request}/forward"),
            &[
                ("to", ""),
                ("to_email", "colleague@"),
                ("note", "Please take this one"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Please take this one"));
    // Without the CSRF token nothing happens.
    let response = lucia
        .client
        .post(app.url(&format!("/requests/{request}/decline")))
        .header("cookie", &lucia.cookie)
        .form(&[("reason", "spam")])
        .send()
        .await
        .expect("POST");
    assert_ne!(response.status(), 303);
    let (status, _) = lucia
        .post_form(
            &app,
            &format!("/requests/{request}/decline"),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(status, 303);
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("You declined this request (Spam)"));
    assert!(page.contains("Declined the request: Spam"));
    // The manufacturer follows it from its own page, the buyer never sees it.
    let page = maker.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Declined the request: Spam"));
}

async fn quotes_on_the_request_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    for label in [
        "I want to enable online payment",
        "Valid until",
        "Validate",
        "Shipping (optional)",
    ] {
        assert!(page.contains(label), "{label}");
    }
    // Validate checks the terms in place.
    let (status, checked) = seller
        .post_form(
            &app,
            "/quotes/validate",
            &[
                ("online_payment", "1"),
                ("quote_amount", "1 200,00"),
                ("quote_currency", "EUR"),
                ("quote_valid_until", "2099-12-31"),
                ("quote_reference", "Q-7"),
                ("quote_tax", "240"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(checked.contains("1,440.00 EUR in all"), "{checked}");
    let (_, refused) = seller
        .post_form(
            &app,
            "/quotes/validate",
            &[
                ("online_payment", "1"),
                ("quote_amount", "x"),
                ("quote_currency", "EUR"),
            ],
        )
        .await;
    assert!(
        refused.contains("data-code=\"amount_invalid\""),
        "{refused}"
    );
    // Send with the quote and its terms; a refused send keeps the terms typed.
    let form = Form::new()
        .text("body", "Our quote")
        .text("document_kind", "quote")
        .text("online_payment", "1")
        .text("quote_amount", "1 200,00")
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "");
    let form = form.part("document", pdf_part(pdf(), "quote-7.pdf"));
    let response = seller.send(&app, &request, form).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("text");
    assert!(page.contains("value=\"1 200,00\""), "amount kept");
    let form = Form::new()
        .text("body", "Our quote")
        .text("document_kind", "quote")
        .text("online_payment", "1")
        .text("quote_amount", "1 200,00")
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "Q-7")
        .part("document", pdf_part(pdf(), "quote-7.pdf"));
    assert_eq!(seller.send(&app, &request, form).await.status(), 303);
    // The buyer sees it and accepts it with a comment.
    let buyer = sign_in(&app, "luc@b.example").await;
    let page = buyer.get(&app, &format!("/requests/{request}")).await;
    assert!(
        page.contains("1,200.00 EUR") && page.contains("Q-7"),
        "the quote's terms"
    );
    assert!(page.contains("awaiting your answer"));
    let quote = between(&page, "action=\"/quotes/", "/answer\"").to_owned();
    let (status, _) = buyer
        .post_form(
            &app,
            &format!("/quotes/{quote}/answer"),
            &[
                ("answer", "accept"),
                ("comment", "Deal"),
                ("request", &request),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(
        page.contains("Accepted quote version 1"),
        "in the seller's history"
    );
    assert!(page.contains("Deal"));
}

both!(
    the_network_page_and_the_handle_panel,
    quotes_on_the_request_page,
);
