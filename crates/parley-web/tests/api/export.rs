//! The list as a CSV file: the same requests as the list with the same filters, in its order,
//! across pages; the filters in the file's name; a buyer's name that a spreadsheet would run
//! as a formula defused; a bad filter refused before any file starts; the page links to it.

use serde_json::json;

use crate::both;
use crate::helpers::{Db, TestApp};

both!(the_list_exports_as_csv);

async fn the_list_exports_as_csv(db: Db) {
    let t = TestApp::spawn(db).await;
    // More than one export page (100 rows), one buyer with a formula for a name.
    let mut made = Vec::new();
    for n in 0..105 {
        let (id, _) = t
            .request_from(
                if n % 2 == 0 { "FR" } else { "DE" },
                &format!("b{n}@buyer.example"),
            )
            .await;
        made.push(id);
    }
    let hostile = json!({
        "buyer": { "name": "=HYPERLINK(\"http://evil.example\")", "country": "FR",
                   "language": "fr", "email": "eve@buyer.example" },
        "manufacturer_id": t.manufacturer.to_string(),
        "product": { "reference": "HT-200", "name": "Centrifugal pump HT-200" },
        "message": "Bonjour,\nun devis ?"
    });
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &hostile)
        .await;
    assert_eq!(response.status(), 201);

    let response = t
        .get(&t.maker.token, "/api/v1/requests/export.csv?country=FR")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"requests-country-FR.csv\""
    );
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let csv = response.text().await.expect("csv");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("id,received_at,status,buyer"),
        "{}",
        lines[0]
    );
    // The list's own order and content, every page of it.
    let mut listed = Vec::new();
    let mut after = String::new();
    loop {
        let page = t
            .get_json(
                &t.maker.token,
                &format!("/api/v1/requests?country=FR&limit=30{after}"),
            )
            .await;
        for item in page["items"].as_array().expect("items") {
            listed.push(item["id"].as_str().expect("id").to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    let exported: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .next()
                .expect("id")
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    assert_eq!(exported, listed);
    assert_eq!(exported.len(), 54, "53 French requests and Eve's");
    let eve = lines
        .iter()
        .find(|l| l.contains("HYPERLINK"))
        .expect("Eve's row");
    assert!(
        eve.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\","),
        "{eve}"
    );
    assert!(
        eve.ends_with(",\"Bonjour,\""),
        "the first line of the request: {eve}"
    );

    // A bad filter is a problem, not a broken file; a buyer exports their own.
    let bad = t
        .get(&t.maker.token, "/api/v1/requests/export.csv?status=maybe")
        .await;
    assert_eq!(bad.status(), 422);
    let buyer = crate::helpers::person(&t.app, "b0@buyer.example").await;
    let own = t
        .get(&buyer.token, "/api/v1/requests/export.csv")
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(
        own.matches("\r\n").count(),
        2,
        "header and one request: {own}"
    );

    // The page links to the export of the list as filtered, which a signed-in seller downloads.
    let browser = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let page = browser.get(&t, "/requests?country=DE").await;
    assert!(
        page.contains("href=\"/requests/export.csv?country=DE\""),
        "{page}"
    );
    let file = browser.get(&t, "/requests/export.csv?country=DE").await;
    assert_eq!(
        file.matches("\r\n").count(),
        53,
        "header and 52 German requests"
    );
}
