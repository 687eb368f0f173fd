//! Sender authentication of emailed replies (SPF, DKIM, DMARC with mail-auth) through a real
//! resolver asking a DNS server this test starts and feeds: a reply whose domain publishes
//! DMARC `p=reject` and that fails it is held for the address's holder, who releases or
//! deletes it; in monitor mode the results are only recorded with the original.

use std::net::SocketAddr;
use std::sync::Arc;

use parley_app::Settings;
use parley_app::relay::SenderAuthMode;
use parley_smtp::authentication::SenderAuthenticator;
use parley_test_support::dns::TestDns;
use serde_json::Value;

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::pages::sign_in;
use crate::relay::{email, last_mail, outbox, send};

both!(
    a_forged_reply_is_held_for_its_holder,
    monitoring_records_and_holds_nothing
);

/// What the buyers' domains publish: `buyer.example` sends only from 192.0.2.10 and asks
/// receivers to reject the rest; `verified.example` sends from this machine.
fn dns() -> TestDns {
    TestDns::start(&[
        ("buyer.example", "v=spf1 ip4:192.0.2.10 -all"),
        ("_dmarc.buyer.example", "v=DMARC1; p=reject"),
        ("verified.example", "v=spf1 ip4:127.0.0.1 -all"),
        ("_dmarc.verified.example", "v=DMARC1; p=reject"),
    ])
}

async fn spawn(db: Db, mode: SenderAuthMode) -> TestApp {
    TestApp::spawn_with(
        db,
        Settings {
            dev_mailbox: true,
            sender_auth: mode,
            ..TestApp::settings()
        },
    )
    .await
}

/// A relay listener on `t.app` whose checks ask `dns`.
async fn relay(t: &TestApp, dns: &TestDns) -> SocketAddr {
    let mut config = parley_smtp::SmtpConfig::new(&t.app.settings().relay_domain);
    config.hostname = "relay.parley.test".to_owned();
    config.sender_auth = Some(Arc::new(
        SenderAuthenticator::new(&config.hostname, Some(dns.addr)).expect("resolver"),
    ));
    crate::hostile_sessions::relay_with(t, config).await
}

/// The buyer's masked address for the maker's thread, after the maker wrote.
async fn buyer_address(t: &TestApp, request: &str, buyer: &str) -> String {
    assert_eq!(t.say(&t.maker, request, "Our offer.").await.status(), 201);
    last_mail(t, buyer, "new_message")
        .await
        .from_address
        .expect("masked")
}

