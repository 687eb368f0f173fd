//! Provisioning by a marketplace's integration key: exhibitors known by the marketplace's own
//! ids, their people, requests addressed by external id; a key never reaches another
//! marketplace's exhibitors.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, error_codes, person};
use crate::pages::sign_in;
use crate::relay::{email, last_mail, refusal};

both!(
    a_marketplace_provisions_its_exhibitors_and_nobody_else_s,
    a_removed_member_loses_every_way_in
);

async fn put(t: &TestApp, key: &str, path: &str, body: &Value) -> reqwest::Response {
    t.client
        .put(t.url(path))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("PUT")
}

/// Sends `request` with the marketplace's key and returns the id of the request created.
async fn request_id(t: &TestApp, key: &str, request: &Value) -> String {
    let sent = t.post_json(key, "/api/v1/requests", request).await;
    assert_eq!(sent.status(), 201);
    sent.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn a_marketplace_provisions_its_exhibitors_and_nobody_else_s(db: Db) {
    let t = TestApp::spawn(db).await;
    let key = &t.marketplace_key;
    let newco =
        json!({"name": "NewCo Pumps", "kind": "manufacturer", "country": "IT", "language": "it"});

    // Created, then updated (idempotent on the external id).
    let created = put(&t, key, "/api/v1/organizations/EXH-7", &newco).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    let organization = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["external_id"], "EXH-7");
    assert_eq!(created["language"], "it");
    let renamed =
        json!({"name": "NewCo Pompe", "kind": "manufacturer", "country": "IT", "language": "it"});
    let updated = put(&t, key, "/api/v1/organizations/EXH-7", &renamed).await;
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.expect("json");
    assert_eq!(
        updated["id"],
        organization.as_str(),
        "the same organization"
    );
    assert_eq!(updated["name"], "NewCo Pompe");

    // Every bad field at once.
    let bad = put(
        &t,
        key,
        "/api/v1/organizations/EXH-8",
        &json!({"name": "Evil\r\nBcc: x@y.example", "kind": "distributor", "country": "ZZZ", "language": "tlh"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let mut codes = error_codes(bad).await;
    codes.sort();
    assert_eq!(
        codes,
        [
            "control_character",
            "country_invalid",
            "kind_invalid",
            "language_invalid"
        ]
    );
    let bad_id = put(&t, key, "/api/v1/organizations/a%20b", &newco).await;
    assert_eq!(bad_id.status(), 422);

    // People: created, updated; an address of another organization is refused.
    let boss = json!({"name": "Giulia Neri", "role": "admin", "time_zone": "Europe/Rome"});
    let path = "/api/v1/organizations/EXH-7/members/giulia@newco.example";
    let added = put(&t, key, path, &boss).await;
    assert_eq!(added.status(), 201);
    let added: Value = added.json().await.expect("json");
    assert_eq!(added["language"], "it", "the organization's language");
    assert_eq!(added["role"], "admin");
    // She is the only admin: she stays one until someone else is.
    let sales = json!({"name": "Giulia Neri", "role": "sales", "language": "en"});
    let last = put(&t, key, path, &sales).await;
    assert_eq!(last.status(), 409);
    assert_eq!(
        last.json::<Value>().await.expect("json")["code"],
        "last_admin"
    );
    let luca = json!({"name": "Luca Neri", "role": "admin"});
    let luca_path = "/api/v1/organizations/EXH-7/members/luca@newco.example";
    assert_eq!(put(&t, key, luca_path, &luca).await.status(), 201);
    let changed = put(&t, key, path, &sales).await;
    assert_eq!(changed.status(), 200);
    assert_eq!(
        changed.json::<Value>().await.expect("json")["role"],
        "sales"
    );
    let elsewhere = put(
        &t,
        key,
        "/api/v1/organizations/EXH-7/members/claire@hydrotech.example",
        &boss,
    )
    .await;
    assert_eq!(elsewhere.status(), 409);
    assert_eq!(
        elsewhere.json::<Value>().await.expect("json")["code"],
        "member_elsewhere"
    );
    let bad_member = put(
        &t,
        key,
        "/api/v1/organizations/EXH-7/members/not-an-address",
        &json!({"name": "", "role": "boss", "time_zone": "Paris; DROP"}),
    )
    .await;
    assert_eq!(bad_member.status(), 422);
    assert_eq!(error_codes(bad_member).await.len(), 4);

    // Read back, and listed by keyset.
    put(&t, key, "/api/v1/organizations/EXH-9", &newco).await;
    let one = t.get_json(key, "/api/v1/organizations/EXH-7").await;
    assert_eq!(one["members"][0]["email"], "giulia@newco.example");
    let first = t.get_json(key, "/api/v1/organizations?limit=1").await;
    assert_eq!(first["organizations"][0]["external_id"], "EXH-7");
    assert_eq!(first["next"], "EXH-7");
    let second = t
        .get_json(key, "/api/v1/organizations?limit=1&after=EXH-7")
        .await;
    assert_eq!(second["organizations"][0]["external_id"], "EXH-9");

    // A request addressed by the marketplace's id reaches the new organization's people.
    let request = json!({
        "buyer": {"name": "Ana Buyer", "country": "IT", "language": "it", "email": "ana@buyer.example", "time_zone": "Europe/Rome"},
        "manufacturer": {"external_id": "EXH-7"},
        "product": {"reference": "NP-1", "name": "Pompa NP-1"},
        "message": "Prezzo per 10 pezzi?"
    });
    let id = request_id(&t, key, &request).await;
    let giulia = person(&t.app, "giulia@newco.example").await;
    let seen = t
        .get(&giulia.token, &format!("/api/v1/requests/{id}"))
        .await;
    assert_eq!(seen.status(), 200, "the exhibitor's person sees it");
    let seen: Value = seen.json().await.expect("json");
    assert_eq!(
        seen["buyer"]["time_zone"], "Europe/Rome",
        "the buyer's time zone"
    );
    let mut bad_zone = request.clone();
    bad_zone["buyer"]["time_zone"] = json!("Rome; DROP TABLE");
    bad_zone["external_ref"] = json!("bad-zone");
    let refused = t.post_json(key, "/api/v1/requests", &bad_zone).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["time_zone_invalid"]);
    let hidden = t
        .get(&t.maker.token, &format!("/api/v1/requests/{id}"))
        .await;
    assert_eq!(hidden.status(), 404, "another manufacturer does not");

    // Another marketplace: none of this exists for it.
    t.app
        .add_marketplace("acme-expo", "Acme Expo")
        .await
        .expect("marketplace");
    let other = t
        .app
        .create_marketplace_key("acme-expo", "test")
        .await
        .expect("key");
    assert_eq!(
        t.get(&other, "/api/v1/organizations/EXH-7").await.status(),
        404
    );
    let listed = t.get_json(&other, "/api/v1/organizations").await;
    assert_eq!(listed["organizations"], json!([]));
    assert_eq!(put(&t, &other, path, &boss).await.status(), 404);
    let mut stray = request.clone();
    stray["external_ref"] = json!("stray-1");
    let refused = t.post_json(&other, "/api/v1/requests", &stray).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_codes(refused).await, ["manufacturer_unknown"]);
    // Its own EXH-7 is another organization.
    let own = put(&t, &other, "/api/v1/organizations/EXH-7", &newco).await;
    assert_eq!(own.status(), 201);
    assert_ne!(
        own.json::<Value>().await.expect("json")["id"],
        organization.as_str()
    );

    // Only integration keys provision.
    let by_member = put(&t, &t.maker.token, "/api/v1/organizations/EXH-7", &newco).await;
    assert_eq!(by_member.status(), 403);
    assert_eq!(
        t.get(&t.maker.token, "/api/v1/organizations")
            .await
            .status(),
        403
    );
}

/// DELETE of a member: their token, session, sign-in and masked address stop at once; the
/// request they handled goes back to the admin, with an event; their message keeps their name.
async fn a_removed_member_loses_every_way_in(db: Db) {
    let t = crate::relay::spawn(db).await;
    let key = &t.marketplace_key;
    let org = json!({"name": "NewCo", "kind": "manufacturer", "country": "FR", "language": "fr"});
    assert_eq!(
        put(&t, key, "/api/v1/organizations/EXH-1", &org)
            .await
            .status(),
        201
    );
    // The oldest member handles new requests: the salesperson first, then the admin.
    let members = "/api/v1/organizations/EXH-1/members";
    // The first member is the organization's admin, whatever role was asked.
    for (address, asked, got) in [
        ("sam@newco.example", "sales", "admin"),
        ("boss@newco.example", "admin", "admin"),
    ] {
        let body = json!({"name": address.split('@').next(), "role": asked});
        let added = put(&t, key, &format!("{members}/{address}"), &body).await;
        assert_eq!(added.status(), 201);
        assert_eq!(added.json::<Value>().await.expect("json")["role"], got);
    }
    let request = json!({
        "buyer": {"name": "Ana Buyer", "country": "FR", "language": "fr", "email": "ana@buyer.example"},
        "manufacturer": {"external_id": "EXH-1"},
        "product": {"reference": "NP-1", "name": "Pompe NP-1"},
        "message": "Prix pour 10 pièces ?"
    });
    let id = request_id(&t, key, &request).await;
    let sam = person(&t.app, "sam@newco.example").await;
    let boss = person(&t.app, "boss@newco.example").await;
    assert_eq!(t.say(&sam, &id, "Bonjour, 12 € pièce.").await.status(), 201);
    let notice = last_mail(&t, "sam@newco.example", "new_request").await;
    let masked = notice.from_address.expect("masked address");
    let browser = sign_in(&t, "sam@newco.example").await;

    // Another marketplace cannot remove him; his own can.
    t.app
        .add_marketplace("acme-expo", "Acme Expo")
        .await
        .expect("marketplace");
    let other = t
        .app
        .create_marketplace_key("acme-expo", "t")
        .await
        .expect("key");
    let path = format!("{members}/sam@newco.example");
    let delete = |key: String| {
        let request = t.client.delete(t.url(&path)).bearer_auth(key);
        async move { request.send().await.expect("DELETE").status() }
    };
    assert_eq!(delete(other).await, 404);
    assert_eq!(delete(key.clone()).await, 204);
    assert_eq!(delete(key.clone()).await, 404, "once");

    // Every way in is shut.
    assert_eq!(
        t.get(&sam.token, &format!("/api/v1/requests/{id}"))
            .await
            .status(),
        401
    );
    let page = browser
        .client
        .get(t.url(&format!("/requests/{id}")))
        .header("cookie", &browser.cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), 303, "to the sign-in form");
    assert!(
        t.app
            .create_sign_in_link("sam@newco.example", "/requests")
            .await
            .expect("link")
            .is_none(),
        "no sign-in link for a removed member"
    );
    let refused = refusal(
        t.smtp,
        "sam@newco.example",
        &masked,
        &email(
            "sam@newco.example",
            &masked,
            "late@newco.example",
            "Encore moi",
        ),
    )
    .await;
    assert!(refused.contains("5.1.1"), "{refused}");
    // The request went back to the admin, who sees why; Sam's message keeps his name.
    let history = t
        .get_json(&boss.token, &format!("/api/v1/requests/{id}/history"))
        .await;
    let handed = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "request_handed_back")
        .expect("a handed-back event");
    assert_eq!(handed["data"]["to"], "boss");
    let detail = t
        .get_json(&boss.token, &format!("/api/v1/requests/{id}"))
        .await;
    assert_eq!(
        detail["threads"][0]["messages"][0]["sender"], "sam@newco.example",
        "what he wrote stays his"
    );
    assert_eq!(
        t.get_json(key, "/api/v1/organizations/EXH-1").await["members"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // Sent anew by the marketplace, he is back (with new credentials to get).
    let back = put(&t, key, &path, &json!({"name": "sam", "role": "sales"})).await;
    assert_eq!(back.status(), 200);
}
