//! The guide walked as new users walk it: the flows a walkthrough found broken (issue "Keep the
//! guide's promises"), each through the pages as a browser sends them.

use reqwest::multipart::Form;

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::pages::{between, sign_in};

both!(a_buyers_reply_goes_by_default_to_who_last_wrote);

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
