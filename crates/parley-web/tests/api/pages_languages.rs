//! The pages in the reader's language: French and English chosen by profile, switcher and
//! browser, translating a message on the request page, and a buyer's pages in nine languages.

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::pages::{between, sign_in};
use reqwest::multipart::Form;

async fn pages_speak_french_and_english(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let page_in = |language: &'static str, extra_cookie: &'static str| {
        let (client, cookie) = (seller.client.clone(), seller.session_cookie.clone());
        let url = app.url(&format!("/requests/{request}"));
        async move {
            client
                .get(url)
                .header("cookie", format!("{cookie}{extra_cookie}"))
                .header("accept-language", language)
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("text")
        }
    };
    let french = page_in("fr-FR,fr;q=0.9,en;q=0.5", "").await;
    for text in [
        "Afficher le numéro",
        "Joindre un document",
        "Devis",
        "Envoyer",
        "Historique des échanges",
        "lang=\"fr\"",
    ] {
        assert!(french.contains(text), "{text}");
    }
    // Claire's profile says French: it wins over her browser's English…
    let profile = page_in("en-GB", "").await;
    assert!(profile.contains("Afficher le numéro") && profile.contains("lang=\"fr\""));
    // …and the switcher's choice over both.
    let chosen = page_in("fr", "; parley_lang=en").await;
    assert!(
        chosen.contains("Display the number"),
        "the switcher's choice wins"
    );

    // The switcher remembers the choice and returns to the page it was used on.
    let switched = seller
        .client
        .get(app.url("/lang/fr"))
        .header("cookie", &seller.cookie)
        .header("referer", app.url(&format!("/requests/{request}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(switched.status(), 303);
    assert_eq!(
        switched.headers()["location"],
        format!("/requests/{request}")
    );
    assert!(
        switched.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .starts_with("parley_lang=fr")
    );

    // The guide's errors in French.
    let response = seller
        .client
        .post(app.url(&format!("/requests/{request}/messages")))
        .header("cookie", &seller.session_cookie)
        .header("accept-language", "fr")
        .multipart(
            Form::new()
                .text("csrf", seller.csrf.clone())
                .text("body", " "),
        )
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("Le champ message est vide.")
    );
}

async fn translating_on_the_request_page(db: Db) {
    let Some(apy) = crate::translation::start_apy().await else {
        return;
    };
    let mut settings = TestApp::settings();
    settings.translation = vec![parley_app::TranslationEngine::Apertium(
        apy.url().to_owned(),
    )];
    let app = TestApp::spawn_with(db, settings).await;
    let (request, buyer) = app.request_from("ES", "carmen@b.example").await;
    let sent = app
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/messages"),
            &serde_json::json!({
                "body": "Necesito un presupuesto para tres bombas.",
                "party": app.distributor.to_string()
            }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let lucia = sign_in(&app, "lucia@iberia.example").await;
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    // A picker under the buyer's message, preset to the reader's language (French).
    let message = between(&page, "action=\"/messages/", "/translate\"").to_owned();
    assert_eq!(message.len(), 36, "{message}");
    assert!(page.contains("<option value=\"fr\" selected>Français</option>"));
    // With htmx: the translation arrives in place, labelled, the original untouched.
    let fragment = lucia
        .client
        .post(app.url(&format!("/messages/{message}/translate")))
        .header("cookie", &lucia.cookie)
        .header("hx-request", "true")
        .form(&[
            ("target", "fr"),
            ("csrf", &lucia.csrf),
            ("request", &request),
        ])
        .send()
        .await
        .expect("POST")
        .text()
        .await
        .expect("text");
    assert!(
        fragment.contains("Translated: Spanish → French · apertium"),
        "{fragment}"
    );
    assert!(fragment.contains("trois"), "{fragment}");
    // Without htmx: the page comes back with the translation under the message.
    let (status, _) = lucia
        .post_form(
            &app,
            &format!("/messages/{message}/translate"),
            &[("target", "en"), ("request", &request)],
        )
        .await;
    assert_eq!(status, 303);
    let page = lucia
        .get(
            &app,
            &format!("/requests/{request}?translated={message}&to=en"),
        )
        .await;
    assert!(
        page.contains("Translated: Spanish → English"),
        "translation shown"
    );
    assert!(
        page.contains("Necesito un presupuesto"),
        "the original stays"
    );
    assert!(
        page.contains("Translated a message (es → fr)"),
        "in the history"
    );
    // A pair no engine covers is said in place.
    let refused = lucia
        .client
        .post(app.url(&format!("/messages/{message}/translate")))
        .header("cookie", &lucia.cookie)
        .header("hx-request", "true")
        .form(&[
            ("target", "ja"),
            ("csrf", &lucia.csrf),
            ("request", &request),
        ])
        .send()
        .await
        .expect("POST")
        .text()
        .await
        .expect("text");
    assert!(
        refused.contains("No translation engine here can translate into this language."),
        "{refused}"
    );
    // The buyer gets no picker under her own message.
    let carmen = sign_in(&app, "carmen@b.example").await;
    let page = carmen.get(&app, &format!("/requests/{request}")).await;
    assert!(!page.contains(&format!("/messages/{message}/translate")));

    // The request's own text has its picker too (Spanish not offered), in place with htmx…
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    let picker = between(&page, "id=\"t-request\"", "</form>");
    assert!(
        picker.contains(&format!("action=\"/requests/{request}/translate\"")),
        "{picker}"
    );
    assert!(
        picker.contains("<option value=\"fr\" selected>Français</option>"),
        "{picker}"
    );
    assert!(!picker.contains("value=\"es\""), "{picker}");
    let fragment = lucia
        .client
        .post(app.url(&format!("/requests/{request}/translate")))
        .header("cookie", &lucia.cookie)
        .header("hx-request", "true")
        .form(&[("target", "fr"), ("csrf", &lucia.csrf)])
        .send()
        .await
        .expect("POST")
        .text()
        .await
        .expect("text");
    assert!(
        fragment.contains("Translated: Spanish → French · apertium"),
        "{fragment}"
    );
    // …and without: the page comes back with the translation under the request.
    let (status, _) = lucia
        .post_form(
            &app,
            &format!("/requests/{request}/translate"),
            &[("target", "en")],
        )
        .await;
    assert_eq!(status, 303);
    let page = lucia
        .get(
            &app,
            &format!("/requests/{request}?translated=request&to=en"),
        )
        .await;
    let block = between(&page, "id=\"t-request\"", "</form>");
    assert!(block.contains("Translated: Spanish → English"), "{block}");
    // The buyer may translate her own request (into her reader's choice).
    let page = carmen.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains(&format!("action=\"/requests/{request}/translate\"")));
}

/// Sign-in, My requests and the request page in each of the guide's languages: the sign-in
/// page by the browser's Accept-Language (with a region, as browsers send it), the signed-in
/// buyer's pages by their profile's language, which wins over the browser's. `<html lang>`
/// says it, the page speaks it, and none of the English sentences shows.
async fn a_buyer_reads_every_page_in_each_of_nine_languages(db: Db) {
    let app = TestApp::spawn(db).await;
    let english = [
        "Sign in",
        "Email me a sign-in link",
        "My requests",
        "Sign out",
        "History of the exchanges",
        "Attach a document",
        "Request received through",
        "Leave a review",
    ];
    // (what the browser asks for, the language, a sentence of it on the request page)
    for (asked, code, own) in [
        ("de-AT,de;q=0.9", "de", "Verlauf des Austauschs"),
        ("es-MX", "es", "Historial de los intercambios"),
        ("it-IT,en;q=0.3", "it", "Cronologia degli scambi"),
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt", "Histórico das trocas"),
        ("ru", "ru", "История переписки"),
        ("zh-TW,zh;q=0.9", "zh", "往来记录"),
        ("ja-JP", "ja", "やり取りの履歴"),
    ] {
        let email = format!("buyer-{code}@b.example");
        let (request, _) = app.request_speaking("DE", &email, code).await;
        let buyer = sign_in(&app, &email).await;
        let get = |path: String, cookie: Option<String>, language: &'static str| {
            let mut call = buyer
                .client
                .get(app.url(&path))
                .header("accept-language", language);
            if let Some(cookie) = cookie {
                call = call.header("cookie", cookie);
            }
            async move {
                let response = call.send().await.expect("GET");
                assert_eq!(response.status(), 200, "{path}");
                response.text().await.expect("text")
            }
        };
        let signin = get("/signin".to_owned(), None, asked).await;
        let session = Some(buyer.session_cookie.clone());
        let list = get("/requests".to_owned(), session.clone(), "en-US").await;
        let page = get(format!("/requests/{request}"), session, "en-US").await;
        assert!(page.contains(own), "{code}: {page}");
        for html in [&signin, &list, &page] {
            assert!(html.contains(&format!("<html lang=\"{code}\">")), "{code}");
            for sentence in english {
                assert!(
                    !html.contains(&format!(">{sentence}")),
                    "{code}: English “{sentence}” on {html}"
                );
            }
        }
    }
}

both!(
    pages_speak_french_and_english,
    translating_on_the_request_page,
    a_buyer_reads_every_page_in_each_of_nine_languages,
);
