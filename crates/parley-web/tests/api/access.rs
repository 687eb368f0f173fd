//! The access policy through HTTP: every actor against every request endpoint, as a table.
//! A request routed to the distributor has a manufacturer thread and a distributor thread,
//! each with a document.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, person};

async fn access_matrix_over_http(db: Db) {
    let app = TestApp::spawn(db).await;
    // Tom (manufacturer) is in the distributor's automatic copies (FAQ e): he gets the request
    // by email, and nothing more than any manufacturer member.
    let auto_cc = app
        .client
        .put(app.url(&format!("/api/v1/network/members/{}", app.distributor)))
        .bearer_auth(&app.maker.token)
        .json(&json!({ "territories": "ES, PT", "auto_cc": "tom@hydrotech.example" }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(auto_cc.status(), 204);
    let (request, buyer) = app.request_from("ES", "carmen@b.example").await;
    let _ = app.request_from("FR", "other@b.example").await;
    let other_buyer = person(&app.app, "other@b.example").await;
    let maker_doc = app.post_quote(&app.maker.token, &request).await;
    let distributor_doc = app
        .post_quote(&app.distributor_member.token, &request)
        .await;
    // The manufacturer forwards to an outside expert; the distributor copies a colleague.
    let handed = app
        .post_json(
            &app.maker.token,
            &format!("/api/v1/requests/{request}/forward"),
            &json!({ "to_email": "expert@consult.example" }),
        )
        .await;
    assert_eq!(handed.status(), 200);
    let copied = app
        .post_json(
            &app.distributor_member.token,
            &format!("/api/v1/requests/{request}/cc"),
            &json!({ "email": "boss@iberia-partner.example" }),
        )
        .await;
    assert_eq!(copied.status(), 201);
    let forwardee = person(&app.app, "expert@consult.example").await;
    let distributor_cc = person(&app.app, "boss@iberia-partner.example").await;
    // The distributor copied someone, then took them out of copy.
    let copied: Value = app
        .post_json(
            &app.distributor_member.token,
            &format!("/api/v1/requests/{request}/cc"),
            &json!({ "email": "former@iberia-partner.example" }),
        )
        .await
        .json()
        .await
        .expect("json");
    let former = person(&app.app, "former@iberia-partner.example").await;
    let removed = app
        .client
        .delete(app.url(&format!(
            "/api/v1/requests/{request}/cc/{}",
            copied["member_id"].as_str().expect("member id")
        )))
        .bearer_auth(&app.distributor_member.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(removed.status(), 204);

    let actors: Vec<(&str, Option<&str>)> = vec![
        ("buyer", Some(&buyer.token)),
        ("other buyer", Some(&other_buyer.token)),
        ("manufacturer member", Some(&app.maker.token)),
        (
            "manufacturer member in D's auto-CC",
            Some(&app.maker2.token),
        ),
        (
            "routed distributor member",
            Some(&app.distributor_member.token),
        ),
        ("area manager not routed", Some(&app.area_member.token)),
        ("other manufacturer", Some(&app.outsider.token)),
        ("manufacturer's forwardee", Some(&forwardee.token)),
        ("distributor's CC", Some(&distributor_cc.token)),
        ("distributor's removed CC", Some(&former.token)),
        ("anonymous", None),
    ];
    let manufacturer = app.manufacturer.to_string();
    let distributor = app.distributor.to_string();
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
        (
            "post in D thread",
            "POST",
            format!("{base}/messages"),
            Some(json!({"body": "hola", "party": distributor})),
        ),
        (
            "forward for M",
            "POST",
            format!("{base}/forward"),
            Some(json!({"party": manufacturer, "to_email": "colleague@consult.example"})),
        ),
        (
            "copy for D",
            "POST",
            format!("{base}/cc"),
            Some(json!({"party": distributor, "email": "assistant@iberia-partner.example"})),
        ),
        (
            "mark D won",
            "POST",
            format!("{base}/outcome"),
            Some(json!({"party": distributor, "outcome": "won"})),
        ),
        // No engine is configured here: whoever may see the request gets 422
        // `translation_unavailable`, anyone else 404.
        (
            "translate request",
            "POST",
            format!("{base}/translations"),
            Some(json!({"target": "fr"})),
        ),
        // Replies held in the caller's name (none here): whoever may see the request gets
        // their own (empty) list, anyone else 404.
        ("list held replies", "GET", format!("{base}/held"), None),
    ];
    #[rustfmt::skip]
    let expected: [(&str, [u16; 13]); 11] = [
        //                            read  hist phone postM readM docM docD postD fwdM  ccD  wonD  trR  held
        ("buyer",                      [200, 200, 404, 201, 200, 200, 200, 201, 404, 404, 404, 422, 200]),
        ("other buyer",                [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        ("manufacturer member",        [200, 200, 200, 201, 200, 200, 404, 404, 200, 404, 404, 422, 200]),
        ("manufacturer member in D's auto-CC", [200, 200, 200, 201, 200, 200, 404, 404, 200, 404, 404, 422, 200]),
        ("routed distributor member",  [200, 200, 200, 404, 404, 404, 200, 201, 404, 201, 204, 422, 200]),
        ("area manager not routed",    [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        ("other manufacturer",         [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        ("manufacturer's forwardee",   [200, 200, 200, 201, 200, 200, 404, 404, 200, 404, 404, 422, 200]),
        ("distributor's CC",           [200, 200, 200, 404, 404, 404, 200, 201, 404, 201, 204, 422, 200]),
        ("distributor's removed CC",   [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        ("anonymous",                  [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401]),
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

    // The same table drives the relay: mail to the distributor thread's masked addresses is
    // accepted only from a holder the table lets post there ("post in D thread").
    while app
        .app
        .queue_pending_notifications(100)
        .await
        .expect("queue")
        > 0
    {}
    let d_thread = app.get_json(&app.distributor_member.token, &base).await["threads"][0]["id"]
        .as_str()
        .expect("thread")
        .to_owned();
    let request_id = request.parse().expect("request id");
    let addresses: Vec<_> = app
        .app
        .relay_addresses_of(request_id)
        .await
        .expect("addresses")
        .into_iter()
        .filter(|a| a.thread_id == d_thread)
        .collect();
    let handler_address = addresses
        .iter()
        .find(|a| a.email == "lucia@iberia.example")
        .expect("the handler's masked address")
        .token
        .clone();
    let emails = [
        "carmen@b.example",
        "other@b.example",
        "claire@hydrotech.example",
        "tom@hydrotech.example",
        "lucia@iberia.example",
        "jonas@alpen.example",
        "rita@rival.example",
        "expert@consult.example",
        "boss@iberia-partner.example",
        "former@iberia-partner.example",
    ];
    for (n, (from, (actor, row))) in emails.iter().zip(expected.iter()).enumerate() {
        let own = addresses.iter().find(|a| a.email == *from);
        let token = own.map_or(handler_address.as_str(), |a| a.token.as_str());
        let to = format!("{token}@{}", app.app.settings().relay_domain);
        let raw = crate::relay::email(from, &to, &format!("matrix-{n}@test"), "Relayed hello");
        let accepted = crate::relay::send(app.smtp, from, &to, &raw).await.is_ok();
        let allowed = own.is_some() && row[7] == 201;
        if accepted != allowed {
            mismatches.push(format!(
                "{actor} by email: expected {}, got {}",
                if allowed { "250" } else { "refusal" },
                if accepted { "250" } else { "refusal" }
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "relay mismatches:\n{}",
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
        buyer_view.iter().all(
            |(kind, _)| ["request_created", "message_sent", "quote_sent"].contains(&kind.as_str())
        ),
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
