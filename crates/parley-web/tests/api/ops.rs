//! Health, metrics and the OpenAPI document.

use serde_json::{Value, json};

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

    let spec = openapi(&app).await;
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
    let metrics = app.text("/metrics").await;
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

/// Every operation of the OpenAPI document, sent malformed input (a broken JSON body, bad
/// query values, ids that are not ids): every error it answers is a problem document, and
/// none is a server error.
async fn every_api_error_is_a_problem_document(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _buyer) = app.request_from("FR", "ana@buyer.example").await;
    let spec = openapi(&app).await;
    let mut checked = 0;
    let mut problems = Vec::new();
    for (path, operations) in spec["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            for id in [
                request.as_str(),
                "not-an-id",
                "0190e8a0-0000-7000-8000-000000000000",
            ] {
                let url = app.url(&format!(
                    "/api/v1{}?limit=-1&days=-5&cursor=%ZZ&status=bogus&party=x",
                    path.replace("{id}", id).replace("{member}", "nope")
                ));
                let call = match method.as_str() {
                    "get" => app.client.get(url),
                    "post" => app.client.post(url),
                    "put" => app.client.put(url),
                    "delete" => app.client.delete(url),
                    other => panic!("method {other}"),
                };
                for token in [&app.maker.token, &app.marketplace_key] {
                    let response = call
                        .try_clone()
                        .expect("clone")
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .body("{\"body\": ")
                        .send()
                        .await
                        .expect("send");
                    checked += 1;
                    let status = response.status();
                    let kind = response
                        .headers()
                        .get("content-type")
                        .map(|v| v.to_str().unwrap_or_default().to_owned())
                        .unwrap_or_default();
                    if status.is_server_error()
                        || (status.is_client_error() && kind != "application/problem+json")
                    {
                        problems.push(format!("{method} {path} ({id}): {status} {kind}"));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "{checked} calls");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

both!(
    every_api_error_is_a_problem_document,
    a_body_that_misses_a_field_names_the_field
);

/// A well-formed body with a field missing or of the wrong type says which field, by its path,
/// as the other field errors do: what an integrator's program can point at.
async fn a_body_that_misses_a_field_names_the_field(db: Db) {
    let t = TestApp::spawn(db).await;
    let mut request = json!({
        "buyer": {"name": "Ana Buyer", "language": "it", "email": "ana@buyer.example"},
        "manufacturer_id": t.manufacturer.to_string(),
        "product": {"reference": "NP-1", "name": "Pompa NP-1"},
        "message": "Prezzo per 10 pezzi?"
    });
    let errors = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["code"], "bad_json");
        problem["errors"].clone()
    };
    let missing = errors(
        t.post_json(&t.marketplace_key, "/api/v1/requests", &request)
            .await,
    )
    .await;
    assert_eq!(missing[0]["field"], "buyer.country", "{missing}");
    assert_eq!(missing[0]["code"], "required");
    assert_eq!(missing[0]["message"], "missing field `country`");

    request["buyer"]["country"] = json!(["IT"]);
    let wrong = errors(
        t.post_json(&t.marketplace_key, "/api/v1/requests", &request)
            .await,
    )
    .await;
    assert_eq!(wrong[0]["field"], "buyer.country", "{wrong}");
    assert_eq!(wrong[0]["code"], "invalid");

    // The same body as the JSON part of a multipart request (with documents) says the same.
    let form = reqwest::multipart::Form::new().text("request", request.to_string());
    let multipart = t
        .client
        .post(t.url("/api/v1/requests"))
        .bearer_auth(&t.marketplace_key)
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(errors(multipart).await, wrong);

    let top = errors(
        t.post_json(&t.marketplace_key, "/api/v1/requests", &json!({}))
            .await,
    )
    .await;
    assert_eq!(top[0]["code"], "required", "{top}");
    assert!(
        !top[0]["field"].as_str().expect("field").contains('.'),
        "{top}"
    );

    // Text that is not JSON has no field to name.
    let syntax = t
        .client
        .post(t.url("/api/v1/requests"))
        .bearer_auth(&t.marketplace_key)
        .header("content-type", "application/json")
        .body("{\"buyer\": ")
        .send()
        .await
        .expect("POST");
    assert_eq!(syntax.status(), 400);
    let problem: Value = syntax.json().await.expect("json");
    assert!(problem.get("errors").is_none(), "{problem}");
}

/// The API's contract as served, kept in review: any change to a path, a field or an error
/// shows up as a diff of `snapshots/api__ops__openapi_document.snap` (accept it with
/// `cargo insta review` or `INSTA_UPDATE=always`).
#[test]
fn openapi_document() {
    use utoipa::OpenApi;
    let document = parley_web::ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    insta::assert_snapshot!(document);
}

/// Every response names its request id: a proxy's sane one is kept, anything that could forge
/// a log line is replaced by a fresh UUID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_names_its_request_id() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let id_for = |inbound: Option<&[u8]>| {
        let mut request = app.client.get(app.url("/healthz"));
        if let Some(inbound) = inbound {
            let value = reqwest::header::HeaderValue::from_bytes(inbound).expect("a header value");
            request = request.header("x-request-id", value);
        }
        async move {
            let response = request.send().await.expect("GET");
            response.headers()["x-request-id"]
                .to_str()
                .expect("ascii")
                .to_owned()
        }
    };
    let fresh = id_for(None).await;
    assert!(uuid::Uuid::parse_str(&fresh).is_ok(), "{fresh}");
    assert_ne!(id_for(None).await, fresh, "one per request");
    assert_eq!(id_for(Some(b"lb-7f3a_21")).await, "lb-7f3a_21");
    let long = "x".repeat(65);
    for hostile in [
        long.as_bytes(),
        b"a b",
        b"a;b=c",
        "\u{e9}t\u{e9}".as_bytes(),
    ] {
        let replaced = id_for(Some(hostile)).await;
        assert!(
            uuid::Uuid::parse_str(&replaced).is_ok(),
            "{hostile:?} → {replaced}"
        );
    }
}

/// The OpenAPI document as served.
async fn openapi(app: &TestApp) -> Value {
    app.client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json")
}
