//! Translating messages through the API with a real Apertium APY (issue 7): detection, direct
//! pairs, a pivot, the cache, the history event once per reader, the wall, and the error for a
//! pair no engine covers.

use parley_app::TranslationEngine;
use parley_translate::LocalApy;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, Person, TestApp};

both!(
    messages_are_detected_translated_cached_and_recorded,
    the_request_itself_is_translated,
    the_picker_offers_only_what_an_engine_covers,
);

pub(crate) async fn start_apy() -> Option<LocalApy> {
    if !LocalApy::installed() {
        assert!(
            std::env::var_os("PARLEY_REQUIRE_APERTIUM").is_none(),
            "PARLEY_REQUIRE_APERTIUM is set but apertium-apy is not installed"
        );
        return None;
    }
    Some(LocalApy::start().await.expect("apertium-apy"))
}

/// The messages `who` sees in the request, newest first.
async fn messages(t: &TestApp, who: &Person, request: &str) -> Vec<Value> {
    t.get_json(&who.token, &format!("/api/v1/requests/{request}"))
        .await["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .flat_map(|th| th["messages"].as_array().cloned().unwrap_or_default())
        .collect()
}

async fn translate(t: &TestApp, who: &Person, message: &str, target: &str) -> reqwest::Response {
    t.post_json(
        &who.token,
        &format!("/api/v1/messages/{message}/translations"),
        &json!({ "target": target }),
    )
    .await
}

async fn messages_are_detected_translated_cached_and_recorded(db: Db) {
    let Some(apy) = start_apy().await else {
        return;
    };
    let mut settings = TestApp::settings();
    settings.translation = vec![TranslationEngine::Apertium(apy.url().to_owned())];
    let t = TestApp::spawn_with(db, settings).await;
    // A Spanish buyer, routed to the distributor; Lucía's profile says French, she writes
    // Spanish: the message is stored as Spanish.
    let (request, buyer) = t.request_from("ES", "carmen@buyer.example").await;
    let body = json!({
        "body": "Necesito un presupuesto para tres bombas.",
        "party": t.distributor.to_string(),
    });
    let sent = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/messages"),
            &body,
        )
        .await;
    assert_eq!(sent.status(), 201);
    let sent = t
        .say(
            &t.distributor_member,
            &request,
            "Hola Carmen, le envío el precio de las tres bombas mañana.",
        )
        .await;
    assert_eq!(sent.status(), 201);
    let seen = messages(&t, &t.distributor_member, &request).await;
    let buyer_message = seen
        .iter()
        .find(|m| m["author"] == "buyer")
        .expect("buyer's")
        .clone();
    let seller_message = seen
        .iter()
        .find(|m| m["author"] == "member")
        .expect("seller's")
        .clone();
    assert_eq!(
        seller_message["language"], "es",
        "detected, not the profile's fr"
    );
    let (buyer_id, seller_id) = (
        buyer_message["id"].as_str().expect("id"),
        seller_message["id"].as_str().expect("id"),
    );

    // The distributor translates the buyer's message into French, then English.
    let response = translate(&t, &t.distributor_member, buyer_id, "fr").await;
    assert_eq!(response.status(), 200);
    let fr: Value = response.json().await.expect("json");
    assert_eq!(fr["source"], "es");
    assert_eq!(fr["engine"], "apertium");
    assert_eq!(fr["cached"], false);
    assert!(
        fr["text"].as_str().is_some_and(|t| t.contains("trois")),
        "{fr}"
    );
    let again: Value = translate(&t, &t.distributor_member, buyer_id, "fr")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["cached"], true);
    assert_eq!(again["text"], fr["text"]);
    // `/metrics` counts the engine's calls and their time: one so far (the stored translation
    // called none).
    let metrics = t.text("/metrics").await;
    assert!(
        metrics.contains("parley_translation_calls_total{engine=\"apertium\",outcome=\"ok\"} 1\n"),
        "{metrics}"
    );
    // The time spent: more than nothing (a first call, loading its pair, may take seconds).
    let seconds: f64 = metrics
        .lines()
        .find_map(|line| {
            line.strip_prefix(
                "parley_translation_seconds_total{engine=\"apertium\",outcome=\"ok\"} ",
            )
        })
        .and_then(|value| value.trim().parse().ok())
        .expect("the engine's time in /metrics");
    assert!(seconds > 0.0, "{metrics}");
    let en: Value = translate(&t, &t.distributor_member, buyer_id, "en")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(en["via"], Value::Null);
    assert!(
        en["text"].as_str().is_some_and(|t| t.contains("I need")),
        "{en}"
    );
    // Recorded once for this reader and message; the manufacturer sees that its network
    // translated a buyer's message, not the text.
    let history = t
        .get_json(
            &t.maker.token,
            &format!("/api/v1/requests/{request}/history"),
        )
        .await;
    let translated: Vec<&Value> = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "message_translated")
        .collect();
    assert_eq!(translated.len(), 1, "{history}");
    assert_eq!(translated[0]["actor"]["name"], "Lucía García");
    // The wall: the manufacturer cannot translate the distributor's conversation.
    assert_eq!(translate(&t, &t.maker, buyer_id, "fr").await.status(), 404);
    assert_eq!(
        translate(&t, &t.outsider, buyer_id, "fr").await.status(),
        404
    );
    assert_eq!(
        translate(&t, &t.area_member, buyer_id, "fr").await.status(),
        404
    );
    // Someone the distributor put in copy reads the thread, so may translate it.
    let copied = t
        .post_json(
            &t.distributor_member.token,
            &format!("/api/v1/requests/{request}/cc"),
            &json!({ "email": "boss@iberia-partner.example" }),
        )
        .await;
    assert_eq!(copied.status(), 201);
    let boss = crate::helpers::person(&t.app, "boss@iberia-partner.example").await;
    assert_eq!(translate(&t, &boss, buyer_id, "fr").await.status(), 200);
    // The buyer translates the seller's reply; into her own language it is already.
    let same = translate(&t, &buyer, seller_id, "es").await;
    assert_eq!(same.status(), 422);
    assert_eq!(crate::helpers::error_codes(same).await, ["same_language"]);
    assert_eq!(translate(&t, &buyer, seller_id, "it").await.status(), 200);
    // A pair no engine covers: said plainly, never faked.
    let response = translate(&t, &buyer, seller_id, "ja").await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["code"], "translation_unavailable");
    assert_eq!(
        problem["errors"][0]["message"],
        "translation not available for es → ja with the configured engines"
    );

    // French to English has no direct pair in Debian: through Spanish.
    let (fr_request, fr_buyer) = t.request_from("FR", "luc@buyer.example").await;
    let sent = t
        .say(
            &t.maker,
            &fr_request,
            "Bonjour, voici notre prix pour deux pompes centrifuges.",
        )
        .await;
    assert_eq!(sent.status(), 201);
    let message = messages(&t, &fr_buyer, &fr_request).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let pivot: Value = translate(&t, &fr_buyer, &message, "en")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(pivot["source"], "fr");
    assert_eq!(pivot["via"], "es", "{pivot}");
    let buyer_history = t
        .get_json(
            &fr_buyer.token,
            &format!("/api/v1/requests/{fr_request}/history"),
        )
        .await;
    assert!(
        buyer_history["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "buyer_translated")
    );
}

