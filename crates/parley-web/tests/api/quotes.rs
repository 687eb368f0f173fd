//! Quotes through the API (issue 6): terms parsed exactly, versions superseding each other, the
//! buyer's answer, and who may do what.

use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, Person, TestApp, error_codes, pdf, pdf_part, person};

both!(quotes_are_versioned_and_answered_by_the_buyer);

fn quote_form(body: &str, terms: &[(&str, &str)]) -> Form {
    let mut form = Form::new()
        .text("body", body.to_owned())
        .part("quote", pdf_part(pdf(), "quote.pdf"));
    for (name, value) in terms {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    form
}

async fn quotes(t: &TestApp, who: &Person, request: &str) -> Vec<Value> {
    t.get_json(&who.token, &format!("/api/v1/requests/{request}/quotes"))
        .await["quotes"]
        .as_array()
        .expect("quotes")
        .clone()
}

async fn quotes_are_versioned_and_answered_by_the_buyer(db: Db) {
    let t = TestApp::spawn(db).await;
    let (request, buyer) = t.request_from("FR", "luc@b.example").await;
    let valid = [
        ("online_payment", "1"),
        ("quote_amount", "1 200,00"),
        ("quote_currency", "EUR"),
        ("quote_valid_until", "2099-12-31"),
        ("quote_reference", "Q-042"),
        ("quote_description", "Two HT-200 pumps"),
        ("quote_shipping", "80"),
        ("quote_tax", "256.00"),
    ];
    // Every bad term at once, and nothing sent.
    let mut bad = valid.to_vec();
    bad[1] = ("quote_amount", "lots");
    bad[3] = ("quote_valid_until", "2001-01-01");
    bad[4] = ("quote_reference", "");
    let response = t
        .post_form(&t.maker.token, &request, quote_form("Our offer", &bad))
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        error_codes(response).await,
        ["amount_invalid", "date_past", "required"]
    );
    assert!(quotes(&t, &t.maker, &request).await.is_empty());
    // Terms without the quote document are refused too.
    let form = Form::new()
        .text("body", "Offer")
        .text("online_payment", "1");
    let response = t.post_form(&t.maker.token, &request, form).await;
    assert_eq!(error_codes(response).await, ["quote_document_required"]);
    // A buyer does not send quotes.
    let response = t
        .post_form(&buyer.token, &request, quote_form("Mine", &[]))
        .await;
    assert_eq!(error_codes(response).await, ["quote_not_allowed"]);

    let response = t
        .post_form(&t.maker.token, &request, quote_form("Our offer", &valid))
        .await;
    assert_eq!(response.status(), 201);
    let first = quotes(&t, &buyer, &request).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["version"], 1);
    assert_eq!(first[0]["status"], "sent");
    assert_eq!(first[0]["total"], "1536.00");
    assert_eq!(first[0]["amount"], "1200.00");
    assert_eq!(first[0]["online_payment"], true);
    assert_eq!(first[0]["reference"], "Q-042");
    let first_id = first[0]["id"].as_str().expect("id").to_owned();
    // A new quote (without online payment) supersedes it.
    let response = t
        .post_form(&t.maker.token, &request, quote_form("New offer", &[]))
        .await;
    assert_eq!(response.status(), 201);
    let both_versions = quotes(&t, &buyer, &request).await;
    assert_eq!(both_versions[0]["version"], 2);
    assert_eq!(both_versions[0]["online_payment"], false);
    assert_eq!(both_versions[1]["status"], "superseded");
    let second_id = both_versions[0]["id"].as_str().expect("id").to_owned();
    // The superseded one cannot be accepted; only the buyer answers.
    let accept = |who: &Person, id: &str| {
        let (t, path) = (&t, format!("/api/v1/quotes/{id}/accept"));
        let token = who.token.clone();
        async move { t.post_json(&token, &path, &json!({})).await }
    };
    assert_eq!(accept(&buyer, &first_id).await.status(), 409);
    assert_eq!(accept(&t.maker, &second_id).await.status(), 404);
    let stranger = {
        let _ = t.request_from("DE", "hans@b.example").await;
        person(&t.app, "hans@b.example").await
    };
    assert_eq!(accept(&stranger, &second_id).await.status(), 404);
    let declined = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{second_id}/decline"),
            &json!({ "comment": "Too expensive for us" }),
        )
        .await;
    assert_eq!(declined.status(), 200);
    let declined: Value = declined.json().await.expect("json");
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["comment"], "Too expensive for us");
    assert_eq!(
        accept(&buyer, &second_id).await.status(),
        409,
        "answered once"
    );
    // Every step is in the history, in order.
    let kinds = t.history_kinds(&t.maker, &request).await;
    let quote_kinds: Vec<&str> = kinds
        .iter()
        .map(String::as_str)
        .filter(|k| k.starts_with("quote_"))
        .collect();
    assert_eq!(quote_kinds, ["quote_declined", "quote_sent", "quote_sent"]);
    // A third quote can be accepted.
    let response = t
        .post_form(&t.maker.token, &request, quote_form("Last offer", &valid))
        .await;
    assert_eq!(response.status(), 201);
    let third = quotes(&t, &buyer, &request).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let accepted: Value = accept(&buyer, &third).await.json().await.expect("json");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["version"], 3);
}
