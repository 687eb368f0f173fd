//! What the tests send and read over HTTP: PDF parts, a problem's field error codes, a list
//! walked page by page.

use reqwest::multipart::Part;
use serde_json::Value;

use super::TestApp;

/// A file part declared as a PDF (whatever its bytes).
pub fn pdf_part(bytes: Vec<u8>, name: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("application/pdf")
        .expect("mime")
}

/// A small valid PDF.
pub fn pdf() -> Vec<u8> {
    parley_app::demo::demo_pdf("Quote 42")
}

/// A problem document's field error codes.
pub async fn error_codes(response: reqwest::Response) -> Vec<String> {
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "errors are problem documents"
    );
    let problem: Value = response.json().await.expect("json");
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// All items of a list, page after page (`limit` per page).
pub async fn walk_items(t: &TestApp, token: &str, query: &str, limit: u32) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after = String::new();
    loop {
        let path = format!("/api/v1/requests?limit={limit}&{query}{after}");
        let page = t.get_json(token, &path).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return items,
        }
    }
}

/// All ids of a list.
pub async fn walk(t: &TestApp, token: &str, query: &str, limit: u32) -> Vec<String> {
    walk_items(t, token, query, limit)
        .await
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}