async fn translate_request(
    t: &TestApp,
    who: &Person,
    request: &str,
    target: &str,
) -> reqwest::Response {
    t.post_json(
        &who.token,
        &format!("/api/v1/requests/{request}/translations"),
        &json!({ "target": target }),
    )
    .await
}

/// The buyer's first message, the request itself, is translated like any message: for its
/// sellers across the wall (the manufacturer and the distributor it went to) and for the buyer,
/// stored once and reused; nobody else may.
async fn the_request_itself_is_translated(db: Db) {
    let Some(apy) = start_apy().await else {
        return;
    };
    let mut settings = TestApp::settings();
    settings.translation = vec![TranslationEngine::Apertium(apy.url().to_owned())];
    let t = TestApp::spawn_with(db, settings).await;
    let (request, buyer) = t.request_from("ES", "carmen@buyer.example").await;
    let language = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert_eq!(language["language"], "es", "{language}");

    let response = translate_request(&t, &t.distributor_member, &request, "fr").await;
    assert_eq!(response.status(), 200);
    let fr: Value = response.json().await.expect("json");
    assert_eq!(
        (fr["source"].as_str(), fr["engine"].as_str()),
        (Some("es"), Some("apertium"))
    );
    assert_eq!(fr["cached"], false);
    assert!(fr["text"].as_str().is_some_and(|t| !t.is_empty()), "{fr}");
    // The manufacturer reads the same text across the wall: the stored translation.
    let again: Value = translate_request(&t, &t.maker, &request, "fr")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["cached"], true);
    assert_eq!(again["text"], fr["text"]);
    // The buyer too, into English (through the pair es → en).
    let en = translate_request(&t, &buyer, &request, "en").await;
    assert_eq!(en.status(), 200);
    // Errors: its own language, a language Parley does not know; nobody else's request.
    let same = translate_request(&t, &t.maker, &request, "es").await;
    assert_eq!(same.status(), 422);
    assert_eq!(crate::helpers::error_codes(same).await, ["same_language"]);
    let unknown = translate_request(&t, &t.maker, &request, "xx").await;
    assert_eq!(
        crate::helpers::error_codes(unknown).await,
        ["language_invalid"]
    );
    let (_, stranger) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(
        translate_request(&t, &stranger, &request, "fr")
            .await
            .status(),
        404
    );
}

/// The picker under a text lists only the languages a configured engine can translate it into
/// (as the engines listed their pairs at start), preset to the reader's; without an engine
/// there is no picker at all: no button that can only fail.
async fn the_picker_offers_only_what_an_engine_covers(db: Db) {
    let Some(apy) = start_apy().await else {
        return;
    };
    let mut settings = TestApp::settings();
    settings.translation = vec![TranslationEngine::Apertium(apy.url().to_owned())];
    let t = TestApp::spawn_with(db, settings).await;
    t.app.list_translation_pairs().await;
    // A request in Spanish, read by a seller whose profile says French.
    let (request, _) = t.request_from("FR", "carmen@buyer.example").await;
    let seller = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let page = seller.get(&t, &format!("/requests/{request}")).await;
    let picker = crate::pages::between(&page, "id=\"t-request\"", "</form>");
    let offered: Vec<&str> = picker
        .split("<option value=\"")
        .skip(1)
        .filter_map(|option| option.split('"').next())
        .collect();
    // Debian's Apertium: Spanish to French, English, Italian, Portuguese; nothing to German,
    // Russian, Chinese or Japanese (see README, translation).
    assert_eq!(offered, ["fr", "en", "it", "pt"], "{picker}");
    assert!(
        picker.contains("<option value=\"fr\" selected>"),
        "{picker}"
    );

    // No engine configured: the page offers no translation.
    let t = TestApp::spawn(db).await;
    let (request, _) = t.request_from("FR", "carmen@buyer.example").await;
    let seller = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let page = seller.get(&t, &format!("/requests/{request}")).await;
    assert!(
        !page.contains("/translate\""),
        "no picker without an engine"
    );
}
