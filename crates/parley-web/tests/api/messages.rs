//! Posting messages with documents; the guide's send errors; read receipts.

use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, MAX_DOCUMENT, TestApp, error_codes, pdf, pdf_part as file};

async fn a_reply_with_a_quote_lands_on_top(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("FR", "luc@b.example").await;
    let first = app
        .say(&app.maker, &request, "Bonjour, voici notre offre.")
        .await;
    assert_eq!(first.status(), 201);
    let form = Form::new()
        .text("body", "Please find our quote attached.")
        .text("cc", "boss@hydrotech.example")
        .part("quote", file(pdf(), "quote-42.pdf"));
    let response = app.post_form(&app.maker.token, &request, form).await;
    assert_eq!(response.status(), 201);
    let sent: Value = response.json().await.expect("json");
    assert_eq!(sent["documents"][0]["kind"], "quote");
    assert_eq!(sent["documents"][0]["filename"], "quote-42.pdf");
    assert_eq!(sent["sender"], "claire@hydrotech.example");
    assert_eq!(sent["channel"], "api");

    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert_eq!(detail["status"], "answered");
    let messages = detail["threads"][0]["messages"]
        .as_array()
        .expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[0]["body"], "Please find our quote attached.",
        "newest first"
    );
    assert_eq!(messages[0]["cc"][0], "boss@hydrotech.example");

    let kinds = app.history_kinds(&app.maker, &request).await;
    assert_eq!(
        kinds,
        [
            "message_sent",
            "quote_sent",
            "cc_added",
            "message_sent",
            "buyer_contacted",
            "request_created"
        ]
    );

    // The buyer sees both messages, but not the seller's addresses, and answers.
    let detail: Value = app
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}"))
        .await;
    let messages = detail["threads"][0]["messages"]
        .as_array()
        .expect("messages");
    assert!(messages[0]["sender"].is_null());
    assert_eq!(messages[0]["cc"].as_array().expect("cc").len(), 0);
    let reply = app.say(&buyer, &request, "Merci !").await;
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.expect("json");
    assert_eq!(reply["author"], "buyer");
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    let newest = &detail["threads"][0]["messages"][0];
    assert_eq!(newest["body"], "Merci !");
    assert!(
        newest["sender"].is_null(),
        "the buyer's address stays private"
    );
}

async fn each_guide_error_has_its_code_and_nothing_is_saved(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let cases: Vec<(Form, Vec<&str>)> = vec![
        (Form::new().text("body", "  "), vec!["message_empty"]),
        (
            Form::new().text("body", "Hi").text("sender", ""),
            vec!["sender_empty"],
        ),
        (
            Form::new().text("body", "Hi").text("sender", "claire@"),
            vec!["sender_invalid"],
        ),
        (
            Form::new()
                .text("body", "Hi")
                .text("cc", "ok@x.example, not an address@"),
            vec!["cc_invalid"],
        ),
        (
            Form::new()
                .text("body", "Hi")
                .part("document", file(vec![b'%'; MAX_DOCUMENT + 1], "big.pdf")),
            vec!["file_too_large", "document_not_pdf"],
        ),
        (
            Form::new().text("body", "Hi").part(
                "document",
                file(
                    {
                        let mut big = pdf();
                        big.resize(MAX_DOCUMENT + 1, b' ');
                        big
                    },
                    "big.pdf",
                ),
            ),
            vec!["file_too_large"],
        ),
        (
            Form::new()
                .text("body", "Hi")
                .part("document", file(b"MZ\x90\x00 an exe".to_vec(), "quote.pdf")),
            vec!["document_not_pdf"],
        ),
        (
            Form::new()
                .text("body", "Hi")
                .text("document_kind", "invoice")
                .part("document", file(pdf(), "q.pdf")),
            vec!["document_kind_invalid"],
        ),
    ];
    for (form, expected) in cases {
        let response = app.post_form(&app.maker.token, &request, form).await;
        assert_eq!(response.status(), 422);
        assert_eq!(error_codes(response).await, expected);
    }
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert!(
        detail["threads"][0]["messages"]
            .as_array()
            .expect("messages")
            .is_empty()
    );
    assert_eq!(detail["status"], "new");

    // A body over the whole limit is refused before it is read to the end.
    let huge = vec![b'x'; MAX_DOCUMENT * 4 + (1 << 20) + 1024];
    let form = Form::new()
        .text("body", "Hi")
        .part("document", file(huge, "huge.pdf"));
    let response = app.post_form(&app.maker.token, &request, form).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/requests/{request}/messages")))
        .bearer_auth(&app.maker.token)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 415);
}

