//! `parley dev seed` writes what the use cases write: a seeded request reads like one made
//! through the API (same fields, same history), and the lists (read by index since migration
//! 0024) agree with themselves over the generated data: every status filter, pages by keyset,
//! the filter choices.

use std::collections::BTreeSet;

use parley_app::store_seed::Plan;
use serde_json::Value;

use crate::both;
use crate::helpers::{Db, TestApp, walk, walk_items};

both!(seeded_requests_read_like_real_ones);

/// Every key path of a JSON value, array items merged (`threads[].messages[].body`).
fn shape(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = format!("{prefix}.{key}");
                out.insert(path.clone());
                shape(inner, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                shape(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

async fn seeded_requests_read_like_real_ones(db: Db) {
    let t = TestApp::spawn(db).await;
    // One request made through the use cases, answered by the manufacturer.
    let (real, _) = t.request_from("DE", "ana@buyer.example").await;
    assert_eq!(
        t.say(&t.maker, &real, "Our quote follows.").await.status(),
        201
    );

    let seeded = t
        .app
        .store()
        .seed(Plan {
            organizations: 2,
            requests: 300,
            messages_per_request: 2,
        })
        .await
        .expect("seed");
    assert_eq!(seeded.requests, 300);
    // `parley dev storage`: each table's bytes, its indexes and search index included.
    let (requests, tables) = t.app.store().storage().await.expect("storage");
    assert_eq!(requests, 301);
    let bytes = |name: &str| {
        tables
            .iter()
            .find(|(table, _)| table == name)
            .map_or(0, |(_, bytes)| *bytes)
    };
    for table in ["requests", "threads", "messages", "events", "request_words"] {
        assert!(bytes(table) > 0, "{table}: {tables:?}");
    }
    assert!(tables.windows(2).all(|w| w[0].1 >= w[1].1), "largest first");
    let (token, _) = t
        .app
        .create_token(&seeded.busiest_admin, "test")
        .await
        .expect("a token for the seeded admin");

    // A seeded answered request has the fields and the history of the real one.
    let answered = t
        .get_json(&token, "/api/v1/requests?status=answered&limit=1")
        .await;
    let id = answered["items"][0]["id"]
        .as_str()
        .expect("an answered one");
    let seeded_detail = t.get_json(&token, &format!("/api/v1/requests/{id}")).await;
    let real_detail = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{real}"))
        .await;
    let (mut want, mut got) = (BTreeSet::new(), BTreeSet::new());
    shape(&real_detail, "", &mut want);
    shape(&seeded_detail, "", &mut got);
    let missing: Vec<_> = want.difference(&got).collect();
    assert!(missing.is_empty(), "seeded detail lacks {missing:?}");
    let kinds = t
        .get_json(&token, &format!("/api/v1/requests/{id}/history"))
        .await["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect::<BTreeSet<_>>();
    for kind in ["request_created", "buyer_contacted", "message_sent"] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }

    // The lists agree with themselves: the statuses partition the list (spam apart), pages
    // by keyset give each request once, newest first.
    let all = walk(&t, &token, "", 7).await;
    assert!(
        all.len() > 100,
        "the busiest manufacturer has most requests"
    );
    assert_eq!(
        all.iter().collect::<BTreeSet<_>>().len(),
        all.len(),
        "once each"
    );
    let mut by_status = BTreeSet::new();
    for status in ["new", "answered", "declined", "won", "lost"] {
        let ids = walk(&t, &token, &format!("status={status}"), 50).await;
        assert!(!ids.is_empty(), "some {status}");
        by_status.extend(ids);
    }
    assert_eq!(
        by_status,
        all.iter().cloned().collect(),
        "statuses cover the list"
    );
    let spam = walk(&t, &token, "status=spam", 50).await;
    assert!(!spam.is_empty() && spam.iter().all(|id| !all.contains(id)));
    // A country narrows to its own, a date range to its days; the choices are what occurs.
    let german = walk(&t, &token, "country=DE", 50).await;
    assert!(!german.is_empty() && german.iter().all(|id| all.contains(id)));
    assert!(walk(&t, &token, "country=ZZ", 50).await.is_empty());
    // The filter choices are the values that occur, spam included (it can be asked for).
    let mut items = walk_items(&t, &token, "", 100).await;
    items.extend(walk_items(&t, &token, "status=spam", 100).await);
    let field = |key: &str| -> BTreeSet<String> {
        items
            .iter()
            .map(|item| item[key].as_str().expect("text").to_owned())
            .collect()
    };
    let (countries, products) = (field("buyer_country"), field("product_id"));
    let choices = t.get_json(&token, "/api/v1/requests/filters").await;
    let listed = |key: &str, field: Option<&str>| -> BTreeSet<String> {
        choices[key]
            .as_array()
            .expect("choices")
            .iter()
            .map(|c| {
                field
                    .map_or(c, |f| &c[f])
                    .as_str()
                    .expect("text")
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(listed("countries", None), countries);
    assert_eq!(listed("products", Some("id")), products);
    assert_eq!(listed("marketplaces", Some("id")).len(), 3, "{choices}");
    // The ratings read the same data.
    let network = t.get_json(&token, "/api/v1/network").await;
    let received = network["own_rating"]["received"]
        .as_u64()
        .expect("received");
    assert!(received > 0, "{network}");
}
