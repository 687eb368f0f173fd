//! "My team" (page and API): admins invite a colleague, who gets a sign-in link by email;
//! salespeople only see the team; an organization always keeps an admin; a removed colleague
//! loses access at once; a distributor manages its own team, never the manufacturer's.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, error_codes, person};
use crate::pages::{between, sign_in};
use crate::relay::last_mail;

both!(
    admins_manage_their_team,
    the_team_page_invites_and_keeps_what_was_typed,
    people_outside_any_organization_have_no_team
);

async fn put(t: &TestApp, token: &str, email: &str, body: &Value) -> reqwest::Response {
    t.client
        .put(t.url(&format!("/api/v1/team/members/{email}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("PUT")
}

async fn delete(t: &TestApp, token: &str, email: &str) -> u16 {
    t.client
        .delete(t.url(&format!("/api/v1/team/members/{email}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("DELETE")
        .status()
        .as_u16()
}

async fn code(response: reqwest::Response) -> String {
    response.json::<Value>().await.expect("json")["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn admins_manage_their_team(db: Db) {
    let t = crate::relay::spawn(db).await;
    let team = t.get_json(&t.maker.token, "/api/v1/team").await;
    assert_eq!(team["organization"], "Hydrotech");
    assert_eq!(team["may_manage"], true, "the first people are admins");
    assert_eq!(team["members"].as_array().map(Vec::len), Some(2));

    // An admin invites a salesperson, who gets a sign-in link.
    let invited = put(
        &t,
        &t.maker.token,
        "nina@hydrotech.example",
        &json!({"name": "Nina Roux", "role": "sales", "language": "fr"}),
    )
    .await;
    assert_eq!(invited.status(), 201);
    let link = last_mail(&t, "nina@hydrotech.example", "sign_in_link").await;
    assert!(link.text_body.contains("/signin/"), "{}", link.text_body);
    let nina = person(&t.app, "nina@hydrotech.example").await;
    let hers = t.get_json(&nina.token, "/api/v1/team").await;
    assert_eq!(hers["may_manage"], false);
    let refused = put(
        &t,
        &nina.token,
        "eve@hydrotech.example",
        &json!({"name": "Eve", "role": "admin"}),
    )
    .await;
    assert_eq!(
        refused.status(),
        403,
        "a salesperson does not manage the team"
    );
    assert_eq!(delete(&t, &nina.token, "tom@hydrotech.example").await, 403);

    // Every bad field at once; an address of another organization is refused.
    let bad = put(
        &t,
        &t.maker.token,
        "not-an-address",
        &json!({"name": "", "role": "boss"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(error_codes(bad).await.len(), 3);
    let elsewhere = put(
        &t,
        &t.maker.token,
        "lucia@iberia.example",
        &json!({"name": "Lucía", "role": "sales"}),
    )
    .await;
    assert_eq!(elsewhere.status(), 409);
    assert_eq!(code(elsewhere).await, "member_elsewhere");

    // The organization keeps an admin.
    let tom = json!({"name": "Tom", "role": "sales"});
    assert_eq!(
        put(&t, &t.maker.token, "tom@hydrotech.example", &tom)
            .await
            .status(),
        200
    );
    let claire = json!({"name": "Claire Martin", "role": "sales"});
    let last = put(&t, &t.maker.token, "claire@hydrotech.example", &claire).await;
    assert_eq!(last.status(), 409);
    assert_eq!(code(last).await, "last_admin");
    assert_eq!(
        delete(&t, &t.maker.token, "claire@hydrotech.example").await,
        409
    );

    // A removed colleague's access ends at once.
    assert_eq!(
        delete(&t, &t.maker.token, "nina@hydrotech.example").await,
        204
    );
    assert_eq!(t.get(&nina.token, "/api/v1/requests").await.status(), 401);
    assert_eq!(
        delete(&t, &t.maker.token, "nina@hydrotech.example").await,
        404
    );

    // A distributor manages its own team, and reaches nobody else's.
    let iberia = t
        .get_json(&t.distributor_member.token, "/api/v1/team")
        .await;
    assert_eq!(iberia["organization"], "Iberia Fluidos");
    assert_eq!(
        delete(&t, &t.distributor_member.token, "tom@hydrotech.example").await,
        404
    );
    let buyer = t.request_from("FR", "ana@buyer.example").await.1;
    assert_eq!(t.get(&buyer.token, "/api/v1/team").await.status(), 403);
}

async fn the_team_page_invites_and_keeps_what_was_typed(db: Db) {
    let t = crate::relay::spawn(db).await;
    let admin = sign_in(&t, "claire@hydrotech.example").await;
    let page = admin.get(&t, "/team").await;
    assert!(page.contains("Invite a colleague"), "{page}");
    assert!(page.contains("tom@hydrotech.example"));
    let (status, again) = admin
        .post_form(
            &t,
            "/team/members",
            &[
                ("name", "Paul Petit"),
                ("email", "paul@"),
                ("language", "fr"),
                ("role", "sales"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(again.contains("data-code=\"email_invalid\""), "{again}");
    assert_eq!(
        between(&again, "id=\"t-name\" name=\"name\" value=\"", "\""),
        "Paul Petit"
    );
    let (status, _) = admin
        .post_form(
            &t,
            "/team/members",
            &[
                ("name", "Paul Petit"),
                ("email", "paul@hydrotech.example"),
                ("language", "fr"),
                ("role", "sales"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    last_mail(&t, "paul@hydrotech.example", "sign_in_link").await;
    // The new salesperson sees the team, without the admin's forms.
    let paul = sign_in(&t, "paul@hydrotech.example").await;
    let his = paul.get(&t, "/team").await;
    assert!(
        his.contains("Claire Martin") && !his.contains("id=\"invite\""),
        "{his}"
    );
    let (status, _) = paul
        .post_form(&t, "/team/remove", &[("email", "tom@hydrotech.example")])
        .await;
    assert_ne!(status, 303, "a salesperson removes nobody");
    assert!(
        admin
            .get(&t, "/team")
            .await
            .contains("tom@hydrotech.example")
    );
}

/// Someone reached by a forward belongs to no organization: no My team in their menu (a link
/// that would lead nowhere), and the team is refused to them.
async fn people_outside_any_organization_have_no_team(db: Db) {
    let t = crate::relay::spawn(db).await;
    let (request, _) = t.request_from("FR", "ana@buyer.example").await;
    let forwarded = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{request}/forward"),
            &json!({ "to_email": "jean@consultant.example" }),
        )
        .await;
    assert!(forwarded.status().is_success(), "{}", forwarded.status());
    let member = sign_in(&t, "claire@hydrotech.example").await;
    assert!(member.get(&t, "/requests").await.contains("href=\"/team\""));
    let outsider = sign_in(&t, "jean@consultant.example").await;
    let page = outsider.get(&t, &format!("/requests/{request}")).await;
    assert!(!page.contains("href=\"/team\""), "no dead link");
    let jean = person(&t.app, "jean@consultant.example").await;
    assert_eq!(t.get(&jean.token, "/api/v1/team").await.status(), 403);
}
