//! The sales network's rules through HTTP: routing by product line, the network managed through
//! the API with its automatic copies, and access never read stale.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::Db;
use crate::helpers::{person, raw_write};
use crate::network::{base, events, thread_parties};
use crate::relay::{last_mail, outbox, spawn};

both!(
    routing_follows_product_lines_and_can_be_turned_off,
    the_network_is_managed_through_the_api_with_auto_copies,
    access_is_never_read_stale,
);

async fn routing_follows_product_lines_and_can_be_turned_off(db: Db) {
    let t = spawn(db).await;
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    let area_manager = network["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["kind"] == "area_manager")
        .and_then(|m| m["id"].as_str())
        .expect("area manager")
        .to_owned();
    let set = |body: Value| {
        let t = &t;
        async move {
            t.client
                .put(t.url("/api/v1/network/routing"))
                .bearer_auth(&t.maker.token)
                .json(&body)
                .send()
                .await
                .expect("PUT")
                .status()
        }
    };
    assert_eq!(
        set(json!({ "product_line": "Pumps", "target": "manufacturer" })).await,
        204
    );
    assert_eq!(
        set(json!({ "product_line": "Valves", "target": area_manager })).await,
        204
    );
    assert_eq!(
        set(json!({ "product_line": "Valves", "target": "nonsense" })).await,
        422
    );
    let create = |country: &str, line: Option<&str>, email: &str| {
        let body = json!({
            "buyer": { "name": "B", "country": country, "language": "en", "email": email },
            "manufacturer_id": t.manufacturer.to_string(),
            "product": { "reference": format!("R-{email}"), "name": "P", "line": line },
            "message": "Price please",
        });
        let t = &t;
        async move {
            let response = t
                .post_json(&t.marketplace_key, "/api/v1/requests", &body)
                .await;
            assert_eq!(response.status(), 201);
            let created: Value = response.json().await.expect("json");
            created["id"].as_str().expect("id").to_owned()
        }
    };
    let parties = |request: String| {
        let t = &t;
        async move {
            let buyer_threads = t.get_json(&t.maker.token, &base(&request)).await;
            let history = t
                .get_json(&t.maker.token, &format!("{}/history", base(&request)))
                .await;
            let routed: Vec<String> = history["events"]
                .as_array()
                .expect("events")
                .iter()
                .filter(|e| e["kind"] == "request_routed")
                .map(|e| e["data"]["rule"].as_str().unwrap_or_default().to_owned())
                .collect();
            drop(buyer_threads);
            routed
        }
    };
    // Spain would go to the distributor by territory; the Pumps line stays with the maker.
    assert!(
        parties(create("ES", Some("pumps"), "a@b.example").await)
            .await
            .is_empty()
    );
    // Valves go to the area manager wherever the buyer is.
    assert_eq!(
        parties(create("FR", Some("Valves"), "c@b.example").await).await,
        ["product_line"]
    );
    // Other lines follow territories.
    assert_eq!(
        parties(create("ES", None, "d@b.example").await).await,
        ["territory"]
    );
    // Routing off: everything stays with the manufacturer.
    assert_eq!(set(json!({ "enabled": false })).await, 204);
    assert!(
        parties(create("ES", None, "e@b.example").await)
            .await
            .is_empty()
    );
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(network["routing_enabled"], false);
    assert_eq!(network["rules"].as_array().map(Vec::len), Some(2));
}

async fn the_network_is_managed_through_the_api_with_auto_copies(db: Db) {
    let t = spawn(db).await;
    let add = |body: Value| {
        let t = &t;
        async move {
            t.post_json(&t.maker.token, "/api/v1/network/members", &body)
                .await
        }
    };
    // Every bad field at once.
    let response = add(json!({
        "name": "", "kind": "wholesaler", "territories": "Atlantis",
        "contact_name": "Bea", "contact_email": "nope", "auto_cc": "x@y.example, bad"
    }))
    .await;
    assert_eq!(response.status(), 422);
    let mut codes = crate::helpers::error_codes(response).await;
    codes.sort();
    assert_eq!(
        codes,
        [
            "country_invalid",
            "email_invalid",
            "email_invalid",
            "kind_invalid",
            "required"
        ]
    );
    let response = add(json!({
        "name": "Lowlands Pumps", "kind": "distributor", "country": "NL",
        "territories": "Benelux", "contact_name": "Bea de Vries",
        "contact_email": "bea@lowlands.example", "contact_language": "en",
        "auto_cc": "sales-director@hydrotech.example"
    }))
    .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("json");
    let lowlands = created["id"].as_str().expect("id").to_owned();
    // A distributor may not manage the network.
    let refused = t
        .post_json(
            &t.distributor_member.token,
            "/api/v1/network/members",
            &json!({}),
        )
        .await;
    assert!(refused.status() == 404 || refused.status() == 422);
    assert_eq!(
        t.post_json(
            &t.distributor_member.token,
            "/api/v1/network/members",
            &json!({ "name": "X", "kind": "distributor", "territories": "FR",
                     "contact_name": "X", "contact_email": "x@x.example" })
        )
        .await
        .status(),
        404
    );
    // A Dutch request goes to the new member, and its automatic-copy address gets the request
    // (only: FAQ e), from Parley's own address, with nothing to sign in with or answer to.
    let (request, _) = t.request_from("NL", "daan@buyer.example").await;
    let copy = last_mail(&t, "sales-director@hydrotech.example", "automatic_copy").await;
    assert!(copy.text_body.contains("presupuesto"), "{}", copy.text_body);
    assert!(copy.from_address.is_none(), "no masked address to answer");
    assert!(!copy.text_body.contains("/signin/"), "{}", copy.text_body);
    assert!(!copy.text_body.contains("daan@buyer.example"));
    assert!(
        t.app
            .create_token("sales-director@hydrotech.example", "test")
            .await
            .is_err(),
        "an automatic copy makes nobody a member"
    );
    let bea = person(&t.app, "bea@lowlands.example").await;
    assert_eq!(t.say(&bea, &request, "Hallo!").await.status(), 201);
    // Lowlands sees who got the copy; the manufacturer does not.
    let seen = events(&t, &bea, &request).await;
    assert!(seen.iter().any(|e| e["kind"] == "automatic_copy_sent"));
    let seen = events(&t, &t.maker, &request).await;
    assert!(!seen.iter().any(|e| e["kind"] == "automatic_copy_sent"));
    // Later conversation mail does not go to the auto-CC address (FAQ e).
    t.app.queue_pending_notifications(10).await.expect("queue");
    let later: Vec<_> = outbox(&t)
        .await
        .into_iter()
        .filter(|m| m.recipient == "sales-director@hydrotech.example" && m.kind != "automatic_copy")
        .collect();
    assert!(later.is_empty(), "{later:?}");
    // Territories change; removed members get no new requests.
    let update = t
        .client
        .put(t.url(&format!("/api/v1/network/members/{lowlands}")))
        .bearer_auth(&t.maker.token)
        .json(&json!({ "territories": "NL, BE" }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(update.status(), 204);
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    let member = network["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == lowlands.as_str())
        .cloned()
        .expect("member");
    assert_eq!(member["territories"], json!(["NL", "BE"]));
    assert_eq!(member["auto_cc"], json!([]));
    let removed = t
        .client
        .delete(t.url(&format!("/api/v1/network/members/{lowlands}")))
        .bearer_auth(&t.maker.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(removed.status(), 204);
    let (later_request, _) = t.request_from("NL", "eva@buyer.example").await;
    assert_eq!(
        thread_parties(&t, &t.maker, &later_request).await,
        [t.manufacturer.to_string()]
    );
    let card = t.get(&bea.token, &base(&later_request)).await;
    assert_eq!(card.status(), 404);
}

/// The access check (SQLite keeps accesses in memory while nothing that decides them changes)
/// sees every change to a request, its threads, their organizations and the grants at once,
/// whoever wrote it.
async fn access_is_never_read_stale(db: Db) {
    let t = spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "jeanne@buyer.example").await;
    let id: parley_domain::RequestId = request.parse().expect("request id");
    let store = t.app.store();
    let access = || async { store.access(id).await.expect("access") };
    let parties = |a: &parley_store::requests::Access| -> Vec<String> {
        a.threads.iter().map(|th| th.party.to_string()).collect()
    };
    let (manufacturer, distributor) = (t.manufacturer.to_string(), t.distributor.to_string());
    assert_eq!(parties(&access().await), [manufacturer.as_str()]);
    assert_eq!(
        parties(&access().await),
        [manufacturer.as_str()],
        "read again"
    );

    // Through Parley: a forward adds the distributor's thread and hands the request over.
    let forwarded = t
        .post_json(
            &t.maker.token,
            &format!("{}/forward", base(&request)),
            &json!({ "to_organization": distributor }),
        )
        .await;
    assert_eq!(forwarded.status(), 200);
    let after = access().await;
    assert_eq!(
        parties(&after),
        [manufacturer.as_str(), distributor.as_str()]
    );
    let handler = after.request.handler;

    // Behind Parley's back, table by table.
    raw_write(
        &t,
        "UPDATE organizations SET name = 'Renamed Fluids' WHERE id IN \
        (SELECT organization_id FROM members WHERE email = 'lucia@iberia.example')",
    )
    .await;
    assert_eq!(access().await.organizations[1].name, "Renamed Fluids");
    raw_write(
        &t,
        "UPDATE threads SET declined_at = 1 WHERE organization_id IN \
        (SELECT organization_id FROM members WHERE email = 'lucia@iberia.example')",
    )
    .await;
    assert!(access().await.threads[1].declined_at.is_some());
    raw_write(&t, "UPDATE requests SET handler_member_id = NULL").await;
    assert!(handler.is_some() && access().await.request.handler.is_none());
    let grant = "INSERT INTO grants (request_id, member_id, party_id, kind, granted_by, \
        request_created_at, created_at) SELECT r.id, m.id, m.organization_id, 'cc', NULL, 0, 0 \
        FROM requests r, members m WHERE m.email = 'lucia@iberia.example'";
    raw_write(&t, grant).await;
    assert_eq!(access().await.parties.grants.len(), 1);
    raw_write(&t, "DELETE FROM grants").await;
    assert!(access().await.parties.grants.is_empty());
    raw_write(&t, grant).await;
    assert_eq!(access().await.parties.grants.len(), 1);
    raw_write(&t, "UPDATE grants SET revoked_at = 1").await;
    assert!(access().await.parties.grants.is_empty());
}
