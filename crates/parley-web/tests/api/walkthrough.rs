//! The guide walked as new users walk it: the flows a walkthrough found broken (issue "Keep the
//! guide's promises"), each through the pages as a browser sends them.

use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Db, TestApp, pdf, pdf_part};
use crate::pages::{between, sign_in};

both!(
    a_buyers_reply_goes_by_default_to_who_last_wrote,
    a_quote_is_sent_whole_or_refused_and_nothing_is_lost,
    each_party_has_its_own_status_and_an_order_is_won,
    a_review_is_recorded_once_and_counted,
    the_wording_says_what_it_means,
);

async fn a_buyers_reply_goes_by_default_to_who_last_wrote(db: Db) {
    let t = TestApp::spawn(db).await;
    // An Austrian request: the manufacturer's thread, and the area manager's, who handles it.
    let (request, _buyer) = t.request_from("AT", "hans@buyer.example").await;
    assert_eq!(
        t.say(&t.area_member, &request, "Hier unser Angebot.")
            .await
            .status(),
        201
    );
    let hans = sign_in(&t, "hans@buyer.example").await;
    let page = hans.get(&t, &format!("/requests/{request}")).await;
    let select = between(&page, "<select id=\"party\" name=\"party\">", "</select>");
    let first = between(select, "<option", "</option>");
    assert!(
        first.contains("Jonas Weber — Alpen Vertrieb, your contact"),
        "the default names the contact plainly: {select}"
    );
    // Sent as the form stands, the reply reaches the area manager, not the manufacturer.
    let party = between(first, "value=\"", "\"").to_owned();
    let response = hans
        .send(
            &t,
            &request,
            Form::new()
                .text("party", party)
                .text("body", "Wann können Sie liefern?"),
        )
        .await;
    assert_eq!(response.status(), 303);
    let seen = t
        .get_json(&t.area_member.token, &format!("/api/v1/requests/{request}"))
        .await
        .to_string();
    assert!(seen.contains("Wann können Sie liefern?"));
    let maker = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{request}"))
        .await
        .to_string();
    assert!(!maker.contains("Wann können Sie liefern?"));
}

/// The quote form as a seller fills it, with `body` and these extra fields.
fn quote_form(body: &str, amount: &str) -> Form {
    Form::new()
        .text("body", body.to_owned())
        .text("document_kind", "quote")
        .text("online_payment", "1")
        .text("quote_amount", amount.to_owned())
        .text("quote_currency", "EUR")
        .text("quote_valid_until", "2099-12-31")
        .text("quote_reference", "Q-77")
}

async fn a_quote_is_sent_whole_or_refused_and_nothing_is_lost(db: Db) {
    let t = TestApp::spawn(db).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    let claire = sign_in(&t, "claire@hydrotech.example").await;
    // Quote chosen, PDF attached, terms filled, the message forgotten: refused...
    let refused = claire
        .send(
            &t,
            &request,
            quote_form("", "1 200,00").part("document", pdf_part(pdf(), "devis-77.pdf")),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("text");
    assert!(page.contains("data-code=\"message_empty\""), "{page}");
    // ...and nothing is lost: the PDF is kept on the server, the terms stay typed.
    assert!(page.contains("devis-77.pdf"), "the kept PDF is named");
    let kept = between(&page, "name=\"kept_document\" value=\"", "\"").to_owned();
    assert!(page.contains("value=\"1 200,00\""), "the amount stays");
    assert!(
        page.contains("value=\"quote\" checked"),
        "Quote stays chosen"
    );
    // Sent again with the message: the whole quote goes, PDF and terms.
    let sent = claire
        .send(
            &t,
            &request,
            quote_form("Voici notre devis.", "1 200,00").text("kept_document", kept.clone()),
        )
        .await;
    assert_eq!(sent.status(), 303);
    let quotes = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}/quotes"))
        .await;
    assert_eq!(quotes["quotes"][0]["total"], "1200.00", "{quotes}");
    let detail = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{request}"))
        .await;
    assert_eq!(
        detail["threads"][0]["messages"][0]["documents"][0]["filename"],
        "devis-77.pdf"
    );
    // The kept PDF went with it and is gone: its token serves nobody now.
    let caller = t.app.authenticate(&t.maker.token).await.expect("caller");
    assert!(t.app.kept_draft_document(&caller, &kept).await.is_err());
    // An amount that is no amount is refused, never sent.
    let bad = claire
        .send(
            &t,
            &request,
            quote_form("Devis", "abc").part("document", pdf_part(pdf(), "devis-78.pdf")),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .expect("text")
            .contains("data-code=\"amount_invalid\"")
    );
    // Quote chosen and filled but no PDF: refused, not sent as text alone.
    let no_pdf = claire
        .send(&t, &request, quote_form("Devis sans PDF", "900"))
        .await;
    assert_eq!(no_pdf.status(), 422);
    assert!(
        no_pdf
            .text()
            .await
            .expect("text")
            .contains("data-code=\"quote_document_required\"")
    );
    let messages = t
        .get_json(&t.maker.token, &format!("/api/v1/requests/{request}"))
        .await["threads"][0]["messages"]
        .as_array()
        .expect("messages")
        .len();
    assert_eq!(messages, 1, "only the whole quote was sent");
}

