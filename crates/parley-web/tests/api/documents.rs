//! Downloading documents: headers, access, and “opened” once per viewer.

use crate::both;
use crate::helpers::{Db, TestApp, pdf};

async fn opening_a_quote_is_logged_once_per_viewer(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("FR", "luc@b.example").await;
    let url = app.post_quote(&app.maker.token, &request).await;

    // The seller opening their own quote is not an “opened”.
    assert_eq!(app.get(&app.maker.token, &url).await.status(), 200);
    for _ in 0..3 {
        let response = app.get(&buyer.token, &url).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            response.headers()["content-disposition"],
            "attachment; filename=\"quote.pdf\""
        );
        assert_eq!(
            response.bytes().await.expect("bytes").as_ref(),
            pdf().as_slice()
        );
    }
    let kinds = app.history_kinds(&app.maker, &request).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "document_opened").count(),
        1,
        "{kinds:?}"
    );

    // Without a token (a link scanner) nothing is served and nothing is logged.
    let anonymous = app.client.get(app.url(&url)).send().await.expect("GET");
    assert_eq!(anonymous.status(), 401);
    // Other parties and strangers get the same 404 as for a document that does not exist.
    for token in [&app.distributor_member.token, &app.outsider.token] {
        assert_eq!(app.get(token, &url).await.status(), 404);
    }
    assert_eq!(
        app.get(
            &buyer.token,
            "/api/v1/documents/01a21b74-0000-7000-8000-000000000000"
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        app.get(&buyer.token, "/api/v1/documents/not-an-id")
            .await
            .status(),
        404
    );
    let kinds = app.history_kinds(&app.maker, &request).await;
    assert_eq!(kinds.iter().filter(|k| *k == "document_opened").count(), 1);
}

both!(opening_a_quote_is_logged_once_per_viewer);