async fn read_receipts_reach_the_seller(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("FR", "luc@b.example").await;
    assert_eq!(app.say(&app.maker, &request, "Offer 1").await.status(), 201);
    assert_eq!(app.say(&app.maker, &request, "Offer 2").await.status(), 201);
    for expected in [2, 0] {
        let response = app
            .post_json(
                &buyer.token,
                &format!("/api/v1/requests/{request}/read"),
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let marked: Value = response.json().await.expect("json");
        assert_eq!(marked["marked"], expected);
    }
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    for message in detail["threads"][0]["messages"]
        .as_array()
        .expect("messages")
    {
        assert!(
            message["read_at"].is_string(),
            "read receipt shown to the seller"
        );
    }
    let kinds = app.history_kinds(&app.maker, &request).await;
    assert_eq!(kinds.iter().filter(|k| *k == "message_read").count(), 2);
    assert!(
        !app.history_kinds(&buyer, &request)
            .await
            .contains(&"message_read".to_owned()),
        "internal events stay internal"
    );
}

async fn several_threads_need_a_party(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("ES", "carmen@b.example").await;
    let response = app.say(&buyer, &request, "¿Hola?").await;
    assert_eq!(error_codes(response).await, ["party_required"]);
    let response = app
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/messages"),
            &json!({ "body": "¿Hola?", "party": app.distributor.to_string() }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let detail: Value = app
        .get_json(
            &app.distributor_member.token,
            &format!("/api/v1/requests/{request}"),
        )
        .await;
    assert_eq!(detail["threads"][0]["messages"][0]["body"], "¿Hola?");
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert!(
        detail["threads"][0]["messages"]
            .as_array()
            .expect("m")
            .is_empty(),
        "wall"
    );
}

both!(
    a_reply_with_a_quote_lands_on_top,
    each_guide_error_has_its_code_and_nothing_is_saved,
    read_receipts_reach_the_seller,
    several_threads_need_a_party,
    lists_mark_what_the_other_side_wrote_unread,
);

/// The list's unread marker: the buyer's reply is unread for the seller until the seller's
/// side reads the conversation, and the seller's reply for the buyer until they read it; the
/// page shows it with the request's first line.
async fn lists_mark_what_the_other_side_wrote_unread(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("FR", "luc@b.example").await;
    let unread = |token: String| {
        let app = &app;
        let request = request.clone();
        async move {
            let list = app.get_json(&token, "/api/v1/requests").await;
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|item| item["id"] == request.as_str())
                .expect("listed")["unread"]
                .as_bool()
                .expect("unread")
        }
    };
    assert!(
        !unread(app.maker.token.clone()).await,
        "the request alone is new, not unread"
    );
    assert_eq!(app.say(&app.maker, &request, "Offer 1").await.status(), 201);
    assert!(unread(buyer.token.clone()).await, "the seller wrote");
    assert!(!unread(app.maker.token.clone()).await, "their own words");
    assert_eq!(app.say(&buyer, &request, "Cheaper?").await.status(), 201);
    assert!(unread(app.maker.token.clone()).await, "the buyer replied");
    let page = crate::pages::sign_in(&app, "claire@hydrotech.example")
        .await
        .get(&app, "/requests")
        .await;
    assert!(page.contains("class=\"unread\""), "{page}");
    assert!(
        page.contains("¿Pueden enviarme un presupuesto?"),
        "the first line"
    );
    for (who, token) in [("maker", &app.maker.token), ("buyer", &buyer.token)] {
        let response = app
            .post_json(
                token,
                &format!("/api/v1/requests/{request}/read"),
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), 200, "{who}");
    }
    assert!(
        !unread(app.maker.token.clone()).await,
        "read on the seller's side"
    );
    assert!(!unread(buyer.token.clone()).await, "read by the buyer");
}
