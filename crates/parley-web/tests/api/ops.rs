//! Health, metrics and the OpenAPI document.

use serde_json::Value;

use crate::both;
use crate::helpers::{Db, TestApp};

async fn health_metrics_and_openapi(db: Db) {
    let app = TestApp::spawn(db).await;
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("GET");
    assert_eq!(health.status(), 200);
    let body = health.text().await.expect("body");
    assert!(body.contains("database: ok\n"), "{body}");
    assert!(
        body.contains("worker: not running"),
        "no worker in this test: {body}"
    );

    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert!(
        spec["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.1")
    );
    for path in [
        "/requests",
        "/requests/{id}",
        "/requests/{id}/messages",
        "/requests/{id}/history",
        "/requests/{id}/phone",
        "/requests/{id}/read",
        "/documents/{id}",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());

    let _ = app.get(&app.maker.token, "/api/v1/requests").await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(
            "parley_http_requests_total{method=\"GET\",route=\"/api/v1/requests\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("parley_http_request_duration_seconds_bucket"));
}

async fn health_fails_when_the_database_is_gone(db: Db) {
    let app = TestApp::spawn(db).await;
    app.app.close().await;
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("GET");
    assert_eq!(health.status(), 503);
}

both!(
    health_metrics_and_openapi,
    health_fails_when_the_database_is_gone
);
