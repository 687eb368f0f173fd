//! The web pages through HTTP: sign-in by link, the seller's request page, sending with the
//! guide's errors shown and the typed text kept, read receipts, escaping, and access.

use reqwest::multipart::Form;
use reqwest::redirect::Policy;

use crate::both;
use parley_app::Settings;

use crate::helpers::{Db, MAX_DOCUMENT, TestApp, pdf, pdf_part};

/// A browser: no automatic redirects, the session cookie sent by hand.
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    /// The session, and English chosen with the switcher (the pages' texts these tests read
    /// are English; the test people's profiles say French or Spanish).
    pub(crate) cookie: String,
    /// The session alone: the profile's language, then the browser's, apply.
    pub(crate) session_cookie: String,
    pub(crate) csrf: String,
}

pub(crate) async fn sign_in(app: &TestApp, email: &str) -> Browser {
    sign_in_expecting(app, email, false).await
}

async fn sign_in_expecting(app: &TestApp, email: &str, secure: bool) -> Browser {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let (link, _) = app
        .app
        .create_sign_in_link(email, "/requests")
        .await
        .expect("link")
        .expect("known address");
    let response = client
        .get(app.url(&format!("/signin/{link}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/requests");
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert_eq!(set_cookie.contains("; Secure"), secure, "{set_cookie}");
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();
    // A link works once: the second time leads to the form, saying so.
    let again = client
        .get(app.url(&format!("/signin/{link}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(again.headers()["location"], "/signin?expired=true");
    let form = client
        .get(app.url("/signin?expired=true"))
        .send()
        .await
        .expect("GET");
    assert!(
        form.text()
            .await
            .expect("text")
            .contains("expired or was already used")
    );
    let mut browser = Browser {
        client,
        cookie: format!("{cookie}; parley_lang=en"),
        session_cookie: cookie,
        csrf: String::new(),
    };
    let list = browser.get(app, "/requests").await;
    browser.csrf = between(&list, "name=\"csrf\" value=\"", "\"").to_owned();
    browser
}

impl Browser {
    /// POSTs a urlencoded form with the session's CSRF token; returns the status and body.
    pub(crate) async fn post_form(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        let response = self
            .client
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .form(&fields)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        (status, response.text().await.expect("text"))
    }

    pub(crate) async fn get(&self, app: &TestApp, path: &str) -> String {
        let response = self
            .client
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("text")
    }

    pub(crate) async fn send(&self, app: &TestApp, request: &str, form: Form) -> reqwest::Response {
        self.client
            .post(app.url(&format!("/requests/{request}/messages")))
            .header("cookie", &self.cookie)
            .multipart(form.text("csrf", self.csrf.clone()))
            .send()
            .await
            .expect("POST")
    }
}

/// Asks for a sign-in link through the form, as a browser does (the form's token travels in
/// a cookie and a field).
async fn request_link(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    let form = client.get(app.url("/signin")).send().await.expect("GET");
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let cookie = cookie.split(';').next().expect("pair").to_owned();
    let page = form.text().await.expect("text");
    let token = between(&page, "name=\"form_token\" value=\"", "\"").to_owned();
    client
        .post(app.url("/signin"))
        .header("cookie", cookie)
        .form(&[
            ("email", email),
            ("next", "/requests"),
            ("form_token", &token),
        ])
        .send()
        .await
        .expect("POST")
}

pub(crate) fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .map(|i| i + start.len())
        .expect("start marker");
    let to = text[from..].find(end).expect("end marker");
    &text[from..from + to]
}

async fn sign_in_by_link_and_sign_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let anonymous = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let response = anonymous
        .get(app.url("/requests"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/signin?next=/requests");
    // The form answers the same for known and unknown addresses.
    for email in ["claire@hydrotech.example", "stranger@nowhere.example"] {
        let page = request_link(&app, &anonymous, email)
            .await
            .text()
            .await
            .expect("text");
        assert!(page.contains("a sign-in link is on"), "{page}");
    }
    // Without the form's token (a cross-site post), nothing is sent.
    let forged = anonymous
        .post(app.url("/signin"))
        .form(&[("email", "claire@hydrotech.example"), ("next", "/requests")])
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), 403);
    let browser = sign_in(&app, "claire@hydrotech.example").await;
    assert!(browser.get(&app, "/requests").await.contains("My results"));
    let refused = browser
        .client
        .post(app.url("/signout"))
        .header("cookie", &browser.cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), 403, "CSRF token required");
    let out = browser
        .client
        .post(app.url("/signout"))
        .header("cookie", &browser.cookie)
        .form(&[("csrf", browser.csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(out.status(), 303);
    let after = browser
        .client
        .get(app.url("/requests"))
        .header("cookie", &browser.cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(after.status(), 303, "the session is gone");
}

async fn seller_page_number_reply_and_read_receipt(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let list = seller.get(&app, "/requests").await;
    assert!(
        list.contains("Handle the request"),
        "Claire is the handler of a new request"
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Display the number"));
    assert!(page.contains("¿Pueden enviarme un presupuesto?"));
    assert!(
        page.contains("value=\"claire@hydrotech.example\""),
        "Sender prefilled"
    );

    let phone = seller
        .client
        .post(app.url(&format!("/requests/{request}/phone")))
        .header("cookie", &seller.cookie)
        .header("hx-request", "true")
        .form(&[("csrf", seller.csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(phone.status(), 200);
    assert!(
        phone
            .text()
            .await
            .expect("text")
            .contains("+34 600 000 001")
    );

    let form = Form::new()
        .text("sender", "claire.sales@hydrotech.example")
        .text(
            "body",
            "Our quote: see https://hydrotech.example/terms <b>now</b>",
        )
        .text("document_kind", "quote")
        .part("document", pdf_part(pdf(), "quote-42.pdf"));
    let sent = seller.send(&app, &request, form).await;
    assert_eq!(sent.status(), 303);
    assert!(
        sent.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .contains("parley_sender=")
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    let history = between(&page, "id=\"history\"", "</section>");
    let newest = between(history, "<li", "</li>");
    assert!(
        newest.contains("Quote: quote-42.pdf"),
        "the reply is on top: {newest}"
    );
    assert!(
        newest.contains("<a href=\"https://hydrotech.example/terms\""),
        "links clickable"
    );
    assert!(newest.contains("&lt;b&gt;now&lt;/b&gt;"), "markup escaped");
    assert!(!newest.contains("Read on"));

    // The buyer opens the page: the seller then sees the read receipt.
    let buyer = sign_in(&app, "luc@b.example").await;
    let buyer_page = buyer.get(&app, &format!("/requests/{request}")).await;
    assert!(!buyer_page.contains("Display the number"));
    assert!(
        !buyer_page.contains("Contacted the buyer"),
        "internal events stay internal"
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(between(&page, "id=\"history\"", "</section>").contains("Read on"));
}

async fn send_errors_are_shown_and_the_text_is_kept(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let typed = "A long answer I do not want to type again";
    let cases: Vec<(Form, &str)> = vec![
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("body", "  "),
            "message_empty",
        ),
        (
            Form::new().text("sender", "").text("body", typed),
            "sender_empty",
        ),
        (
            Form::new().text("sender", "claire@").text("body", typed),
            "sender_invalid",
        ),
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("cc", "x@")
                .text("body", typed),
            "cc_invalid",
        ),
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("body", typed)
                .part(
                    "document",
                    pdf_part(
                        {
                            let mut big = pdf();
                            big.resize(MAX_DOCUMENT + 1, b' ');
                            big
                        },
                        "big.pdf",
                    ),
                ),
            "file_too_large",
        ),
        (
            Form::new()
                .text("sender", "claire@hydrotech.example")
                .text("body", typed)
                .part("document", pdf_part(b"GIF89a not a pdf".to_vec(), "q.pdf")),
            "document_not_pdf",
        ),
    ];
    for (form, code) in cases {
        let response = seller.send(&app, &request, form).await;
        assert_eq!(response.status(), 422, "{code}");
        let page = response.text().await.expect("text");
        let errors = between(&page, "role=\"alert\"", "</div>");
        assert!(
            errors.contains(&format!("data-code=\"{code}\"")),
            "{code}: {errors}"
        );
        if code != "message_empty" {
            assert!(page.contains(typed), "{code}: the typed text is kept");
        }
    }
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(!page.contains(typed), "nothing was sent");
}

async fn a_buyer_with_two_sellers_chooses_whom_to_answer(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("ES", "carmen@b.example").await;
    let buyer = sign_in(&app, "carmen@b.example").await;
    let page = buyer.get(&app, &format!("/requests/{request}")).await;
    let choices = between(&page, "<select id=\"party\" name=\"party\">", "</select>");
    assert!(
        choices.contains("Hydrotech") && choices.contains("Iberia Fluidos"),
        "{choices}"
    );
    let form = Form::new()
        .text("party", app.distributor.to_string())
        .text("body", "Hola, ¿plazo de entrega?");
    assert_eq!(buyer.send(&app, &request, form).await.status(), 303);
    let distributor = sign_in(&app, "lucia@iberia.example").await;
    let page = distributor.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Hola, ¿plazo de entrega?"));
    let maker = sign_in(&app, "claire@hydrotech.example").await;
    let page = maker.get(&app, &format!("/requests/{request}")).await;
    assert!(
        !page.contains("plazo de entrega"),
        "the wall holds on the pages"
    );
}

async fn pages_follow_the_access_policy(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let quote = app.post_quote(&app.maker.token, &request).await;
    let document = quote.trim_start_matches("/api/v1");
    for email in [
        "rita@rival.example",
        "lucia@iberia.example",
        "someone@b.example",
    ] {
        if email == "someone@b.example" {
            let _ = app.request_from("ES", email).await;
        }
        let browser = sign_in(&app, email).await;
        for path in [format!("/requests/{request}"), document.to_owned()] {
            let response = browser
                .client
                .get(app.url(&path))
                .header("cookie", &browser.cookie)
                .send()
                .await
                .expect("GET");
            assert_eq!(response.status(), 404, "{email} {path}");
        }
    }
    let buyer = sign_in(&app, "luc@b.example").await;
    let download = buyer
        .client
        .get(app.url(document))
        .header("cookie", &buyer.cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"quote.pdf\""
    );
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
}

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

async fn sign_in_links_arrive_in_the_dev_mailbox(db: Db) {
    let settings = Settings {
        dev_mailbox: true,
        public_url: Some("http://parley.test".to_owned()),
        ..TestApp::settings()
    };
    let app = TestApp::spawn_with(db, settings).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    for email in ["claire@hydrotech.example", "stranger@nowhere.example"] {
        assert_eq!(request_link(&app, &client, email).await.status(), 200);
    }
    let mailbox = client.get(app.url("/dev/mail")).send().await.expect("GET");
    let mailbox = mailbox.text().await.expect("text");
    assert!(mailbox.contains("claire@hydrotech.example"));
    assert!(
        !mailbox.contains("stranger@nowhere.example"),
        "no mail for unknown addresses"
    );
    // Claire's language is French: her email is too.
    assert!(mailbox.contains("Votre lien de connexion Parley"));
    let link = between(&mailbox, "href=\"http://parley.test", "\"");
    assert!(link.starts_with("/signin/prl_"), "{link}");
    let signed_in = client.get(app.url(link)).send().await.expect("GET");
    assert_eq!(signed_in.status(), 303);
    assert!(
        signed_in.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .starts_with("parley_session=")
    );

    // Without the setting, there is no mailbox to see.
    let plain = TestApp::spawn(db).await;
    let hidden = client
        .get(plain.url("/dev/mail"))
        .send()
        .await
        .expect("GET");
    assert_eq!(hidden.status(), 404);
}

async fn remind_the_buyer_once_a_day(db: Db) {
    let app = TestApp::spawn_with_dev_mailbox(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(
        !page.contains("Remind the buyer"),
        "nothing to remind of before an answer"
    );
    assert_eq!(
        app.say(&app.maker, &request, "Our offer").await.status(),
        201
    );
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Remind the buyer"));
    for expected in ["true", "false"] {
        let response = seller
            .client
            .post(app.url(&format!("/requests/{request}/remind")))
            .header("cookie", &seller.cookie)
            .form(&[("csrf", seller.csrf.as_str())])
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            format!("/requests/{request}?reminded={expected}")
        );
    }
    let page = seller
        .get(&app, &format!("/requests/{request}?reminded=true"))
        .await;
    assert!(page.contains("The buyer was reminded by email."));
    assert!(between(&page, "id=\"history\"", "</section>").contains("Reminded the buyer"));
    let mailbox = seller.get(&app, "/dev/mail").await;
    assert_eq!(
        mailbox.matches("espera su respuesta sobre").count(),
        1,
        "once a day"
    );
    // The link in the reminder signs the buyer in, straight onto the request.
    let reminder = &mailbox[mailbox.find("espera su respuesta sobre").expect("reminder")..];
    let link = between(reminder, "href=\"", "\"").to_owned();
    let path = link.trim_start_matches(&app.url(""));
    let opened = seller.client.get(app.url(path)).send().await.expect("GET");
    assert_eq!(opened.headers()["location"], format!("/requests/{request}"));
    let outsider = sign_in(&app, "rita@rival.example").await;
    let refused = outsider
        .client
        .post(app.url(&format!("/requests/{request}/remind")))
        .header("cookie", &outsider.cookie)
        .form(&[("csrf", outsider.csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), 404);
}

async fn cookies_are_secure_behind_https(db: Db) {
    let settings = Settings {
        public_url: Some("https://parley.example.com".to_owned()),
        ..TestApp::settings()
    };
    let app = TestApp::spawn_with(db, settings).await;
    let browser = sign_in_expecting(&app, "claire@hydrotech.example", true).await;
    assert!(browser.get(&app, "/requests").await.contains("My results"));
}

both!(
    quotes_on_the_request_page,
    translating_on_the_request_page,
    the_network_page_and_the_handle_panel,
    remind_the_buyer_once_a_day,
    sign_in_links_arrive_in_the_dev_mailbox,
    pages_speak_french_and_english,
    a_buyer_reads_every_page_in_each_of_nine_languages,
    cookies_are_secure_behind_https,
    sign_in_by_link_and_sign_out,
    seller_page_number_reply_and_read_receipt,
    send_errors_are_shown_and_the_text_is_kept,
    pages_follow_the_access_policy,
    a_buyer_with_two_sellers_chooses_whom_to_answer,
);

async fn the_network_page_and_the_handle_panel(db: Db) {
    let app = TestApp::spawn(db).await;
    let maker = sign_in(&app, "claire@hydrotech.example").await;
    let page = maker.get(&app, "/network").await;
    assert!(
        page.contains("Iberia Fluidos") && page.contains("ES, PT"),
        "members listed"
    );
    assert!(page.contains("Response rate"));
    // A refused form shows its errors and keeps what was typed.
    let (status, page) = maker
        .post_form(
            &app,
            "/network/members",
            &[
                ("name", "Lowlands Pumps"),
                ("kind", "distributor"),
                ("territories", "Benelux, Atlantis"),
                ("contact_name", "Bea"),
                ("contact_email", "bea@lowlands.example"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("ATLANTIS") || page.contains("Atlantis"),
        "the bad territory is named"
    );
    assert!(page.contains("value=\"Lowlands Pumps\""), "typed text kept");
    let (status, _) = maker
        .post_form(
            &app,
            "/network/members",
            &[
                ("name", "Lowlands Pumps"),
                ("kind", "distributor"),
                ("territories", "Benelux"),
                ("contact_name", "Bea"),
                ("contact_email", "bea@lowlands.example"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(maker.get(&app, "/network").await.contains("BE, NL, LU"));
    // A distributor has no network to manage: the page says so.
    let lucia = sign_in(&app, "lucia@iberia.example").await;
    assert!(
        lucia
            .get(&app, "/network")
            .await
            .contains("Only manufacturers")
    );

    // The handle panel: Forward, Add in copy, Decline with its reasons and Confirm.
    let (request, _) = app.request_from("ES", "ana@b.example").await;
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    for label in [
        "Forward",
        "Add in copy",
        "Decline",
        "Confirm",
        "Out of stock",
        "Not my territory",
    ] {
        assert!(page.contains(label), "{label} missing");
    }
    // The email's Decline button opens the Decline dialog.
    let page = lucia
        .get(&app, &format!("/requests/{request}?open=decline"))
        .await;
    let at = page.find("id=\"decline-button\"").expect("decline button");
    assert!(
        page[at.saturating_sub(80)..at].contains("open>"),
        "dialog open"
    );
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    let at = page.find("id=\"decline-button\"").expect("decline button");
    assert!(
        !page[at.saturating_sub(80)..at].contains("open>"),
        "closed by default"
    );
    // Forwarding to a bad address keeps the note.
    let (status, page) = lucia
        .post_form(
            &app,
            &format!("/requests/{request}/forward"),
            &[
                ("to", ""),
                ("to_email", "colleague@"),
                ("note", "Please take this one"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Please take this one"));
    // Without the CSRF token nothing happens.
    let response = lucia
        .client
        .post(app.url(&format!("/requests/{request}/decline")))
        .header("cookie", &lucia.cookie)
        .form(&[("reason", "spam")])
        .send()
        .await
        .expect("POST");
    assert_ne!(response.status(), 303);
    let (status, _) = lucia
        .post_form(
            &app,
            &format!("/requests/{request}/decline"),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(status, 303);
    let page = lucia.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("You declined this request (Spam)"));
    assert!(page.contains("Declined the request: Spam"));
    // The manufacturer follows it from its own page, the buyer never sees it.
    let page = maker.get(&app, &format!("/requests/{request}")).await;
    assert!(page.contains("Declined the request: Spam"));
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

async fn quotes_on_the_request_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let (request, _) = app.request_from("FR", "luc@b.example").await;
    let seller = sign_in(&app, "claire@hydrotech.example").await;
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    for label in [
        "I want to enable online payment",
        "Valid until",
        "Validate",
        "Shipping (optional)",
    ] {
        assert!(page.contains(label), "{label}");
    }
    // Validate checks the terms in place.
    let (status, checked) = seller
        .post_form(
            &app,
            "/quotes/validate",
            &[
                ("online_payment", "1"),
                ("quote_amount", "1 200,00"),
                ("quote_currency", "EUR"),
                ("quote_valid_until", "2099-12-31"),
                ("quote_reference", "Q-7"),
                ("quote_tax", "240"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(checked.contains("1,440.00 EUR in all"), "{checked}");
    let (_, refused) = seller
        .post_form(
            &app,
            "/quotes/validate",
            &[
                ("online_payment", "1"),
                ("quote_amount", "x"),
                ("quote_currency", "EUR"),
            ],
        )
        .await;
    assert!(
        refused.contains("data-code=\"amount_invalid\""),
        "{refused}"
    );
    // Send with the quote and its terms; a refused send keeps the terms typed.
    let form = Form::new()
        .text("body", "Our quote")
        .text("document_kind", "quote")
        .text("online_payment", "1")
        .text("quote_amount", "1 200,00")
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "");
    let form = form.part("document", pdf_part(pdf(), "quote-7.pdf"));
    let response = seller.send(&app, &request, form).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("text");
    assert!(page.contains("value=\"1 200,00\""), "amount kept");
    let form = Form::new()
        .text("body", "Our quote")
        .text("document_kind", "quote")
        .text("online_payment", "1")
        .text("quote_amount", "1 200,00")
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "Q-7")
        .part("document", pdf_part(pdf(), "quote-7.pdf"));
    assert_eq!(seller.send(&app, &request, form).await.status(), 303);
    // The buyer sees it and accepts it with a comment.
    let buyer = sign_in(&app, "luc@b.example").await;
    let page = buyer.get(&app, &format!("/requests/{request}")).await;
    assert!(
        page.contains("1,200.00 EUR") && page.contains("Q-7"),
        "the quote's terms"
    );
    assert!(page.contains("awaiting your answer"));
    let quote = between(&page, "action=\"/quotes/", "/answer\"").to_owned();
    let (status, _) = buyer
        .post_form(
            &app,
            &format!("/quotes/{quote}/answer"),
            &[
                ("answer", "accept"),
                ("comment", "Deal"),
                ("request", &request),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let page = seller.get(&app, &format!("/requests/{request}")).await;
    assert!(
        page.contains("Accepted quote version 1"),
        "in the seller's history"
    );
    assert!(page.contains("Deal"));
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
