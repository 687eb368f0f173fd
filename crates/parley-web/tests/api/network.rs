//! The sales network through HTTP (issue 5): forwarding behind the wall, inherited access,
//! copies, declines and outcomes (routing rules, the network's API, stale access:
//! `network_rules`).

use serde_json::{Value, json};

use crate::both;
use crate::helpers::Db;
use crate::helpers::{Person, TestApp, person};
use crate::relay::{email, last_mail, outbox, refusal, send, spawn};

both!(
    forwarding_to_a_network_member_keeps_the_manufacturer_out,
    a_forwardee_and_a_cc_get_exactly_the_access_of_who_added_them,
    declining_hides_the_reason_from_the_buyer_and_counts_as_handled,
);

pub(crate) fn base(request: &str) -> String {
    format!("/api/v1/requests/{request}")
}

/// The parties whose threads `who` sees.
pub(crate) async fn thread_parties(t: &TestApp, who: &Person, request: &str) -> Vec<String> {
    t.get_json(&who.token, &base(request)).await["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .map(|th| th["party"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

pub(crate) async fn events(t: &TestApp, who: &Person, request: &str) -> Vec<Value> {
    t.get_json(&who.token, &format!("{}/history", base(request)))
        .await["events"]
        .as_array()
        .expect("events")
        .clone()
}

async fn forwarding_to_a_network_member_keeps_the_manufacturer_out(db: Db) {
    let t = spawn(db).await;
    // France is nobody's territory: the manufacturer handles the request itself.
    let (request, buyer) = t.request_from("FR", "jeanne@buyer.example").await;
    let distributor = t.distributor.to_string();
    let manufacturer = t.manufacturer.to_string();
    assert_eq!(
        t.get(&t.distributor_member.token, &base(&request))
            .await
            .status(),
        404
    );
    let forwarded = t
        .post_json(
            &t.maker.token,
            &format!("{}/forward", base(&request)),
            &json!({ "to_organization": distributor, "note": "Your customer, I think" }),
        )
        .await;
    assert_eq!(forwarded.status(), 200);
    let handed: Value = forwarded.json().await.expect("json");
    assert_eq!(handed["email"], "lucia@iberia.example");
    // The ratings now count the request to the distributor, no longer to the manufacturer.
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(network["own_rating"]["received"], 0, "{network}");
    let member = network["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == distributor.as_str())
        .unwrap_or_else(|| panic!("the distributor in {network}"));
    assert_eq!(member["rating"]["received"], 1, "{network}");
    // The distributor gets the request with a sign-in link and the note, from a masked address.
    let mail = last_mail(&t, "lucia@iberia.example", "request_forwarded").await;
    assert!(
        mail.text_body.contains("/signin/prl_"),
        "{}",
        mail.text_body
    );
    assert!(mail.text_body.contains("Your customer, I think"));
    // The guide's Forward and Decline buttons are in the email.
    assert!(
        mail.text_body
            .contains(&format!("/requests/{request}?open=forward#handle"))
    );
    assert!(
        mail.text_body
            .contains(&format!("/requests/{request}?open=decline#handle"))
    );
    let html = mail.html_body.clone().unwrap_or_default();
    assert!(
        html.contains(">Décliner</a>") && html.contains(">Transférer</a>"),
        "{html}"
    );
    assert!(
        mail.from_address
            .as_deref()
            .is_some_and(|a| a.ends_with("@reply.parley.localhost"))
    );
    assert!(!mail.text_body.contains("jeanne@buyer.example"));

    // The distributor answers in its own thread, with a quote.
    assert_eq!(
        thread_parties(&t, &t.distributor_member, &request).await,
        [distributor.as_str()]
    );
    let quote = t.post_quote(&t.distributor_member.token, &request).await;
    // The manufacturer sees that the distributor contacted the buyer, and the forward, but not
    // the conversation, its documents, or its events.
    assert_eq!(
        thread_parties(&t, &t.maker, &request).await,
        [manufacturer.as_str()]
    );
    let seen = events(&t, &t.maker, &request).await;
    let has = |kind: &str, party: &str| {
        seen.iter()
            .any(|e| e["kind"] == kind && e["party"].as_str() == Some(party))
    };
    assert!(has("request_forwarded", &distributor));
    assert!(has("buyer_contacted", &distributor));
    assert!(!has("message_sent", &distributor));
    assert_eq!(t.get(&t.maker.token, &quote).await.status(), 404);
    // The buyer sees the distributor's thread, and nothing of the routing.
    assert!(
        thread_parties(&t, &buyer, &request)
            .await
            .contains(&distributor)
    );
    let buyer_kinds: Vec<Value> = events(&t, &buyer, &request)
        .await
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert!(!buyer_kinds.contains(&json!("request_forwarded")));
    // The handler changed: the request is the distributor's to handle in its list.
    let card = t
        .get_json(&t.distributor_member.token, &base(&request))
        .await;
    assert_eq!(card["status"], "answered");
    // Forwarding to an organization outside the network is refused.
    let refused = t
        .post_json(
            &t.maker.token,
            &format!("{}/forward", base(&request)),
            &json!({ "to_organization": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_eq!(refused.status(), 422);
    // A distributor cannot route the manufacturer's request further into the network.
    let refused = t
        .post_json(
            &t.distributor_member.token,
            &format!("{}/forward", base(&request)),
            &json!({ "to_organization": distributor }),
        )
        .await;
    assert_eq!(refused.status(), 404);
}

async fn a_forwardee_and_a_cc_get_exactly_the_access_of_who_added_them(db: Db) {
    let t = spawn(db).await;
    // Spain: routed to the distributor; the manufacturer keeps a thread of its own.
    let (request, buyer) = t.request_from("ES", "carmen@buyer.example").await;
    let (manufacturer, distributor) = (t.manufacturer.to_string(), t.distributor.to_string());
    let forward = t
        .post_json(
            &t.maker.token,
            &format!("{}/forward", base(&request)),
            &json!({ "to_email": "expert@consult.example", "note": "Can you answer?" }),
        )
        .await;
    assert_eq!(forward.status(), 200);
    let cc = t
        .post_json(
            &t.distributor_member.token,
            &format!("{}/cc", base(&request)),
            &json!({ "email": "boss@iberia-partner.example" }),
        )
        .await;
    assert_eq!(cc.status(), 201);
    let forwardee = person(&t.app, "expert@consult.example").await;
    let copied = person(&t.app, "boss@iberia-partner.example").await;
    // Each sees the thread of the party that added them, never the other.
    assert_eq!(
        thread_parties(&t, &forwardee, &request).await,
        [manufacturer.as_str()]
    );
    assert_eq!(
        thread_parties(&t, &copied, &request).await,
        [distributor.as_str()]
    );
    // Their lists hold the request they were given, and nothing else.
    for who in [&forwardee, &copied] {
        let list = t.get_json(&who.token, "/api/v1/requests").await;
        let ids: Vec<&str> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        assert_eq!(ids, [request.as_str()]);
    }
    // The person in copy may answer the buyer (FAQ d), from the web and from their mailbox.
    assert_eq!(
        t.say(&copied, &request, "We can deliver in May.")
            .await
            .status(),
        201
    );
    let notice = last_mail(&t, "boss@iberia-partner.example", "request_copied").await;
    let masked = notice.from_address.expect("masked address");
    let raw = email(
        "boss@iberia-partner.example",
        &masked,
        "cc-1@partner",
        "And install it. Our technicians can come on site the week after delivery.",
    );
    send(t.smtp, "boss@iberia-partner.example", &masked, &raw)
        .await
        .expect("the person in copy writes by email");
    // Someone else writing to that address is refused.
    let raw = email(
        "rita@rival.example",
        &masked,
        "rival-1@rival",
        "Cheaper here",
    );
    let refused = refusal(t.smtp, "rita@rival.example", &masked, &raw).await;
    assert!(refused.contains("550"), "{refused}");
    t.relay_caught_up().await;
    let distributor_thread = t.get_json(&buyer.token, &base(&request)).await["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .find(|th| th["party"]["id"] == distributor.as_str())
        .cloned()
        .expect("thread");
    let bodies: Vec<&str> = distributor_thread["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(bodies.contains(&"We can deliver in May."));
    assert!(bodies.iter().any(|b| b.contains("And install it.")));
    // An emailed reply's language is detected like a web one's (the person's profile says
    // French: they were added by a French-speaking member).
    let emailed = distributor_thread["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| {
            m["body"]
                .as_str()
                .is_some_and(|b| b.contains("And install it."))
        })
        .cloned()
        .expect("emailed reply");
    assert_eq!(emailed["language"], "en");
    assert!(!bodies.iter().any(|b| b.contains("Cheaper")));
    // The forwardee handles the request now: a buyer's message in the manufacturer's thread
    // is announced to them.
    let sent = t
        .post_json(
            &buyer.token,
            &format!("{}/messages", base(&request)),
            &json!({ "body": "Any news?", "party": manufacturer }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    assert!(
        outbox(&t)
            .await
            .iter()
            .any(|m| m.recipient == "expert@consult.example" && m.kind == "new_message"),
        "the forwardee hears about the buyer's message"
    );
    // Both steps are in the history the sellers see, with the recipient's address.
    let seen = events(&t, &t.maker, &request).await;
    assert!(
        seen.iter().any(|e| e["kind"] == "request_forwarded"
            && e["data"]["to_email"] == "expert@consult.example")
    );
    assert!(seen.iter().any(|e| e["kind"] == "cc_added"
        && e["data"]["email"] == "boss@iberia-partner.example"));
    // A buyer's address cannot be given seller access.
    let refused = t
        .post_json(
            &t.maker.token,
            &format!("{}/cc", base(&request)),
            &json!({ "email": "carmen@buyer.example" }),
        )
        .await;
    assert_eq!(refused.status(), 422);
}

async fn declining_hides_the_reason_from_the_buyer_and_counts_as_handled(db: Db) {
    let t = spawn(db).await;
    let (request, buyer) = t.request_from("ES", "pilar@buyer.example").await;
    let decline = |body: Value| {
        let t = &t;
        let path = format!("{}/decline", base(&request));
        async move { t.post_json(&t.distributor_member.token, &path, &body).await }
    };
    // "Other" needs a word of explanation; an unknown reason is refused.
    let response = decline(json!({ "reason": "other" })).await;
    assert_eq!(response.status(), 422);
    assert_eq!(crate::helpers::error_codes(response).await, ["required"]);
    assert_eq!(decline(json!({ "reason": "bored" })).await.status(), 422);
    let response = decline(json!({ "reason": "out_of_stock", "notify_buyer": true })).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        decline(json!({ "reason": "spam" })).await.status(),
        409,
        "declined once"
    );
    // The buyer gets a polite notice without the reason, and sees no decline anywhere.
    let notice = last_mail(&t, "pilar@buyer.example", "request_declined").await;
    assert!(notice.text_body.contains("Iberia Fluidos"));
    assert!(!notice.text_body.to_lowercase().contains("stock"));
    let buyer_view = t.get_json(&buyer.token, &base(&request)).await.to_string();
    assert!(!buyer_view.contains("out_of_stock"));
    assert!(
        !events(&t, &buyer, &request)
            .await
            .iter()
            .any(|e| e["kind"] == "request_declined")
    );
    // The manufacturer sees the status and the reason; the ratings count it as handled.
    let seen = events(&t, &t.maker, &request).await;
    assert!(
        seen.iter()
            .any(|e| e["kind"] == "request_declined" && e["data"]["reason"] == "out_of_stock")
    );
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    let member = network["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == t.distributor.to_string().as_str())
        .cloned()
        .expect("distributor");
    assert_eq!(member["rating"]["declined"], 1);
    assert_eq!(member["rating"]["handled_in_time"], 1);
    assert_eq!(member["rating"]["response_rate_percent"], 100);

    // Another request, answered and won: response time and outcome are counted.
    let (second, _) = t.request_from("PT", "rui@buyer.example").await;
    assert_eq!(
        t.say(&t.distributor_member, &second, "Olá!").await.status(),
        201
    );
    let won = t
        .post_json(
            &t.distributor_member.token,
            &format!("{}/outcome", base(&second)),
            &json!({ "outcome": "won" }),
        )
        .await;
    assert_eq!(won.status(), 204);
    let seen = events(&t, &t.maker, &second).await;
    assert!(
        seen.iter()
            .any(|e| e["kind"] == "outcome_marked" && e["data"]["outcome"] == "won")
    );
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    let rating = network["network_rating"].clone();
    assert_eq!(rating["received"], 2);
    assert_eq!(rating["answered"], 1);
    assert_eq!(rating["won"], 1);
    assert_eq!(rating["response_rate_percent"], 100);
    assert!(rating["median_first_response_seconds"].as_i64().is_some());
    // Network figures are the manufacturer's: a distributor has none to read.
    assert_eq!(
        t.get(&t.distributor_member.token, "/api/v1/network")
            .await
            .status(),
        404
    );
}
