//! The demo's payment: a local checkout stand-in (no Stripe account) takes the buyer from an
//! accepted quote to a paid order.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::orders::quote_accepted;

both!(the_demo_pays_on_a_local_checkout_stand_in);

async fn the_demo_pays_on_a_local_checkout_stand_in(db: Db) {
    let mut settings = TestApp::settings();
    settings.dev_payments = true;
    let t = TestApp::spawn_with(db, settings).await;
    let (request, buyer, quote) = quote_accepted(&t).await;
    let page: Value = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/pay"),
            &json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    let url = page["url"].as_str().expect("url").to_owned();
    assert!(url.contains("/dev/checkout/cs_dev_"), "{url}");
    // Nobody but the quote's buyer, signed in, reaches the page or its *Pay*.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let anonymous = no_redirects.get(&url).send().await.expect("GET");
    assert_ne!(anonymous.status(), 200);
    let form: Vec<(String, String)> = url
        .split_once('?')
        .map(|(_, query)| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (k.to_owned(), percent_decode(v)))
                .collect()
        })
        .unwrap_or_default();
    let path = url
        .split_once('?')
        .map_or(url.as_str(), |(p, _)| p)
        .to_owned();
    let forged = no_redirects
        .post(&path)
        .form(&form)
        .send()
        .await
        .expect("POST");
    let to = forged
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert!(
        to.starts_with("/signin"),
        "to the sign-in form, not paid: {to}"
    );
    assert!(
        !t.history_kinds(&buyer, &request)
            .await
            .contains(&"payment_received".to_owned()),
        "an anonymous Pay pays nothing"
    );
    let seller = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let mut with_csrf = form.clone();
    with_csrf.push(("csrf".to_owned(), seller.csrf.clone()));
    let by_seller = no_redirects
        .post(&path)
        .header("cookie", &seller.cookie)
        .form(&with_csrf)
        .send()
        .await
        .expect("POST");
    assert_eq!(by_seller.status(), 404, "only the buyer pays");
    let payer = crate::pages::sign_in(&t, "luc@b.example").await;
    let checkout = no_redirects
        .get(&url)
        .header("cookie", &payer.cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(checkout.status(), 200);
    let html = checkout.text().await.expect("text");
    assert!(html.contains("1,536.00 EUR"), "{html}");
    // Paying there comes back through the verified webhook path.
    let mut form = form;
    form.push(("csrf".to_owned(), payer.csrf.clone()));
    let paid = no_redirects
        .post(&path)
        .header("cookie", &payer.cookie)
        .form(&form)
        .send()
        .await
        .expect("POST");
    assert_eq!(paid.status(), 303);
    let history = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}/history"))
        .await;
    let payment = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "payment_received")
        .expect("paid")
        .clone();
    assert_eq!(
        payment["actor"]["kind"], "buyer",
        "the buyer paid: {payment}"
    );
    // Its payment page refuses to send the buyer anywhere but back to Parley.
    let mut elsewhere = form.clone();
    for (k, v) in &mut elsewhere {
        if k == "success" {
            *v = "https://evil.example/".to_owned();
        }
    }
    let refused = no_redirects
        .post(&path)
        .header("cookie", &payer.cookie)
        .form(&elsewhere)
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), 404);
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
            out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_default()
}
