//! The request page through HTTP: the seller's page, replies with the guide's errors shown and
//! the typed text kept, read receipts, a buyer choosing whom to answer, reminders, and the
//! access policy on every page.

use crate::both;
use crate::helpers::{Db, MAX_DOCUMENT, TestApp, pdf, pdf_part};
use crate::pages::{between, sign_in};
use reqwest::multipart::Form;

async fn seller_page_number_reply_and_read_receipt(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let list = seller.get(&app, "/requests").await;
    assert!(
        list.contains("Handle the request"),
        "Claire is the handler of a new request"
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Display the number"));
    assert!(page.contains("¿Pueden enviarme un presupuesto?"));
    assert!(
        page.contains("value=\"claire@hydrotech.example\""),
        "Sender prefilled"
    );

    let phone = seller
        .client
        .post(app.url(&format!("/requests/{request}/phone")))
        .header("cookie", &seller.cookie)
        .header("hx-request", "true")
        .form(&[("csrf", seller.csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(phone.status(), 200);
    assert!(
        phone
            .text()
            .await
            .expect("text")
            .contains("+34 600 000 001")
    );

    let form = Form::new()
        .text("sender", "claire.sales@hydrotech.example")
        .text(
            "body",
            "Our quote: see https://hydrotech.example/terms <b>now</b>",
        )
        .text("document_kind", "quote")
        .part("document", pdf_part(pdf(), "quote-42.pdf"));
    let sent = seller.send(&app, &request, form).await;
    assert_eq!(sent.status(), 303);
    assert!(
        sent.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .contains("parley_sender=")
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    let history = between(&page, "id=\"history\"", "</section>");
    let newest = between(history, "<li", "</li>");
    assert!(
        newest.contains("Quote: quote-42.pdf"),
        "the reply is on top: {newest}"
    );
    assert!(
        newest.contains("<a href=\"https://hydrotech.example/terms\""),
        "links clickable"
    );
    assert!(newest.contains("&lt;b&gt;now&lt;/b&gt;"), "markup escaped");
    assert!(!newest.contains("Read on"));

    // The buyer opens the page: the seller then sees the read receipt.
    let buyer = sign_in(&app, "luc@b.example").await;
    let buyer_page = buyer.get(&app, &format!("/requests/{request}")).await;
    assert!(!buyer_page.contains("Display the number"));
    assert!(
        !buyer_page.contains("Contacted the buyer"),
        "internal events stay internal"
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(between(&page, "id=\"history\"", "</section>").contains("Read on"));
}

async fn send_errors_are_shown_and_the_text_is_kept(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let typed = "A long answer I do not want to type again";
    let cases: Vec<(Form, &str)> = vec![
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("body", "  "),
            "message_empty",
        ),
        (
            Form::new().text("sender", "").text("body", typed),
            "sender_empty",
        ),
        (
            Form::new().text("sender", "claire@").text("body", typed),
            "sender_invalid",
        ),
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("cc", "x@")
                .text("body", typed),
            "cc_invalid",
        ),
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("body", typed)
                .part(
                    "document",
                    pdf_part(
                        {
                            let mut big = pdf();
                            big.resize(MAX_DOCUMENT + 1, b' ');
                            big
                        },
                        "big.pdf",
                    ),
                ),
            "file_too_large",
        ),
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("body", typed)
                .part("document", pdf_part(b"GIF89a not a pdf".to_vec(), "q.pdf")),
            "document_not_pdf",
        ),
    ];
    for (form, code) in cases {
        let response = seller.send(&app, &request, form).await;
        assert_eq!(response.status(), 422, "{code}");
        let page = response.text().await.expect("text");
        let errors = between(&page, "role=\"alert\"", "</div>");
        assert!(
            errors.contains(&format!("data-code=\"{code}\"")),
            "{code}: {errors}"
        );
        if code != "message_empty" {
            assert!(page.contains(typed), "{code}: the typed text is kept");
        }
    }
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(!page.contains(typed), "nothing was sent");
}

async fn a_buyer_with_two_sellers_chooses_whom_to_answer(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("ES", "carmen@b.example").await;
    let buyer = sign_in(&app, "carmen@b.example").await;
    let page = buyer.get(&app, &format!("/requests/{request}")).await;
    let choices = between(&page, "<select id=\"party\" name=\"party\">", "</select>");
    assert!(
        choices.contains("Hydrotech") && choices.contains("Iberia Fluidos"),
        "{choices}"
    );
    let form = Form::new()
        .text("party", app.distributor.to_string())
        .text("body", "Hola, ¿plazo de entrega?");
    assert_eq!(buyer.send(&app, &request, form).await.status(), 303);
    let distributor = sign_in(&app, "lucia@iberia.example").await;
    let page = distributor.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Hola, ¿plazo de entrega?"));
    let maker = sign_in(&app, "claire@hydrotech.example").await;
    let page = maker.get(&app, &format!("/requests/{request}")).await;
    assert!(
        !page.contains("plazo de entrega"),
        "the wall holds on the pages"
    );
}

async fn pages_follow_the_access_policy(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let quote = app.post_quote(&app.maker.token, &request).await;
    let document = quote.trim_start_matches("/api/v1");
    for email in [
        "rita@rival.example",
        "lucia@iberia.example",
        "someone@b.example",
    ] {
        if email == "someone@b.example" {
            let _ = app.request_from("ES", email).await;
        }
        let browser = sign_in(&app, email).await;
        for path in [format!("/requests/{request}"), document.to_owned()] {
            let response = browser
                .client
                .get(app.url(&path))
                .header("cookie", &browser.cookie)
                .send()
                .await
                .expect("GET");
            assert_eq!(response.status(), 404, "{email} {path}");
        }
    }
    let buyer = sign_in(&app, "luc@b.example").await;
    let download = buyer
        .client
        .get(app.url(document))
        .header("cookie", &buyer.cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"quote.pdf\""
    );
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
}

async fn remind_the_buyer_once_a_day(db: Db) {
    let app = TestApp::spawn_with_dev_mailbox(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(
        !page.contains("Remind the buyer"),
        "nothing to remind of before an answer"
    );
    assert_eq!(
        app.say(&app.maker, &request, "Our offer").await.status(),
        201
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Remind the buyer"));
    for expected in ["true", "false"] {
        let response = seller
            .client
            .post(app.url(&format!("/requests/{request}/remind")))
            .header("cookie", &seller.cookie)
            .form(&[("csrf", seller.csrf.as_str())])
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            format!("/requests/{request}?reminded={expected}")
        );
    }
    let page = seller
        .get(&app, &format!("/requests/{request}?reminded=true"))
        .await;
    assert!(page.contains("The buyer was reminded by email."));
    assert!(between(&page, "id=\"history\"", "</section>").contains("Reminded the buyer"));
    let mailbox = seller.get(&app, "/dev/mail").await;
    assert_eq!(
        mailbox.matches("espera su respuesta sobre").count(),
        1,
        "once a day"
    );
    // The link in the reminder signs the buyer in, straight onto the request.
    let reminder = &mailbox[mailbox.find("espera su respuesta sobre").expect("reminder")..];
    let link = between(reminder, "href=\"", "\"").to_owned();
    let path = link.trim_start_matches(&app.url(""));
    let opened = seller.client.get(app.url(path)).send().await.expect("GET");
    assert_eq!(opened.headers()["location"], format!("/requests/{request}"));
    let outsider = sign_in(&app, "rita@rival.example").await;
    let refused = outsider
        .client
        .post(app.url(&format!("/requests/{request}/remind")))
        .header("cookie", &outsider.cookie)
        .form(&[("csrf", outsider.csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), 404);
}

both!(
    seller_page_number_reply_and_read_receipt,
    send_errors_are_shown_and_the_text_is_kept,
    a_buyer_with_two_sellers_chooses_whom_to_answer,
    pages_follow_the_access_policy,
    remind_the_buyer_once_a_day,
);
