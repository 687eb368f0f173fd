//! The confidentiality wall against the ways around it found in a walkthrough: automatic copies
//! (FAQ e: the request only) and people in copy (FAQ d: as themselves, until removed).

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Person, TestApp, person};
use crate::relay::{email, last_mail, outbox, refusal, send, spawn};

both!(
    the_buyers_address_never_reaches_the_sellers,
    an_automatic_copy_gets_the_request_and_no_access,
    a_person_in_copy_answers_as_themselves_hears_the_buyer_and_can_be_removed,
);

fn base(request: &str) -> String {
    format!("/api/v1/requests/{request}")
}

/// The id of the network member called `name`, from "My sales network".
async fn network_member(t: &TestApp, name: &str) -> String {
    t.get_json(&t.maker.token, "/api/v1/network").await["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["name"] == name)
        .and_then(|m| m["id"].as_str())
        .expect("member")
        .to_owned()
}

/// Everything `who` can read of the request and its history, as one text.
async fn everything_seen(t: &TestApp, who: &Person, request: &str) -> String {
    let detail = t
        .get(&who.token, &base(request))
        .await
        .text()
        .await
        .expect("text");
    let history = t
        .get(&who.token, &format!("{}/history", base(request)))
        .await
        .text()
        .await
        .expect("text");
    let quotes = t
        .get(&who.token, &format!("{}/quotes", base(request)))
        .await
        .text()
        .await
        .expect("text");
    format!("{detail}\n{history}\n{quotes}")
}

async fn an_automatic_copy_gets_the_request_and_no_access(db: crate::helpers::Db) {
    let t = spawn(db).await;
    let alpen = network_member(&t, "Alpen Vertrieb").await;
    // Claire (manufacturer) lists her own address in her area manager's automatic copies.
    let update = t
        .client
        .put(t.url(&format!("/api/v1/network/members/{alpen}")))
        .bearer_auth(&t.maker.token)
        .json(&json!({ "territories": "DE, AT", "auto_cc": "claire@hydrotech.example" }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(update.status(), 204);
    // An Austrian request goes to the area manager; Claire gets the request by email.
    let (request, buyer) = t.request_from("AT", "hans@buyer.example").await;
    let copy = last_mail(&t, "claire@hydrotech.example", "automatic_copy").await;
    assert!(copy.text_body.contains("presupuesto"), "{}", copy.text_body);
    assert!(copy.from_address.is_none(), "nothing to answer through");
    // The area manager writes to the buyer, with a quote.
    let confidential = "vertraulicher Händlerpreis: 4.100 EUR";
    assert_eq!(
        t.say(&t.area_member, &request, confidential).await.status(),
        201
    );
    t.post_quote(&t.area_member.token, &request).await;
    assert!(
        everything_seen(&t, &buyer, &request)
            .await
            .contains("vertraulicher"),
        "the buyer reads it"
    );
    // Claire reads none of it, on the API or on the page.
    let seen = everything_seen(&t, &t.maker, &request).await;
    assert!(!seen.contains("vertraulicher"), "{seen}");
    assert!(!seen.contains("quote.pdf"), "{seen}");
    let detail: Value = t.get_json(&t.maker.token, &base(&request)).await;
    let parties: Vec<&str> = detail["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .map(|th| th["party"]["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(parties, [t.manufacturer.to_string().as_str()]);
    // Nor can she write, decline or copy someone on the area manager's behalf.
    let posted = t
        .post_json(
            &t.maker.token,
            &format!("{}/messages", base(&request)),
            &json!({ "body": "Ich bin es", "party": alpen }),
        )
        .await;
    assert_eq!(posted.status(), 404);
    let declined = t
        .post_json(
            &t.maker.token,
            &format!("{}/decline", base(&request)),
            &json!({ "party": alpen, "reason": "not_interested" }),
        )
        .await;
    assert_eq!(declined.status(), 404);
    let copied = t
        .post_json(
            &t.maker.token,
            &format!("{}/cc", base(&request)),
            &json!({ "party": alpen, "email": "spy@hydrotech.example" }),
        )
        .await;
    assert_eq!(copied.status(), 404);
    // Later conversation mail never reaches her.
    let later: Vec<_> = outbox(&t)
        .await
        .into_iter()
        .filter(|m| m.recipient == "claire@hydrotech.example" && m.kind != "automatic_copy")
        .filter(|m| m.text_body.contains("vertraulicher") || m.kind == "message_copy")
        .collect();
    assert!(later.is_empty(), "{later:?}");
}

async fn a_person_in_copy_answers_as_themselves_hears_the_buyer_and_can_be_removed(
    db: crate::helpers::Db,
) {
    let t = spawn(db).await;
    let (request, buyer) = t.request_from("DE", "hans@buyer.example").await;
    // Jonas (area manager) puts Marc in the Copy field of a message.
    let sent = t
        .post_json(
            &t.area_member.token,
            &format!("{}/messages", base(&request)),
            &json!({ "body": "Unser Angebot folgt.", "cc": "marc@extern.example" }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let copy = last_mail(&t, "marc@extern.example", "message_copy").await;
    let marc_address = copy.from_address.expect("masked");
    // Marc answers from his mailbox: the message is his, not Jonas's.
    send(
        t.smtp,
        "marc@extern.example",
        &marc_address,
        &email(
            "marc@extern.example",
            &marc_address,
            "marc1@extern.example",
            "Ich kümmere mich um die Lieferung.",
        ),
    )
    .await
    .expect("250");
    t.relay_caught_up().await;
    let history = t
        .get_json(&buyer.token, &format!("{}/history", base(&request)))
        .await;
    let by_marc = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "message_sent")
        .expect("newest message");
    assert_eq!(by_marc["actor"]["name"], "marc", "{by_marc}");
    // While in copy, Marc hears the buyer's replies.
    let alpen = network_member(&t, "Alpen Vertrieb").await;
    let buyer_says = |text: &'static str| {
        let (t, buyer, request, alpen) = (&t, &buyer, &request, &alpen);
        async move {
            t.post_json(
                &buyer.token,
                &format!("{}/messages", base(request)),
                &json!({ "body": text, "party": alpen }),
            )
            .await
            .status()
        }
    };
    assert_eq!(buyer_says("Danke, bis wann?").await, 201);
    let heard = last_mail(&t, "marc@extern.example", "new_message").await;
    assert!(heard.text_body.contains("Danke, bis wann?"));
    // Jonas sees him in copy and takes him out.
    let copies = t
        .get_json(&t.area_member.token, &format!("{}/cc", base(&request)))
        .await;
    let marc = copies["copies"][0]["member_id"]
        .as_str()
        .expect("marc in copy")
        .to_owned();
    assert_eq!(copies["copies"][0]["email"], "marc@extern.example");
    // Nobody else can remove him, or see him.
    let maker_copies = t
        .get_json(&t.maker.token, &format!("{}/cc", base(&request)))
        .await;
    assert_eq!(maker_copies["copies"], json!([]));
    let by_maker = t
        .client
        .delete(t.url(&format!("{}/cc/{marc}", base(&request))))
        .bearer_auth(&t.maker.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(by_maker.status(), 404);
    let marc_person = person(&t.app, "marc@extern.example").await;
    assert_eq!(
        t.get(&marc_person.token, &base(&request)).await.status(),
        200
    );
    let removed = t
        .client
        .delete(t.url(&format!("{}/cc/{marc}", base(&request))))
        .bearer_auth(&t.area_member.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(removed.status(), 204);
    // His access ends at once: the page, the API, and his masked address.
    assert_eq!(
        t.get(&marc_person.token, &base(&request)).await.status(),
        404
    );
    let refused = refusal(
        t.smtp,
        "marc@extern.example",
        &marc_address,
        &email(
            "marc@extern.example",
            &marc_address,
            "marc2@extern.example",
            "Noch da?",
        ),
    )
    .await;
    assert!(
        refused.starts_with("5") || refused.contains("550"),
        "{refused}"
    );
    // And the buyer's later messages no longer reach him.
    let before = outbox(&t)
        .await
        .iter()
        .filter(|m| m.recipient == "marc@extern.example")
        .count();
    assert_eq!(buyer_says("Noch eine Frage.").await, 201);
    let after = outbox(&t)
        .await
        .iter()
        .filter(|m| m.recipient == "marc@extern.example")
        .count();
    assert_eq!(before, after);
    let kinds = t.history_kinds(&t.area_member, &request).await;
    assert!(kinds.contains(&"cc_removed".to_owned()), "{kinds:?}");
}

/// A buyer's reply as a real mailbox sends it: every header that identifies the mailbox, the
/// address in the signature, and a quoted header block.
fn elodies_reply(to: &str) -> String {
    format!(
        "Return-Path: <elodie.fabre@acheteur.example>\r\n\
         Received: from mail.acheteur.example (mail.acheteur.example [203.0.113.7])\r\n\
         DKIM-Signature: v=1; a=rsa-sha256; d=acheteur.example; s=sel; b=abc\r\n\
         X-Originating-IP: [203.0.113.7]\r\n\
         From: \"Élodie Fabre\" <elodie.fabre@acheteur.example>\r\n\
         Reply-To: elodie.fabre@acheteur.example\r\n\
         Sender: elodie.fabre@acheteur.example\r\n\
         To: <{to}>\r\n\
         Subject: Re: pompe (elodie.fabre@acheteur.example)\r\n\
         Message-ID: <leak1@acheteur.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Merci, écrivez-moi directement à elodie.fabre@acheteur.example.\r\n\
         \r\n\
         Élodie Fabre | Achats | elodie.fabre@acheteur.example | jean.compta@acheteur.example\r\n\
         \r\n\
         De : Hydrotech via Parley <{to}>\r\n\
         Envoyé : lundi 3 mars\r\n\
         À : Élodie Fabre <elodie.fabre@acheteur.example>\r\n\
         Objet : pompe\r\n\
         \r\n\
         Voici notre offre.\r\n"
    )
}

async fn the_buyers_address_never_reaches_the_sellers(db: crate::helpers::Db) {
    let t = spawn(db).await;
    let (request, _buyer) = t.request_from("FR", "elodie.fabre@acheteur.example").await;
    assert_eq!(
        t.say(&t.maker, &request, "Voici notre offre.")
            .await
            .status(),
        201
    );
    let address = last_mail(&t, "elodie.fabre@acheteur.example", "new_message")
        .await
        .from_address
        .expect("masked");
    send(
        t.smtp,
        "elodie.fabre@acheteur.example",
        &address,
        &elodies_reply(&address),
    )
    .await
    .expect("250");
    t.relay_caught_up().await;
    let leaks = |text: &str| -> Vec<&'static str> {
        [
            "elodie.fabre@",
            "acheteur.example",
            "203.0.113.7",
            "DKIM",
            "Received:",
            "Return-Path",
            "X-Originating-IP",
            "leak1@",
        ]
        .into_iter()
        .filter(|needle| text.contains(needle))
        .collect()
    };
    // The API: the message, its whole email, the history.
    let seen = everything_seen(&t, &t.maker, &request).await;
    assert!(seen.contains("écrivez-moi directement"), "{seen}");
    assert_eq!(leaks(&seen), Vec::<&str>::new(), "{seen}");
    // The seller's notification.
    let notice = last_mail(&t, "claire@hydrotech.example", "new_message").await;
    assert!(notice.text_body.contains("écrivez-moi directement"));
    for body in [&notice.text_body, notice.html_body.as_ref().expect("html")] {
        assert_eq!(leaks(body), Vec::<&str>::new(), "{body}");
    }
    // The request page, and "the email as received": readable, masked, no mailbox headers.
    let message: Value =
        t.get_json(&t.maker.token, &base(&request)).await["threads"][0]["messages"][0].clone();
    let id = message["id"].as_str().expect("id");
    let seller = crate::pages::sign_in(&t, "claire@hydrotech.example").await;
    let page = seller.get(&t, &format!("/requests/{request}")).await;
    assert!(page.contains(&format!("/messages/{id}/original")));
    assert_eq!(leaks(&page), Vec::<&str>::new());
    let view = seller.get(&t, &format!("/messages/{id}/original")).await;
    assert!(view.contains("écrivez-moi directement"), "{view}");
    assert!(view.contains("Élodie Fabre"), "{view}");
    assert_eq!(leaks(&view), Vec::<&str>::new(), "{view}");
    // The buyer's own side keeps the raw email.
    let own = crate::pages::sign_in(&t, "elodie.fabre@acheteur.example").await;
    let raw = own.get(&t, &format!("/messages/{id}/original")).await;
    assert!(raw.contains("X-Originating-IP: [203.0.113.7]"), "{raw}");
}
