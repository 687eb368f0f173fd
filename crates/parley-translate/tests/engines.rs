//! The engines for real: Apertium APY started on a loopback port (Debian's apertium-apy, which
//! `scripts/test` installs with the fr-es, eng-spa, spa-ita and es-pt pairs), and
//! LibreTranslate and DeepL clients against a local server that follows their documented
//! requests and responses.

use std::net::SocketAddr;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use parley_domain::LanguageCode::{self, De, En, Es, Fr, Ja, Pt};
use parley_translate::{
    Apertium, DeepL, Engine, LibreTranslate, LocalApy, TranslateError, Translators,
};
use serde_json::{Value, json};

/// Starts apertium-apy, or `None` when it is not installed (and not required).
async fn start_apy() -> Option<LocalApy> {
    if !LocalApy::installed() {
        assert!(
            std::env::var_os("PARLEY_REQUIRE_APERTIUM").is_none(),
            "PARLEY_REQUIRE_APERTIUM is set but apertium-apy is not installed"
        );
        return None;
    }
    Some(LocalApy::start().await.expect("apertium-apy"))
}

#[tokio::test]
async fn apertium_translates_directly_and_through_a_pivot() {
    let Some(apy) = start_apy().await else {
        return;
    };
    let translators = Translators::new(vec![Engine::Apertium(Apertium::new(apy.url()))]);
    let text = "Bonjour, je voudrais un prix pour deux pompes.";
    let es = translators.translate(text, Fr, Es).await.expect("fr → es");
    assert_eq!(es.engine, "apertium");
    assert_eq!(es.via, None);
    assert!(es.text.contains("bombas"), "{}", es.text);
    let en = translators
        .translate("Necesito un presupuesto para tres bombas.", Es, En)
        .await
        .expect("es → en");
    assert!(en.text.starts_with("I need"), "{}", en.text);
    // No fr → en pair in Debian: through Spanish.
    let pivot = translators.translate(text, Fr, En).await.expect("fr → en");
    assert_eq!(pivot.via, Some(Es));
    assert!(pivot.text.contains("two"), "{}", pivot.text);
    assert_ne!(pivot.text, text);
    // Nobody covers Japanese: a clear error, never a fake translation.
    let error = translators
        .translate(text, Fr, Ja)
        .await
        .expect_err("fr → ja");
    assert_eq!(error, TranslateError::Unavailable { from: Fr, to: Ja });
    assert_eq!(
        error.to_string(),
        "translation not available for fr → ja with the configured engines"
    );
}

async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

/// LibreTranslate's API as documented: `/languages`, and `/translate` with a JSON body.
fn libretranslate() -> axum::Router {
    axum::Router::new()
        .route(
            "/languages",
            get(|| async {
                Json(json!([
                    { "code": "de", "name": "German", "targets": ["en"] },
                    { "code": "en", "name": "English", "targets": ["de"] }
                ]))
            }),
        )
        .route(
            "/translate",
            post(|Json(body): Json<Value>| async move {
                if body["api_key"] != "lt-key" {
                    return (
                        StatusCode::FORBIDDEN,
                        Json(json!({ "error": "Invalid API key" })),
                    );
                }
                assert_eq!(body["format"], "text");
                let text = format!(
                    "[{}→{}] {}",
                    body["source"].as_str().unwrap_or_default(),
                    body["target"].as_str().unwrap_or_default(),
                    body["q"].as_str().unwrap_or_default()
                );
                (StatusCode::OK, Json(json!({ "translatedText": text })))
            }),
        )
}

/// DeepL's API as documented: `POST /v2/translate`, key in `Authorization: DeepL-Auth-Key`.
fn deepl() -> axum::Router {
    axum::Router::new().route(
        "/v2/translate",
        post(|headers: HeaderMap, Json(body): Json<Value>| async move {
            if headers.get("authorization").and_then(|v| v.to_str().ok())
                != Some("DeepL-Auth-Key dl-key")
            {
                return (
                    StatusCode::FORBIDDEN,
                    Json(json!({ "message": "Wrong key" })),
                );
            }
            let source = body["source_lang"].as_str().unwrap_or_default().to_owned();
            let texts: Vec<Value> = body["text"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|t| {
                    json!({
                        "detected_source_language": source,
                        "text": format!(
                            "<{}→{}> {}",
                            source,
                            body["target_lang"].as_str().unwrap_or_default(),
                            t.as_str().unwrap_or_default()
                        )
                    })
                })
                .collect();
            (StatusCode::OK, Json(json!({ "translations": texts })))
        }),
    )
}

#[tokio::test]
async fn libretranslate_and_deepl_follow_their_documented_apis() {
    let lt = serve(libretranslate()).await;
    let dl = serve(deepl()).await;
    let translators = Translators::new(vec![
        Engine::LibreTranslate(LibreTranslate::new(
            &format!("http://{lt}"),
            Some("lt-key".into()),
        )),
        Engine::DeepL(DeepL::new(&format!("http://{dl}"), "dl-key")),
    ]);
    // LibreTranslate first for the pairs it lists, DeepL for the rest.
    let de = translators
        .translate("Hallo", De, En)
        .await
        .expect("de → en");
    assert_eq!(
        (de.text.as_str(), de.engine.as_str()),
        ("[de→en] Hallo", "libretranslate")
    );
    let ja = translators
        .translate("Bonjour", Fr, Ja)
        .await
        .expect("fr → ja");
    assert_eq!(
        (ja.text.as_str(), ja.engine.as_str()),
        ("<FR→JA> Bonjour", "deepl")
    );
    let pt = translators
        .translate("Hello", En, Pt)
        .await
        .expect("en → pt");
    assert_eq!(pt.text, "<EN→PT-PT> Hello");
    // A refused key is an engine error, said as such.
    let refused = Translators::new(vec![Engine::DeepL(DeepL::new(
        &format!("http://{dl}"),
        "bad",
    ))]);
    match refused.translate("Hello", En, Fr).await {
        Err(TranslateError::Engine { engine, message }) => {
            assert_eq!(engine, "deepl");
            assert!(message.contains("403"), "{message}");
        }
        other => panic!("expected an engine error, got {other:?}"),
    }
    // Without any engine, nothing is available.
    let none = Translators::new(Vec::new());
    assert!(matches!(
        none.translate("Hello", En, LanguageCode::Fr).await,
        Err(TranslateError::Unavailable { .. })
    ));
}
