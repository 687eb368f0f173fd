//! Automatic copies (guide FAQ e): the addresses a manufacturer lists for a network member in
//! "My sales network" receive each new request routed to that member — the request only.
//!
//! They get an email from Parley's own address with the request's text, and nothing else: no
//! access to the thread, its messages, documents or quotes, no masked address to answer from,
//! no sign-in link. The network member decides whether to copy someone into its conversation
//! (then they are a person in copy, with that party's access, until removed). Before this rule
//! an automatic copy was a grant, which let a manufacturer read its distributor's thread.

use parley_domain::{Actor, AuthorKind, EmailAddress, EventKind, LanguageCode};
use parley_store::outbox::{self, Mail};
use parley_store::{Connection, StoreError, directory, events};
use serde_json::json;
use uuid::Uuid;

use super::conversation::{Conversation, buyer_label, seller_subject};
use super::notice::{Content, mail_bodies};
use crate::events::new_event;
use crate::i18n::Words;

/// The request, for one automatic-copy address.
pub(super) fn request_copy(
    conversation: &Conversation<'_>,
    request_text: &str,
    recipient: &EmailAddress,
    language: LanguageCode,
    at: i64,
) -> Mail {
    let buyer = conversation.buyer;
    let words = Words::of(language);
    let content = Content {
        language,
        subject: seller_subject(&words, buyer, conversation.product),
        intro: words.with(
            "mail-intro-automatic-copy",
            &[
                ("buyer", &buyer_label(buyer)),
                ("country", buyer.country.as_str()),
                ("product", conversation.product),
                ("party", conversation.party_name),
            ],
        ),
        quote: request_text,
        quote_of: None,
        documents: Vec::new(),
        url: String::new(),
        handle_links: false,
    };
    let (text_body, html_body) = mail_bodies(&content);
    Mail {
        id: Uuid::now_v7().to_string(),
        recipient: recipient.to_string(),
        subject: content.subject.clone(),
        text_body,
        html_body,
        from_name: Some("Parley".to_owned()),
        from_address: None,
        kind: "automatic_copy".to_owned(),
        created_at: at,
        ..Mail::default()
    }
}

/// Emails the request to each automatic-copy address of the network member the request went
/// to, and records one event per address for that member's party (who the copy went to is
/// the member's business). Inside the caller's transaction.
pub(crate) async fn send_automatic_copies(
    tx: &mut Connection,
    conversation: &Conversation<'_>,
    request_text: &str,
    (party, addresses): (parley_domain::OrganizationId, &[EmailAddress]),
    fallback_language: LanguageCode,
    at: parley_domain::Timestamp,
) -> Result<(), StoreError> {
    if addresses.is_empty() {
        return Ok(());
    }
    let request_id = conversation
        .request_id
        .parse()
        .map_err(|_| StoreError::Corrupt("request id".to_owned()))?;
    let mut mails = Vec::with_capacity(addresses.len());
    for address in addresses {
        let language = directory::member_by_email(&mut *tx, address)
            .await?
            .map_or(fallback_language, |m| m.language);
        mails.push(request_copy(
            conversation,
            request_text,
            address,
            language,
            at.0,
        ));
        let event = new_event(
            request_id,
            Some(party),
            EventKind::AutomaticCopySent,
            Actor {
                kind: AuthorKind::System,
                id: None,
                name: "Parley".to_owned(),
            },
            json!({ "email": address.as_str() }),
            at,
        );
        events::append(&mut *tx, &event, None).await?;
    }
    outbox::enqueue_many(&mut *tx, &mails).await
}