async fn bodies(t: &TestApp, token: &str, request: &str) -> Vec<String> {
    t.relay_caught_up().await;
    let seen = t
        .get_json(token, &format!("/api/v1/requests/{request}"))
        .await;
    seen["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .flat_map(|thread| thread["messages"].as_array().cloned().unwrap_or_default())
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn held(t: &TestApp, token: &str, request: &str) -> Vec<Value> {
    t.get_json(token, &format!("/api/v1/requests/{request}/held"))
        .await
        .as_array()
        .expect("list")
        .clone()
}

async fn a_forged_reply_is_held_for_its_holder(db: Db) {
    let dns = dns();
    let t = spawn(db, SenderAuthMode::Enforce).await;
    let relay = relay(&t, &dns).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    let address = buyer_address(&t, &request, "ana@buyer.example").await;

    // From this machine, which buyer.example's SPF does not name, without a DKIM signature:
    // the domain says reject. Accepted (never dropped), held, not posted.
    for (id, body) in [
        ("forged-1@x", "Please pay to IBAN XX00 0000 instead."),
        ("mine-2@x", "Yes, go ahead with the order."),
    ] {
        send(
            relay,
            "ana@buyer.example",
            &address,
            email("ana@buyer.example", &address, id, body),
        )
        .await
        .expect("250: held, not refused");
    }
    let seller_reads = bodies(&t, &t.maker.token, &request).await;
    assert_eq!(seller_reads, ["Our offer."], "nothing posted");

    // Only the holder sees them, with what the checks found, and is told by email.
    let waiting = held(&t, &buyer.token, &request).await;
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    let results = waiting[0]["authentication_results"]
        .as_str()
        .expect("results");
    assert!(
        results.starts_with("relay.parley.test;")
            && results.contains("spf=fail")
            && results.contains("dmarc=fail")
            && results.contains("policy.dmarc=reject"),
        "{results}"
    );
    assert_eq!(
        waiting[0]["preview"],
        "Please pay to IBAN XX00 0000 instead."
    );
    assert!(held(&t, &t.maker.token, &request).await.is_empty());
    assert!(held(&t, &t.maker2.token, &request).await.is_empty());
    let stranger = t
        .get(
            &t.outsider.token,
            &format!("/api/v1/requests/{request}/held"),
        )
        .await;
    assert_eq!(stranger.status(), 404);
    let notice = last_mail(&t, "ana@buyer.example", "reply_held").await;
    assert!(
        notice.text_body.contains(&format!("/requests/{request}")),
        "{}",
        notice.text_body
    );

    // On the holder's page, with Release and Delete.
    let browser = sign_in(&t, "ana@buyer.example").await;
    let page = browser.get(&t, &format!("/requests/{request}")).await;
    assert!(page.contains("the sender could not be verified"), "{page}");
    assert!(page.contains("Please pay to IBAN XX00 0000 instead."));
    let forged = waiting[0]["id"].as_str().expect("id");
    let mine = waiting[1]["id"].as_str().expect("id");

    // Somebody else cannot act on them; the holder deletes the forged one from the page…
    let theirs = t
        .client
        .delete(t.url(&format!("/api/v1/requests/{request}/held/{forged}")))
        .bearer_auth(&t.maker.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(theirs.status(), 404);
    let without_token = browser
        .client
        .post(t.url(&format!("/requests/{request}/held/{forged}/delete")))
        .header("cookie", &browser.cookie)
        .form(&[("body", "x")])
        .send()
        .await
        .expect("POST");
    assert_eq!(without_token.status(), 403, "CSRF");
    assert_eq!(held(&t, &buyer.token, &request).await.len(), 2);
    let (status, _) = browser
        .post_form(
            &t,
            &format!("/requests/{request}/held/{forged}/delete"),
            &[],
        )
        .await;
    assert_eq!(status, 303);
    // …and releases hers through the API: it takes the path of any emailed reply.
    let released = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/held/{mine}/release"),
            &serde_json::json!({}),
        )
        .await;
    let status = released.status();
    let released: Value = released.json().await.expect("json");
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["outcome"], "posted");
    let seller_reads = bodies(&t, &t.maker.token, &request).await;
    assert!(
        seller_reads.contains(&"Yes, go ahead with the order.".to_owned())
            && !seller_reads.iter().any(|b| b.contains("IBAN")),
        "{seller_reads:?}"
    );
    assert!(held(&t, &buyer.token, &request).await.is_empty());
    let again = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/held/{mine}/release"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(again.status(), 404, "released once");
    // The original keeps what the checks said.
    let message = released["message_id"].as_str().expect("message");
    let original = browser
        .get(&t, &format!("/messages/{message}/original"))
        .await;
    assert!(
        original.contains("Authentication-Results: relay.parley.test;"),
        "{original}"
    );

    // A sender its domain vouches for (SPF pass, aligned) is posted at once.
    let (request, _) = t.request_from("FR", "eva@verified.example").await;
    let address = buyer_address(&t, &request, "eva@verified.example").await;
    send(
        relay,
        "eva@verified.example",
        &address,
        email(
            "eva@verified.example",
            &address,
            "ok-3@x",
            "Verified and posted.",
        ),
    )
    .await
    .expect("250");
    let seller_reads = bodies(&t, &t.maker.token, &request).await;
    assert!(
        seller_reads.contains(&"Verified and posted.".to_owned()),
        "{seller_reads:?}"
    );
    assert_eq!(
        outbox(&t)
            .await
            .iter()
            .filter(|m| m.kind == "reply_held")
            .count(),
        1
    );
}

async fn monitoring_records_and_holds_nothing(db: Db) {
    let dns = dns();
    let t = spawn(db, SenderAuthMode::Monitor).await;
    let relay = relay(&t, &dns).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    let address = buyer_address(&t, &request, "ana@buyer.example").await;
    send(
        relay,
        "ana@buyer.example",
        &address,
        email(
            "ana@buyer.example",
            &address,
            "m-1@x",
            "Posted, results recorded.",
        ),
    )
    .await
    .expect("250");
    let seller_reads = bodies(&t, &t.maker.token, &request).await;
    assert!(seller_reads.contains(&"Posted, results recorded.".to_owned()));
    assert!(held(&t, &buyer.token, &request).await.is_empty());
    let browser = sign_in(&t, "ana@buyer.example").await;
    let seen = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}"))
        .await;
    let message = seen["threads"][0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["body"] == "Posted, results recorded.")
        .expect("the reply")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let original = browser
        .get(&t, &format!("/messages/{message}/original"))
        .await;
    assert!(
        original.contains("Authentication-Results: relay.parley.test;")
            && original.contains("dmarc=fail"),
        "{original}"
    );
}
