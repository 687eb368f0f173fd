//! The access policy through HTTP: every actor against every request endpoint, as a table.
//! A request routed to the distributor has a manufacturer thread and a distributor thread,
//! each with a document.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, person};

async fn access_matrix_over_http(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, buyer) = app.request_from("ES", "carmen@b.example").await;
    let _ = app.request_from("FR", "other@b.example").await;
    let other_buyer = person(&app.app, "other@b.example").await;
    let maker_doc = app.post_quote(&app.maker.token, &request).await;
    let distributor_doc = app
        .post_quote(&app.distributor_member.token, &request)
        .await;

    let actors: Vec<(&str, Option<&str>)> = vec![
        ("buyer", Some(&buyer.token)),
        ("other buyer", Some(&other_buyer.token)),
        ("manufacturer member", Some(&app.maker.token)),
        ("second manufacturer member", Some(&app.maker2.token)),
        (
            "routed distributor member",
            Some(&app.distributor_member.token),
        ),
        ("area manager not routed", Some(&app.area_member.token)),
        ("other manufacturer", Some(&app.outsider.token)),
        ("anonymous", None),
    ];
    let manufacturer = app.manufacturer.to_string();
    let base = format!("/api/v1/requests/{request}");
    // (action, method, path, JSON body)
    let actions: Vec<(&str, &str, String, Option<Value>)> = vec![
        ("read request", "GET", base.clone(), None),
        ("read history", "GET", format!("{base}/history"), None),
        (
            "display phone",
            "POST",
            format!("{base}/phone"),
            Some(json!({})),
        ),
        (
            "post in M thread",
            "POST",
            format!("{base}/messages"),
            Some(json!({"body": "hi", "party": manufacturer})),
        ),
        (
            "mark M read",
            "POST",
            format!("{base}/read"),
            Some(json!({"party": manufacturer})),
        ),
        ("open M document", "GET", maker_doc.clone(), None),
        ("open D document", "GET", distributor_doc.clone(), None),
    ];
    #[rustfmt::skip]
    let expected: [(&str, [u16; 7]); 8] = [
        //                            read  hist phone postM readM docM docD
        ("buyer",                      [200, 200, 404, 201, 200, 200, 200]),
        ("other buyer",                [404, 404, 404, 404, 404, 404, 404]),
        ("manufacturer member",        [200, 200, 200, 201, 200, 200, 404]),
        ("second manufacturer member", [200, 200, 200, 201, 200, 200, 404]),
        ("routed distributor member",  [200, 200, 200, 404, 404, 404, 200]),
        ("area manager not routed",    [404, 404, 404, 404, 404, 404, 404]),
        ("other manufacturer",         [404, 404, 404, 404, 404, 404, 404]),
        ("anonymous",                  [401, 401, 401, 401, 401, 401, 401]),
    ];
    let mut mismatches = Vec::new();
    for ((actor, token), (row_actor, row)) in actors.iter().zip(expected.iter()) {
        assert_eq!(actor, row_actor);
        for ((action, method, path, body), want) in actions.iter().zip(row.iter()) {
            let mut call = match *method {
                "GET" => app.client.get(app.url(path)),
                _ => app.client.post(app.url(path)),
            };
            if let Some(token) = token {
                call = call.bearer_auth(token);
            }
            if let Some(body) = body {
                call = call.json(body);
            }
            let got = call.send().await.expect("call").status().as_u16();
            if got != *want {
                mismatches.push(format!("{actor} / {action}: expected {want}, got {got}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "HTTP access mismatches:\n{}",
        mismatches.join("\n")
    );

    // The wall, in the history: the manufacturer sees that the distributor contacted the
    // buyer, never the distributor's messages, documents or internal events — and the reverse.
    let events = |history: Value| -> Vec<(String, Option<String>)> {
        history["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap_or_default().to_owned(),
                    e["party"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let distributor = app.distributor.to_string();
    let maker_view = events(
        app.get_json(&app.maker.token, &format!("{base}/history"))
            .await,
    );
    assert!(maker_view.contains(&("buyer_contacted".into(), Some(distributor.clone()))));
    assert!(!maker_view.contains(&("message_sent".into(), Some(distributor.clone()))));
    assert!(!maker_view.contains(&("document_opened".into(), Some(distributor.clone()))));
    let distributor_view = events(
        app.get_json(&app.distributor_member.token, &format!("{base}/history"))
            .await,
    );
    assert!(distributor_view.contains(&("buyer_contacted".into(), Some(manufacturer.clone()))));
    assert!(!distributor_view.contains(&("message_sent".into(), Some(manufacturer.clone()))));
    let buyer_view = events(app.get_json(&buyer.token, &format!("{base}/history")).await);
    assert!(
        buyer_view
            .iter()
            .all(|(kind, _)| ["request_created", "message_sent"].contains(&kind.as_str())),
        "{buyer_view:?}"
    );
    // Lists do not leak either: the distributor's list shows the request but no thread text.
    let list: Value = app
        .get_json(&app.distributor_member.token, "/api/v1/requests")
        .await;
    let listed = list.to_string();
    assert!(!listed.contains("Quote"), "no message text in lists");
}

both!(access_matrix_over_http);
