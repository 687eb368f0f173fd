//! Hostile input on the web: a marketplace never changes what another sent about a buyer, a
//! sign-in link never leads off site, the pages carry their security headers.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, error_codes};

both!(
    a_marketplace_never_changes_what_another_sent_about_a_buyer,
    a_genuine_sign_in_link_never_leads_off_site,
    pages_carry_security_headers,
);

async fn a_marketplace_never_changes_what_another_sent_about_a_buyer(db: Db) {
    let t = TestApp::spawn(db).await;
    let luc = |name: &str, company: &str, phone: &str| {
        json!({
            "buyer": {
                "name": name, "company": company, "country": "FR", "language": "fr",
                "email": "luc.moreau@buyer.example", "phone": phone,
            },
            "manufacturer_id": t.manufacturer.to_string(),
            "product": { "reference": "HT-200", "name": "Pump" },
            "message": "Bonjour"
        })
    };
    let genuine = t
        .post_json(
            &t.marketplace_key,
            "/api/v1/requests",
            &luc("Luc Moreau", "Moreau SARL", "+33 1 23 45 67 89"),
        )
        .await;
    assert_eq!(genuine.status(), 201);
    let genuine: Value = genuine.json().await.expect("json");
    // Another marketplace sends a request with Luc's address and someone else's details.
    let archiexpo = parley_domain::Marketplace {
        id: parley_domain::MarketplaceId::new(),
        slug: "archiexpo".into(),
        name: "ArchiExpo".into(),
    };
    t.app
        .store()
        .write(archiexpo, |tx, archiexpo| {
            Box::pin(parley_store::directory::insert_marketplace(tx, archiexpo))
        })
        .await
        .expect("marketplace");
    let other_key = t
        .app
        .create_marketplace_key("archiexpo", "test")
        .await
        .expect("key");
    let forged = t
        .post_json(
            &other_key,
            "/api/v1/requests",
            &luc("Mallory", "EvilCorp", "+1 555 0100"),
        )
        .await;
    assert_eq!(forged.status(), 201);
    // Luc's first request still shows what its own marketplace sent, phone included.
    let id = genuine["id"].as_str().expect("id");
    let detail = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{id}"))
        .await;
    assert_eq!(detail["buyer"]["name"], "Luc Moreau", "{detail}");
    assert_eq!(detail["buyer"]["company"], "Moreau SARL");
    let phone = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{id}/phone"),
            &json!({}),
        )
        .await;
    let phone: Value = phone.json().await.expect("json");
    assert_eq!(phone["phone"], "+33 1 23 45 67 89", "{phone}");
    let listed = t
        .get_json(&t.maker.token, "/api/v1/requests")
        .await
        .to_string();
    assert!(
        listed.contains("Luc Moreau") && listed.contains("Mallory"),
        "{listed}"
    );

    // A seller's address cannot be a buyer's: it could never sign in as one.
    let mut seller = luc("Claire", "Hydrotech", "");
    seller["buyer"]["email"] = json!("claire@hydrotech.example");
    let refused = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &seller)
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["email_of_a_seller"]);
}

async fn a_genuine_sign_in_link_never_leads_off_site(db: Db) {
    let t = TestApp::spawn(db).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for next in [
        "/\t/evil.example/phish",
        "//evil.example",
        "/x\r\nSet-Cookie: a=b",
        "/x\n",
        "/x\u{b}",
        "/x\u{0}",
    ] {
        let (link, _) = t
            .app
            .create_sign_in_link("claire@hydrotech.example", next)
            .await
            .expect("link")
            .expect("known address");
        let response = client
            .get(t.url(&format!("/signin/{link}")))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
    }
}

async fn pages_carry_security_headers(db: Db) {
    let t = TestApp::spawn(db).await;
    for path in ["/signin", "/api/v1/requests", "/healthz"] {
        let response = t.client.get(t.url(path)).send().await.expect("GET");
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
    // The pages' own markup needs nothing the policy forbids: no inline script or style.
    let page = t.text("/signin").await;
    assert!(
        !page.contains("<script>") && !page.contains(" style=\""),
        "{page}"
    );
}