/// The statuses a seller's list shows for its own party, each list filtered by one.
async fn statuses(t: &TestApp, token: &str) -> Vec<String> {
    let list: Value = t.get_json(token, "/api/v1/requests").await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn each_party_has_its_own_status_and_an_order_is_won(db: Db) {
    let t = TestApp::spawn(db).await;
    // A Spanish request: the manufacturer's thread and the distributor's.
    let (request, buyer) = t.request_from("ES", "carmen@buyer.example").await;
    let declined = t
        .post_json(
            &t.distributor_member.token,
            &format!("/api/v1/requests/{request}/decline"),
            &json!({ "reason": "out_of_stock" }),
        )
        .await;
    assert_eq!(declined.status(), 204);
    assert_eq!(
        statuses(&t, &t.distributor_member.token).await,
        ["declined"]
    );
    assert_eq!(
        statuses(&t, &t.maker.token).await,
        ["new"],
        "its own party's status"
    );
    let filtered: Value = t
        .get_json(
            &t.distributor_member.token,
            "/api/v1/requests?status=declined",
        )
        .await;
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(1));
    let none: Value = t
        .get_json(&t.distributor_member.token, "/api/v1/requests?status=new")
        .await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));
    // The declined request is no longer "to handle" on the distributor's page.
    let lucia = sign_in(&t, "lucia@iberia.example").await;
    let page = lucia.get(&t, "/requests").await;
    assert!(page.contains("status-declined"), "{page}");
    assert!(!page.contains("button primary"), "no Handle button: {page}");
    // The buyer never sees "declined".
    let theirs = statuses(&t, &buyer.token).await;
    assert_eq!(theirs, ["new"]);

    // A French request the manufacturer keeps: it quotes (no online payment), the buyer
    // accepts and orders: won.
    let (request, buyer) = t.request_from("FR", "luc@buyer.example").await;
    let form = Form::new().text("body", "Notre devis").part(
        "quote",
        crate::helpers::pdf_part(crate::helpers::pdf(), "q.pdf"),
    );
    assert_eq!(
        t.post_form(&t.maker.token, &request, form).await.status(),
        201
    );
    assert_eq!(statuses(&t, &t.maker.token).await, ["answered", "new"]);
    let quotes = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}/quotes"))
        .await;
    let quote = quotes["quotes"][0]["id"].as_str().expect("id").to_owned();
    let accept = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(accept.status(), 200);
    let order = t
        .post_json(
            &buyer.token,
            &format!("/api/v1/quotes/{quote}/order"),
            &json!({ "billing": "Luc SARL", "delivery": "Lyon" }),
        )
        .await;
    assert!(order.status().is_success(), "{}", order.status());
    assert_eq!(statuses(&t, &t.maker.token).await, ["won", "new"]);
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(network["own_rating"]["won"], 1, "{network}");
}

