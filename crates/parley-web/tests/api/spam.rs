//! Declining as spam takes the request out of the party's lists (found again with
//! `status=spam`) and out of its ratings, handled or not.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp};

both!(spam_leaves_the_lists_and_the_ratings);

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn spam_leaves_the_lists_and_the_ratings(db: Db) {
    let t = TestApp::spawn(db).await;
    let (kept, _) = t.request_from("FR", "ana@buyer.example").await;
    let (junk, _) = t.request_from("FR", "bot@spam.example").await;
    let received = |network: &Value| network["own_rating"]["received"].as_u64();
    let before = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(received(&before), Some(2));

    let declined = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{junk}/decline"),
            &json!({ "reason": "spam" }),
        )
        .await;
    assert_eq!(declined.status(), 204);

    let list = t.get_json(&t.maker.token, "/api/v1/requests").await;
    assert_eq!(ids(&list), [kept], "spam is out of the list");
    let spam = t
        .get_json(&t.maker.token, "/api/v1/requests?status=spam")
        .await;
    assert_eq!(ids(&spam), [junk]);
    assert_eq!(spam["items"][0]["status"], "spam");
    let declined_list = t
        .get_json(&t.maker.token, "/api/v1/requests?status=declined")
        .await;
    assert!(
        ids(&declined_list).is_empty(),
        "spam is not an ordinary decline"
    );
    let after = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(received(&after), Some(1), "spam counts in no rating");
    assert_eq!(after["own_rating"]["declined"].as_u64(), Some(0));
}
