//! The guide's layout, measured in Chromium: at 390×844 no page scrolls sideways and every
//! button, field, list and the label of every radio and checkbox is at least 44 px in its
//! smaller dimension (each page of the walkthrough, for each party, with every dialog open);
//! at 1280×800 the conversation takes the main column, beside the buyer's card.

use fantoccini::Client;
use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::driver::{Driver, available, find, screenshot};
use crate::flows::sign_in;
use crate::helpers::{Db, TestApp, pdf, pdf_part};

/// Opens every dialog and shows the quote form, then lists what breaks the phone layout: a page
/// wider than the screen, targets under 44 px.
const MEASURE: &str = r#"
document.querySelectorAll('details').forEach(d => d.open = true);
const quote = document.querySelector('input[name=document_kind][value=quote]');
if (quote) { quote.checked = true; }
const problems = [];
const width = document.documentElement.scrollWidth;
if (width > window.innerWidth) { problems.push(`page ${width}px wide`); }
const targets = [...document.querySelectorAll('button, input, select, textarea, summary, label')]
  .filter(e => {
    if (e.matches('input[type=hidden]')) return false;
    if (e.matches('input[type=radio], input[type=checkbox]')) return false;
    if (e.matches('label')) return !!e.querySelector('input[type=radio], input[type=checkbox]');
    return true;
  });
for (const e of targets) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  const small = Math.min(r.width, r.height);
  if (small < 44) {
    const name = e.id || e.name || e.getAttribute('for') || e.textContent.trim().slice(0, 30);
    problems.push(`${e.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  if (r.right > window.innerWidth + 1) { problems.push(`${e.tagName.toLowerCase()} "${e.id || e.name}" spills out`); }
}
return problems;
"#;

async fn layout_problems(browser: &Client, app: &TestApp, path: &str, name: &str) -> Vec<String> {
    browser.goto(&app.url(path)).await.expect("goto");
    find(browser, "main").await;
    let found = browser.execute(MEASURE, Vec::new()).await.expect("measure");
    screenshot(browser, &format!("layout-{name}")).await;
    serde_json::from_value::<Vec<String>>(found)
        .expect("list")
        .into_iter()
        .map(|problem| format!("{name} ({path}): {problem}"))
        .collect()
}

/// A request through the whole walkthrough: routed to the distributor, answered with a quote
/// the buyer accepted, a message from the buyer.
async fn walked(app: &TestApp) -> (String, String) {
    let (request, buyer) = app.request_from("ES", "carmen@b.example").await;
    let form = Form::new()
        .text("body", "Nuestra oferta")
        .part("quote", pdf_part(pdf(), "oferta.pdf"));
    assert_eq!(
        app.post_form(&app.distributor_member.token, &request, form)
            .await
            .status(),
        201
    );
    let quotes: Value = app
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}/quotes"))
        .await;
    let quote = quotes["quotes"][0]["id"]
        .as_str()
        .expect("quote")
        .to_owned();
    let accepted = app
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    let party = app.distributor.to_string();
    let reply = app
        .post_json(
            &buyer.token,
            &format!("/api/v1/requests/{request}/messages"),
            &json!({ "body": "Gracias, ¿y el plazo?", "party": party }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    (request, quote)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_with_targets_a_finger_can_hit() {
    if !available() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (request, _quote) = walked(&app).await;
    let (own, _) = app.request_from("FR", "luc@b.example").await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let mut problems = Vec::new();
    for (who, email, pages) in [
        (
            "manufacturer",
            "claire@hydrotech.example",
            vec![
                "/requests",
                &format!("/requests/{own}"),
                &format!("/requests/{request}"),
                "/network",
                "/team",
            ]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>(),
        ),
        (
            "distributor",
            "lucia@iberia.example",
            vec![
                "/requests".to_owned(),
                format!("/requests/{request}"),
                "/team".to_owned(),
            ],
        ),
        (
            "buyer",
            "carmen@b.example",
            vec!["/requests".to_owned(), format!("/requests/{request}")],
        ),
    ] {
        sign_in(&app, &browser, email, "/requests").await;
        find(&browser, "main").await;
        for (n, path) in pages.iter().enumerate() {
            problems.extend(layout_problems(&browser, &app, path, &format!("{who}-{n}")).await);
        }
        // In French too (longer words), and the menu stays within two lines.
        browser.goto(&app.url("/lang/fr")).await.expect("French");
        for (n, path) in pages.iter().enumerate() {
            problems.extend(layout_problems(&browser, &app, path, &format!("{who}-fr-{n}")).await);
        }
        let header = browser
            .execute(
                "return document.querySelector('header.top').getBoundingClientRect().height;",
                Vec::new(),
            )
            .await
            .expect("header");
        let header = header.as_f64().unwrap_or(f64::MAX);
        if header > 100.0 {
            problems.push(format!("{who}: the French menu is {header} px tall"));
        }
        browser.goto(&app.url("/lang/en")).await.expect("English");
    }
    browser.delete_all_cookies().await.expect("cookies");
    problems.extend(layout_problems(&browser, &app, "/signin", "signin").await);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_desktop_the_conversation_takes_the_main_column() {
    if !available() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (request, _quote) = walked(&app).await;
    let driver = Driver::start();
    let browser = driver.desktop().await;
    for email in ["lucia@iberia.example", "carmen@b.example"] {
        sign_in(&app, &browser, email, &format!("/requests/{request}")).await;
        find(&browser, "#history").await;
        let boxes = browser
            .execute(
                r#"const r = s => document.querySelector(s).getBoundingClientRect();
                   return [r('aside.buyer').right, r('#history').left, r('#quotes').left,
                           r('#reply').left, window.innerWidth];"#,
                Vec::new(),
            )
            .await
            .expect("measure");
        let [aside, history, quotes, reply, width]: [f64; 5] =
            serde_json::from_value(boxes).expect("numbers");
        assert!(width >= 1200.0, "a desktop viewport: {width}");
        for (what, left) in [
            ("history", history),
            ("quotes", quotes),
            ("reply form", reply),
        ] {
            assert!(
                left > aside,
                "{email}: the {what} ({left}) is beside the buyer's card ({aside})"
            );
        }
        screenshot(
            &browser,
            &format!("desktop-{}", email.split('@').next().unwrap_or("x")),
        )
        .await;
    }
}
