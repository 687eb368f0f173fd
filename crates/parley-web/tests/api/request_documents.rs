//! The buyer's documents sent with the request (issue "Run Parley for real"): JSON in base64 or
//! multipart, PDF and the message limits, every bad document reported at once with nothing
//! kept, seen by everyone on the request and nobody else.

use base64::Engine as _;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, MAX_DOCUMENT, TestApp, error_codes, pdf};

both!(
    a_request_brings_the_buyers_documents_to_every_seller_on_it,
    bad_documents_are_refused_at_once_and_nothing_is_kept,
);

fn body(email: &str, documents: Value) -> Value {
    json!({
        "buyer": { "name": "Eva Ruiz", "country": "ES", "language": "es", "email": email },
        "manufacturer_id": "",
        "product": { "reference": "HT-200", "name": "Centrifugal pump HT-200" },
        "message": "Adjunto el plano.",
        "documents": documents,
    })
}

fn with_manufacturer(t: &TestApp, mut body: Value) -> Value {
    body["manufacturer_id"] = json!(t.manufacturer.to_string());
    body
}

async fn download(t: &TestApp, token: &str, url: &str) -> (u16, Vec<u8>) {
    let response = t.get(token, url).await;
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("bytes").to_vec())
}

async fn a_request_brings_the_buyers_documents_to_every_seller_on_it(db: Db) {
    let t = TestApp::spawn(db).await;
    let drawing = pdf();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&drawing);
    let sent = with_manufacturer(
        &t,
        body(
            "eva@buyer.example",
            json!([{ "filename": "plano.pdf", "content_base64": encoded }]),
        ),
    );
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &sent)
        .await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Spain: the distributor's request, which the manufacturer follows too.
    let detail = t
        .get_json(
            &t.distributor_member.token,
            &format!("/api/v1/requests/{id}"),
        )
        .await;
    let documents = detail["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), 1, "{detail}");
    assert_eq!(documents[0]["filename"], "plano.pdf");
    let url = documents[0]["url"].as_str().expect("url").to_owned();
    let buyer = crate::helpers::person(&t.app, "eva@buyer.example").await;
    for token in [&t.distributor_member.token, &t.maker.token, &buyer.token] {
        let (status, bytes) = download(&t, token, &url).await;
        assert_eq!(status, 200);
        assert_eq!(bytes, drawing);
    }
    // Nobody else, not even a seller of the same network who is not on this request.
    for token in [&t.outsider.token, &t.area_member.token] {
        assert_eq!(download(&t, token, &url).await.0, 404);
    }
    // The request page lists it for the sellers.
    let seller = crate::pages::sign_in(&t, "lucia@iberia.example").await;
    let page = seller
        .client
        .get(t.url(&format!("/requests/{id}")))
        .header("cookie", &seller.cookie)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    let doc_id = documents[0]["id"].as_str().expect("id");
    assert!(page.contains(&format!("/documents/{doc_id}")), "{page}");
    assert!(page.contains("plano.pdf"));

    // Multipart: the JSON in a part `request`, the files in `document` parts.
    let form = Form::new()
        .text(
            "request",
            with_manufacturer(&t, body("ana@buyer.example", json!([]))).to_string(),
        )
        .part(
            "document",
            Part::bytes(drawing.clone())
                .file_name("spec.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        )
        .part(
            "document",
            Part::bytes(drawing.clone())
                .file_name("plan.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let response = t
        .client
        .post(t.url("/api/v1/requests"))
        .bearer_auth(&t.marketplace_key)
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 201);
    let second = response.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let detail = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{second}"))
        .await;
    let names: Vec<&str> = detail["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter_map(|d| d["filename"].as_str())
        .collect();
    assert_eq!(names, ["spec.pdf", "plan.pdf"]);
}

async fn bad_documents_are_refused_at_once_and_nothing_is_kept(db: Db) {
    let t = TestApp::spawn(db).await;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut too_big = pdf();
    too_big.resize(MAX_DOCUMENT + 1, b' ');
    let mut sent = with_manufacturer(
        &t,
        body(
            "eva@buyer.example",
            json!([
                { "filename": "notes.txt", "content_base64": b64(b"plain text") },
                { "filename": "huge.pdf", "content_base64": b64(&too_big) },
            ]),
        ),
    );
    sent["buyer"]["email"] = json!("not an address");
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &sent)
        .await;
    assert_eq!(response.status(), 422);
    let codes = error_codes(response).await;
    for code in ["document_not_pdf", "file_too_large"] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
    assert!(codes.len() >= 3, "the buyer's email too: {codes:?}");
    let garbled = with_manufacturer(
        &t,
        body(
            "eva@buyer.example",
            json!([{ "filename": "x.pdf", "content_base64": "%%%" }]),
        ),
    );
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &garbled)
        .await;
    assert_eq!(error_codes(response).await, ["document_not_base64"]);
    let six: Vec<Value> = (0..6)
        .map(|i| json!({ "filename": format!("{i}.pdf"), "content_base64": b64(&pdf()) }))
        .collect();
    let response = t
        .post_json(
            &t.marketplace_key,
            "/api/v1/requests",
            &with_manufacturer(&t, body("eva@buyer.example", json!(six))),
        )
        .await;
    assert_eq!(error_codes(response).await, ["too_many_documents"]);
    // Nothing was created.
    let list = t.get_json(&t.maker.token, "/api/v1/requests").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
}
