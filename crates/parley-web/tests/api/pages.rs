//! The web pages through HTTP: the signed-in browser every page test uses, sign-in by link and
//! sign-out, links in the development mailbox, secure cookies behind HTTPS (the request page:
//! `pages_request`; languages: `pages_languages`; the network page and quotes: `pages_panels`).

use reqwest::multipart::Form;
use reqwest::redirect::Policy;

use crate::both;
use parley_app::Settings;

use crate::helpers::{Db, TestApp};

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
    sign_in_links_arrive_in_the_dev_mailbox,
    cookies_are_secure_behind_https,
    sign_in_by_link_and_sign_out,
);
