//! Amounts and times as the reader writes them (issue 28): one format for the same amount
//! everywhere on a page (the quote card and the history), times in the browser's time zone
//! (the `parley_tz` cookie `zone.js` sets), UTC said as such when none is known; error pages in
//! the reader's language too.

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::orders::{quote_sent, with_stripe};

both!(
    amounts_and_times_read_as_the_reader_writes_them,
    error_pages_read_in_the_readers_language,
);

async fn amounts_and_times_read_as_the_reader_writes_them(db: Db) {
    // A quote payable online carries its amount (1,200 + 336 tax).
    let t = TestApp::spawn_with(db, with_stripe().await).await;
    let (request, _, _) = quote_sent(&t).await;
    let mut buyer = crate::pages::sign_in(&t, "luc@b.example").await;
    let path = format!("/requests/{request}");

    // German, in Tokyo: 1.536,00 EUR on the card and in the history, times in JST.
    buyer.cookie = format!(
        "{}; parley_lang=de; parley_tz=Asia%2FTokyo",
        buyer.session_cookie
    );
    let page = buyer.get(&t, &path).await;
    let quotes = crate::pages::between(&page, "id=\"quotes\"", "</section>");
    let history = crate::pages::between(&page, "id=\"history\"", "</section>");
    assert!(quotes.contains("1.536,00 EUR"), "{quotes}");
    assert!(history.contains("1.536,00 EUR"), "{history}");
    assert!(!page.contains("1,536.00"), "one format on the page");
    assert!(history.contains(" JST"), "{history}");
    assert!(!page.contains(" UTC"), "no UTC time once the zone is known");

    // French, zone unknown: French separators, times in UTC and labelled so.
    buyer.cookie = format!("{}; parley_lang=fr", buyer.session_cookie);
    let page = buyer.get(&t, &path).await;
    assert!(page.contains("1\u{202f}536,00 EUR"), "French grouping");
    let history = crate::pages::between(&page, "id=\"history\"", "</section>");
    assert!(history.contains(" UTC"), "{history}");

    // A zone that is not a time zone is ignored, not echoed.
    buyer.cookie = format!("{}; parley_tz=..%2F..%2Fetc%2Fpasswd", buyer.session_cookie);
    let page = buyer.get(&t, &path).await;
    assert!(page.contains(" UTC") && !page.contains("passwd"));

    // Every page loads the script that tells the zone; it is served as JavaScript.
    assert!(page.contains("<script src=\"/static/zone.js\" defer></script>"));
    let script = t
        .client
        .get(t.url("/static/zone.js"))
        .send()
        .await
        .expect("GET");
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );
    assert!(script.text().await.expect("text").contains("parley_tz="));
}

/// Error pages (not found, an expired form) in the reader's language, like every page.
async fn error_pages_read_in_the_readers_language(db: Db) {
    let t = TestApp::spawn(db).await;
    let get = |path: &'static str, header: (&'static str, &'static str)| {
        let call = t.client.get(t.url(path)).header(header.0, header.1);
        async move {
            let response = call.send().await.expect("GET");
            (
                response.status().as_u16(),
                response.text().await.expect("text"),
            )
        }
    };
    let (status, page) = get("/no/such/page", ("accept-language", "fr-FR,fr;q=0.9")).await;
    assert_eq!(status, 404);
    assert!(
        page.contains("<html lang=\"fr\">") && page.contains("Introuvable"),
        "{page}"
    );
    let (status, page) = get("/no/such/page", ("cookie", "parley_lang=de")).await;
    assert_eq!(status, 404);
    assert!(
        page.contains("<html lang=\"de\">") && page.contains("Nicht gefunden"),
        "{page}"
    );
    // A signed-in person's profile language counts too (a French seller; no such request).
    let unknown = "/requests/01a23cc9-8053-716f-965d-cd16ccf836e8";
    let seller = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let response = t
        .client
        .get(t.url(unknown))
        .header("cookie", &seller.session_cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 404);
    assert!(response.text().await.expect("text").contains("Introuvable"));
    // The API keeps its problem+json.
    let (status, body) = get("/api/v1/nothing", ("accept-language", "fr")).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("\"status\":404") || body.contains("\"status\": 404"),
        "{body}"
    );
}
