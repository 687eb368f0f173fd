//! Search in My results (`GET /api/v1/requests?q=`): by the buyer's name, company, email
//! address or its domain, the product's name or reference, and words of the request, with case
//! and accents ignored, only among the caller's own requests, with the other filters; and the
//! same answers whether the words are rare (read from the full-text index) or common (read
//! from the list's own index, checking each row).

use parley_app::store_seed::Plan;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, Person, TestApp, person, raw_write, walk, walk_items};
use parley_domain::search::fold;

both!(search_finds_requests_by_buyer_product_and_words);
both!(common_and_rare_words_give_the_same_answers);

async fn request(
    t: &TestApp,
    (name, company, email, country): (&str, &str, &str, &str),
    (reference, product): (&str, &str),
    message: &str,
) -> (String, Person) {
    let body = json!({
        "buyer": { "name": name, "company": company, "country": country,
                   "language": "fr", "email": email },
        "manufacturer_id": t.manufacturer.to_string(),
        "product": { "reference": reference, "name": product },
        "message": message,
    });
    let response = t
        .post_json(&t.marketplace_key, "/api/v1/requests", &body)
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    (id, person(&t.app, email).await)
}

/// The ids a search returns, newest first.
async fn found(t: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = t
        .get_json(token, &format!("/api/v1/requests?limit=100&{query}"))
        .await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn search_finds_requests_by_buyer_product_and_words(db: Db) {
    let t = TestApp::spawn(db).await;
    let (zoe, zoe_buyer) = request(
        &t,
        (
            "Zoë Müller",
            "Bäckerei Schmidt GmbH",
            "zoe.muller@baeckerei-schmidt.de",
            "FR",
        ),
        ("PAC-12", "Pompe à chaleur air-eau"),
        "Bonjour, il nous faut une chaudière pour l'atelier de Lyon.",
    )
    .await;
    let (jan, _) = request(
        &t,
        ("Jan Novák", "Stavby s.r.o.", "jan@stavby.cz", "FR"),
        ("HT-200", "Centrifugal pump HT-200"),
        "Potřebujeme nabídku na čerpadlo.",
    )
    .await;
    let (taro, _) = request(
        &t,
        ("山田 太郎", "山田商事株式会社", "taro@yamada.co.jp", "FR"),
        ("HT-200", "Centrifugal pump HT-200"),
        "見積もりをお願いします。",
    )
    .await;
    // Routed to the Iberian distributor: the manufacturer is a party too.
    let (lucia, _) = request(
        &t,
        ("Lucía Muller", "Riegos del Sur", "lucia@riegos.es", "ES"),
        ("HT-200", "Centrifugal pump HT-200"),
        "Necesitamos una bomba.",
    )
    .await;
    let maker = t.maker.token.clone();
    let cases: &[(&str, &[&String])] = &[
        // Name, case and accents either way.
        ("q=muller", &[&lucia, &zoe]),
        ("q=M%C3%9CLLER", &[&lucia, &zoe]),
        ("q=zoe", &[&zoe]),
        ("q=novak", &[&jan]),
        // Company; words are matched whole.
        ("q=backerei+schmidt", &[&zoe]),
        ("q=b%C3%A4cker", &[]),
        // Email: the whole address, and its domain.
        ("q=zoe.muller%40baeckerei-schmidt.de", &[&zoe]),
        ("q=baeckerei-schmidt.de", &[&zoe]),
        ("q=yamada.co.jp", &[&taro]),
        ("q=co.jp", &[&taro]),
        ("q=riegos.es", &[&lucia]),
        ("q=LUCIA%40Riegos.es", &[&lucia]),
        // A domain is matched as a whole (or a parent domain), not as a word of another.
        ("q=schmidt.de", &[]),
        // Product reference and name.
        ("q=pac-12", &[&zoe]),
        ("q=ht-200", &[&lucia, &taro, &jan]),
        ("q=pompe+chaleur", &[&zoe]),
        // Words of the request, in any script.
        ("q=chaudiere", &[&zoe]),
        ("q=%E8%A6%8B%E7%A9%8D", &[&taro]),
        ("q=cerpadlo", &[&jan]),
        // Every word must match; nothing matches nothing.
        ("q=muller+lyon", &[&zoe]),
        ("q=muller+prague", &[]),
        ("q=zzzz", &[]),
        // With the other filters.
        ("q=muller&country=ES", &[&lucia]),
        ("q=ht-200&status=new&country=FR", &[&taro, &jan]),
    ];
    for (query, expected) in cases {
        let expected: Vec<String> = expected.iter().map(|id| (*id).clone()).collect();
        assert_eq!(found(&t, &maker, query).await, expected, "{query}");
    }
    // Only the caller's own requests: the distributor finds the Iberian one only, a buyer theirs.
    let seller = t.distributor_member.token.clone();
    assert_eq!(found(&t, &seller, "q=muller").await, [lucia.as_str()]);
    assert_eq!(found(&t, &seller, "q=pac-12").await, Vec::<String>::new());
    assert_eq!(
        found(&t, &zoe_buyer.token, "q=muller").await,
        [zoe.as_str()]
    );
    assert_eq!(
        found(&t, &t.outsider.token, "q=muller").await,
        Vec::<String>::new()
    );
    // Punctuation alone narrows nothing; too long a search is a field error.
    assert_eq!(found(&t, &maker, "q=--").await.len(), 4);
    let long = "a".repeat(201);
    let response = t.get(&maker, &format!("/api/v1/requests?q={long}")).await;
    assert_eq!(response.status(), 422);
    assert_eq!(crate::helpers::error_codes(response).await, ["q_invalid"]);
    // Requests made before search existed are indexed, in the order they came, when the
    // store next opens.
    for sql in [
        "DELETE FROM request_words",
        "UPDATE requests SET words_key = NULL",
        "INSERT INTO request_words_backfill (pending) VALUES (1)",
    ] {
        raw_write(&t, sql).await;
    }
    assert_eq!(found(&t, &maker, "q=muller").await, Vec::<String>::new());
    t.app.store().migrate().await.expect("migrate");
    assert_eq!(
        found(&t, &maker, "q=muller").await,
        [lucia.clone(), zoe.clone()]
    );
    assert_eq!(
        found(&t, &maker, "q=ht-200").await,
        [lucia.clone(), taro.clone(), jan.clone()]
    );
    let (later, _) = request(
        &t,
        ("Ana Muller", "Muller Riego", "ana@muller.example", "FR"),
        ("HT-200", "Centrifugal pump HT-200"),
        "Hola.",
    )
    .await;
    assert_eq!(
        found(&t, &maker, "q=muller").await,
        [later, lucia.clone(), zoe.clone()]
    );
    // The page searches too, and keeps what was typed.
    let browser = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let html = browser.get(&t, "/requests?q=b%C3%A4ckerei").await;
    assert!(html.contains("value=\"bäckerei\""), "{html}");
    assert!(html.contains(&format!("/requests/{zoe}")));
    assert!(!html.contains(&format!("/requests/{jan}")));
    // The export of a search is named after it.
    assert!(
        html.contains("href=\"/requests/export.csv?q=b%C3%A4ckerei\""),
        "{html}"
    );
}

/// A word in every seeded request (more than the full-text index hands over to sort) and rarer
/// ones give the same pages as the unsearched list narrowed by hand, page after page.
async fn common_and_rare_words_give_the_same_answers(db: Db) {
    let t = TestApp::spawn(db).await;
    let seeded = t
        .app
        .store()
        .seed(Plan {
            organizations: 1,
            requests: 5_200,
            messages_per_request: 0,
        })
        .await
        .expect("seed");
    let (token, _) = t
        .app
        .create_token(&seeded.busiest_admin, "search")
        .await
        .expect("token");
    let items = walk_items(&t, &token, "", 100).await;
    let everything: Vec<String> = items.iter().map(id).collect();
    assert!(everything.len() >= 5_000, "{}", everything.len());
    // Every seeded buyer's address is at an `.example` domain.
    assert_eq!(walk(&t, &token, "q=example", 100).await, everything);
    // The first two words of some buyers' company: what a row shows, folded, must hold both.
    for n in [17, 2_000, 4_000] {
        let company = items[n]["buyer_company"].as_str().unwrap_or("Dupont Bau");
        let words: Vec<String> = fold(company)
            .split(' ')
            .take(2)
            .map(str::to_owned)
            .collect();
        let expected: Vec<String> = items
            .iter()
            .filter(|item| {
                let shown = fold(&format!(
                    "{} {} {} {}",
                    item["buyer_name"].as_str().unwrap_or(""),
                    item["buyer_company"].as_str().unwrap_or(""),
                    item["product"].as_str().unwrap_or(""),
                    item["message"].as_str().unwrap_or(""),
                ));
                let shown: Vec<&str> = shown.split(' ').collect();
                shown.contains(&words[0].as_str()) && shown.contains(&words[1].as_str())
            })
            .map(id)
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < everything.len() / 4,
            "{words:?}: {}",
            expected.len()
        );
        let query = format!("q={}+{}", words[0], words[1]);
        assert_eq!(walk(&t, &token, &query, 7).await, expected, "{query}");
    }
}

fn id(item: &Value) -> String {
    item["id"].as_str().expect("id").to_owned()
}
