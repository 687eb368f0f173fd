//! Creating, listing and reading requests; routing; the buyer's phone; authentication.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, error_codes};

async fn create_is_for_marketplace_keys_and_idempotent(db: Db) {
    let app = TestApp::spawn(db).await;
    let body = json!({
        "buyer": { "name": "Luc", "country": "FR", "language": "fr", "email": "luc@b.example" },
        "manufacturer_id": app.manufacturer.to_string(),
        "product": { "reference": "HT-1", "name": "Pump" },
        "message": "Bonjour",
        "external_ref": "mp-123"
    });
    let first = app
        .post_json(&app.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let again = app
        .post_json(&app.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.expect("json");
    assert_eq!(first["id"], again["id"]);
    assert_eq!(again["created"], false);

    let as_member = app
        .post_json(&app.maker.token, "/api/v1/requests", &body)
        .await;
    assert_eq!(as_member.status(), 403);
    let anonymous = app
        .client
        .post(app.url("/api/v1/requests"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.headers()["content-type"],
        "application/problem+json"
    );
    let forged = app.post_json("prl_0000", "/api/v1/requests", &body).await;
    assert_eq!(forged.status(), 401);
}

async fn create_reports_every_bad_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let body = json!({
        "buyer": { "name": "", "country": "France", "language": "nl", "email": "nope" },
        "manufacturer_id": app.distributor.to_string(),
        "product": { "reference": "HT-1", "name": "Pump" },
        "message": "  "
    });
    let response = app
        .post_json(&app.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(response.status(), 422);
    let codes = error_codes(response).await;
    for code in [
        "required",
        "email_invalid",
        "country_invalid",
        "language_invalid",
        "message_empty",
    ] {
        assert!(codes.contains(&code.to_owned()), "{code} in {codes:?}");
    }
    // A distributor is not a manufacturer: requests are addressed to manufacturers.
    let body = json!({
        "buyer": { "name": "Luc", "country": "FR", "language": "fr", "email": "luc@b.example" },
        "manufacturer_id": app.distributor.to_string(),
        "product": { "reference": "HT-1", "name": "Pump" },
        "message": "Bonjour"
    });
    let response = app
        .post_json(&app.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(error_codes(response).await, ["manufacturer_unknown"]);
    let malformed = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&app.marketplace_key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.headers()["content-type"],
        "application/problem+json"
    );
}

async fn routing_follows_territories(db: Db) {
    let app = TestApp::spawn(db).await;
    let (spanish, _) = app.request_from("ES", "carmen@b.example").await;
    let (german, _) = app.request_from("DE", "anna@b.example").await;
    let (british, _) = app.request_from("GB", "john@b.example").await;
    let parties = |detail: &Value| -> Vec<String> {
        detail["threads"]
            .as_array()
            .expect("threads")
            .iter()
            .map(|t| t["party"]["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let detail: Value = app
        .get_json(
            &app.distributor_member.token,
            &format!("/api/v1/requests/{spanish}"),
        )
        .await;
    assert_eq!(
        parties(&detail),
        ["Iberia Fluidos"],
        "the distributor reads only its thread"
    );
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{spanish}"))
        .await;
    assert_eq!(
        parties(&detail),
        ["Hydrotech"],
        "the manufacturer reads only its thread"
    );
    let detail: Value = app
        .get_json(
            &app.area_member.token,
            &format!("/api/v1/requests/{german}"),
        )
        .await;
    assert_eq!(parties(&detail), ["Alpen Vertrieb"]);
    let response = app
        .get(
            &app.distributor_member.token,
            &format!("/api/v1/requests/{british}"),
        )
        .await;
    assert_eq!(response.status(), 404, "not routed to the distributor");
    let kinds = app.history_kinds(&app.maker, &spanish).await;
    assert_eq!(kinds, ["request_routed", "request_created"]);
    let buyer_sees = app
        .history_kinds(
            &crate::helpers::person(&app.app, "carmen@b.example").await,
            &spanish,
        )
        .await;
    assert_eq!(buyer_sees, ["request_created"], "routing is internal");
}

async fn lists_are_paged_by_keyset_and_scoped(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(
            app.request_from("FR", &format!("buyer{n}@b.example"))
                .await
                .0,
        );
    }
    let _ = app.request_from("ES", "buyer0@b.example").await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(cursor) => format!("/api/v1/requests?limit=2&after={cursor}"),
            None => "/api/v1/requests?limit=2".to_owned(),
        };
        let page: Value = app
            .get(&app.maker.token, &path)
            .await
            .json()
            .await
            .expect("json");
        for item in page["items"].as_array().expect("items") {
            seen.push(item["id"].as_str().expect("id").to_owned());
            assert!(item["buyer_name"].is_string());
            assert!(
                item.get("buyer_email").is_none(),
                "buyer emails never leave"
            );
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen.len(),
        6,
        "manufacturer sees all six, each once: {seen:?}"
    );
    created.reverse();
    assert_eq!(&seen[1..], created.as_slice(), "newest first");

    let page: Value = app
        .get_json(&app.distributor_member.token, "/api/v1/requests")
        .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    let page: Value = app.get_json(&app.outsider.token, "/api/v1/requests").await;
    assert!(page["items"].as_array().expect("items").is_empty());
    let buyer = crate::helpers::person(&app.app, "buyer0@b.example").await;
    let page: Value = app.get_json(&buyer.token, "/api/v1/requests").await;
    assert_eq!(page["items"].as_array().expect("items").len(), 2);
    let bad = app
        .get(&app.maker.token, "/api/v1/requests?after=garbage")
        .await;
    assert_eq!(error_codes(bad).await, ["cursor_invalid"]);
}

async fn lists_filter_like_my_results(db: Db) {
    let app = TestApp::spawn(db).await;
    let (answered, _) = app.request_from("FR", "luc@b.example").await;
    let _ = app.request_from("ES", "carmen@b.example").await;
    let body = json!({
        "buyer": { "name": "Ana", "country": "FR", "language": "fr", "email": "ana@b.example" },
        "manufacturer_id": app.manufacturer.to_string(),
        "product": { "reference": "HT-900", "name": "Vacuum pump HT-900" },
        "message": "Bonjour"
    });
    let response = app
        .post_json(&app.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        app.say(&app.maker, &answered, "Here is our offer")
            .await
            .status(),
        201
    );

    let ids = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let all = app.get_json(&app.maker.token, "/api/v1/requests").await;
    assert_eq!(ids(all.clone()).len(), 3);
    let other_product = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["product"] == "Vacuum pump HT-900")
        .map(|i| i["product_id"].as_str().expect("id").to_owned())
        .expect("HT-900 listed");
    let marketplace = all["items"][0]["marketplace_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let today = parley_domain::Timestamp(parley_store::now_millis()).to_rfc3339()[..10].to_owned();
    for (query, expected) in [
        ("country=ES".to_owned(), 1),
        ("country=fr".to_owned(), 2),
        ("status=new".to_owned(), 2),
        ("status=answered".to_owned(), 1),
        (format!("product={other_product}"), 1),
        (format!("marketplace={marketplace}"), 3),
        (
            format!("marketplace={}", parley_domain::MarketplaceId::new()),
            0,
        ),
        (format!("from={today}&to={today}"), 3),
        ("to=2000-01-01".to_owned(), 0),
        ("country=FR&status=new&limit=1".to_owned(), 1),
    ] {
        let page = app
            .get_json(&app.maker.token, &format!("/api/v1/requests?{query}"))
            .await;
        assert_eq!(ids(page).len(), expected, "{query}");
    }
    let answered_only = app
        .get_json(&app.maker.token, "/api/v1/requests?status=answered")
        .await;
    assert_eq!(ids(answered_only), [answered]);
    let bad = app
        .get(
            &app.maker.token,
            "/api/v1/requests?from=yesterday&status=sold",
        )
        .await;
    assert_eq!(error_codes(bad).await, ["from_invalid", "status_invalid"]);
}

async fn display_the_number_once_per_member(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("FR", "luc@b.example").await;
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert!(detail["buyer"]["phone"].is_null(), "hidden until displayed");
    for _ in 0..2 {
        let response = app
            .post_json(
                &app.maker.token,
                &format!("/api/v1/requests/{request}/phone"),
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let phone: Value = response.json().await.expect("json");
        assert_eq!(phone["phone"], "+34 600 000 001");
    }
    let detail: Value = app
        .get_json(&app.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert_eq!(detail["buyer"]["phone"], "+34 600 000 001");
    let detail: Value = app
        .get_json(&app.maker2.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert!(detail["buyer"]["phone"].is_null(), "per member");
    let _ = app
        .post_json(
            &app.maker2.token,
            &format!("/api/v1/requests/{request}/phone"),
            &json!({}),
        )
        .await;
    let kinds = app.history_kinds(&app.maker, &request).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "phone_displayed").count(),
        2,
        "once per member: {kinds:?}"
    );
    let by_buyer = app
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/phone"),
            &json!({}),
        )
        .await;
    assert_eq!(by_buyer.status(), 404);
    assert!(
        !app.history_kinds(&buyer, &request)
            .await
            .contains(&"phone_displayed".to_owned())
    );
}

async fn revoked_tokens_stop_working(db: Db) {
    let app = TestApp::spawn(db).await;
    assert_eq!(
        app.get(&app.maker.token, "/api/v1/requests").await.status(),
        200
    );
    assert!(
        app.app
            .revoke_token(&app.maker.token)
            .await
            .expect("revoke")
    );
    assert_eq!(
        app.get(&app.maker.token, "/api/v1/requests").await.status(),
        401
    );
}

both!(
    create_is_for_marketplace_keys_and_idempotent,
    create_reports_every_bad_field,
    routing_follows_territories,
    lists_are_paged_by_keyset_and_scoped,
    lists_filter_like_my_results,
    display_the_number_once_per_member,
    revoked_tokens_stop_working,
);
