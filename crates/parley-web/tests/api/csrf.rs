//! CSRF by construction: every form a page offers, for every party, refuses a post without
//! the session's token (or with another one), and nothing changes.

use std::collections::BTreeSet;

use reqwest::multipart::Form;

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::orders::{quote_accepted, quote_sent};
use crate::pages::{Browser, sign_in};

both!(every_form_refuses_a_post_without_its_token);

/// The `action` (or `hx-post`) of every form or control that posts, on `html`.
fn posting_targets(html: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for tag in html.split('<').filter(|tag| {
        (tag.starts_with("form") && tag.contains("method=\"post\"")) || tag.contains("hx-post=")
    }) {
        let attribute = if tag.contains("hx-post=") {
            "hx-post=\""
        } else {
            "action=\""
        };
        if let Some(start) = tag.find(attribute) {
            let rest = &tag[start + attribute.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            let target = rest[..end].split('#').next().unwrap_or_default();
            targets.push(target.replace("&amp;", "&"));
        }
    }
    targets
}

/// `target` with its ids replaced by `{id}`: the route it reaches.
fn route_of(target: &str) -> String {
    target
        .split('/')
        .map(|part| {
            if uuid::Uuid::parse_str(part).is_ok() {
                "{id}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn refused(t: &TestApp, who: &Browser, target: &str, token: Option<&str>) -> u16 {
    let request = who.client.post(t.url(target)).header("cookie", &who.cookie);
    let request = if target.ends_with("/messages") {
        let form = Form::new().text("body", "forged");
        let form = match token {
            Some(token) => form.text("csrf", token.to_owned()),
            None => form,
        };
        request.multipart(form)
    } else {
        let mut fields = vec![
            ("body", "forged"),
            ("reason", "other"),
            ("email", "eve@x.example"),
        ];
        if let Some(token) = token {
            fields.push(("csrf", token));
        }
        request.form(&fields)
    };
    request.send().await.expect("POST").status().as_u16()
}

async fn every_form_refuses_a_post_without_its_token(db: Db) {
    // A translation engine is configured (the pickers are forms too); it is never asked here,
    // so the pages offer every language.
    let mut settings = TestApp::settings();
    settings.translation = vec![parley_app::TranslationEngine::Apertium(
        "http://127.0.0.1:9".to_owned(),
    )];
    let t = TestApp::spawn_with(db, settings).await;
    let (request, buyer, _quote) = quote_accepted(&t).await;
    let (pending, _, _) = quote_sent(&t).await;
    let seller = sign_in(&t, "claire@hydrotech.example").await;
    let shopper = sign_in(&t, "luc@b.example").await;
    // What each side sees, but reading (a page shown marks the buyer's message read).
    let state = || async {
        let changes = |kinds: Vec<String>| {
            kinds
                .into_iter()
                .filter(|kind| kind != "message_read")
                .collect::<Vec<_>>()
        };
        (
            changes(t.history_kinds(&t.maker, &request).await),
            changes(t.history_kinds(&buyer, &request).await),
            {
                // The ratings are summed at each read here: their time moves, nothing else.
                let mut network = t.get_json(&t.maker.token, "/api/v1/network").await;
                network["ratings_computed_at"] = serde_json::Value::Null;
                network
            },
        )
    };
    let before = state().await;

    let mut routes = BTreeSet::new();
    let pages = [
        "/requests".to_owned(),
        format!("/requests/{request}"),
        format!("/requests/{pending}"),
        "/network".to_owned(),
        "/team".to_owned(),
    ];
    for who in [&seller, &shopper] {
        for page in &pages {
            let response = who
                .client
                .get(t.url(page))
                .header("cookie", &who.cookie)
                .send()
                .await
                .expect("GET");
            if response.status() != 200 {
                continue; // a buyer has no network page nor team
            }
            let html = response.text().await.expect("text");
            for target in posting_targets(&html) {
                assert!(target.starts_with('/'), "{page} posts off-site: {target}");
                if target == "/signin" {
                    continue; // before any session: its own double-submit token
                }
                for token in [None, Some("forged-token")] {
                    assert_eq!(
                        refused(&t, who, &target, token).await,
                        403,
                        "POST {target} from {page} with token {token:?}"
                    );
                }
                routes.insert(route_of(&target));
            }
        }
    }
    // The walk reached every form of the guide's pages (a new form joins by being offered).
    for route in [
        "/signout",
        "/requests/{id}/messages",
        "/requests/{id}/phone",
        "/requests/{id}/remind",
        "/requests/{id}/forward",
        "/requests/{id}/cc",
        "/requests/{id}/decline",
        "/requests/{id}/outcome",
        "/requests/{id}/review",
        "/quotes/{id}/answer",
        "/messages/{id}/translate",
        "/quotes/{id}/order",
        "/quotes/validate",
        "/network/members",
        "/network/members/{id}",
        "/network/members/{id}/remove",
        "/network/routing",
        "/team/members",
        "/team/remove",
        "/team/reminders",
    ] {
        assert!(routes.contains(route), "{route} not offered: {routes:?}");
    }
    assert_eq!(before, state().await, "a refused post changed something");
}