async fn a_review_is_recorded_once_and_counted(db: Db) {
    let t = TestApp::spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "luc@buyer.example").await;
    assert_eq!(t.say(&t.maker, &request, "Bonjour").await.status(), 201);
    let luc = sign_in(&t, "luc@buyer.example").await;
    let page = luc.get(&t, &format!("/requests/{request}")).await;
    assert!(page.contains("action=\"/requests/"), "the review form");
    let (status, _) = luc
        .post_form(
            &t,
            &format!("/requests/{request}/review"),
            &[("rating", "4"), ("comment", "Réactifs")],
        )
        .await;
    assert_eq!(status, 303);
    let page = luc.get(&t, &format!("/requests/{request}")).await;
    assert!(page.contains("Your review was recorded"), "said so");
    assert!(page.contains("★★★★☆ — Réactifs"));
    assert!(
        !page.contains(&format!("action=\"/requests/{request}/review\"")),
        "no second form"
    );
    // A second one changes nothing.
    luc.post_form(
        &t,
        &format!("/requests/{request}/review"),
        &[("rating", "1")],
    )
    .await;
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    assert_eq!(network["own_rating"]["reviews"], 1);
    let claire = sign_in(&t, "claire@hydrotech.example").await;
    let page = claire.get(&t, "/network").await;
    assert!(
        page.contains("4.0 ★ (1)"),
        "average and count on the network page"
    );
}

async fn the_wording_says_what_it_means(db: Db) {
    let t = TestApp::spawn(db).await;
    let (request, _buyer) = t.request_from("ES", "carmen@buyer.example").await;
    // The distributor's quote, on its own page: awaiting the buyer, not "your" answer.
    t.post_quote(&t.distributor_member.token, &request).await;
    let lucia = sign_in(&t, "lucia@iberia.example").await;
    let page = lucia.get(&t, &format!("/requests/{request}")).await;
    assert!(page.contains("awaiting the buyer’s answer"), "{page}");
    assert!(!page.contains("awaiting your answer"));
    // A distributor has no sales network: no menu entry for one.
    assert!(!page.contains("href=\"/network\""));
    // Its forward form has no list to choose from: the address field says so plainly.
    assert!(page.contains("Forward to this email address"));
    assert!(!page.contains("…or to this email address"));
    // Two bad copy addresses: one error line naming the field once.
    let refused = lucia
        .send(
            &t,
            &request,
            Form::new()
                .text("body", "Hola")
                .text("cc", "nope, also-nope"),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("text");
    assert_eq!(
        page.matches("data-code=\"cc_invalid\"").count(),
        1,
        "{page}"
    );
    let claire = sign_in(&t, "claire@hydrotech.example").await;
    let mine = claire.get(&t, "/requests").await;
    assert!(
        mine.contains("href=\"/network\""),
        "a manufacturer's menu has it"
    );

    // The buyer's Spanish message: the picker never offers Spanish (it would only fail).
    let (fr_request, buyer) = t.request_from("FR", "luc@buyer.example").await;
    assert_eq!(t.say(&t.maker, &fr_request, "Bonjour").await.status(), 201);
    assert_eq!(
        t.say(
            &buyer,
            &fr_request,
            "Gracias, ¿cuál es el plazo de entrega a Sevilla?"
        )
        .await
        .status(),
        201
    );
    // The picker under it offers neither Spanish nor any language no engine reaches, preset
    // to French: `translation::the_picker_offers_only_what_an_engine_covers`.

    // Someone known only as a person in copy can become a network member's contact, in Dutch.
    let copied = t
        .post_json(
            &t.maker.token,
            &format!("/api/v1/requests/{fr_request}/cc"),
            &json!({ "email": "bea@lowlands.example" }),
        )
        .await;
    assert_eq!(copied.status(), 201);
    let added = t
        .post_json(
            &t.maker.token,
            "/api/v1/network/members",
            &json!({
                "name": "Lowlands Pumps", "kind": "distributor", "territories": "Benelux",
                "contact_name": "Bea de Vries", "contact_email": "bea@lowlands.example",
                "contact_language": "nl",
            }),
        )
        .await;
    assert_eq!(
        added.status(),
        201,
        "{}",
        added.text().await.unwrap_or_default()
    );
    // A member of another organization stays where they are.
    let taken = t
        .post_json(
            &t.maker.token,
            "/api/v1/network/members",
            &json!({
                "name": "Elsewhere", "kind": "distributor", "territories": "IT",
                "contact_name": "Rita", "contact_email": "rita@rival.example",
            }),
        )
        .await;
    assert_eq!(taken.status(), 422);
}
