//! The emails that tell a conversation's participants something happened: a new request for
//! its handler, a new message for the other side, a copy for the sender (guide FAQ f).
//!
//! They carry the new message and a link to the request page, never the history (FAQ b). Each
//! comes from a masked address of the recipient, so a reply goes back through the relay into
//! the right thread; the address is issued when the mail is queued (see `relay`).

use parley_domain::{Buyer, Document, LanguageCode, Member};
use parley_store::outbox::Mail;
use parley_store::relay::HolderKind;

use super::notice::{Content, document_lines, mail, request_url};
use crate::Settings;
use crate::i18n::Words;

/// A mail to queue, from the recipient's masked address in `thread_id`.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub thread_id: String,
    pub request_id: String,
    pub holder_kind: HolderKind,
    pub holder_id: String,
    /// Who may write to the masked address (the recipient, or the sender for a copy).
    pub holder_email: String,
    /// The masked address's token if it has to be created (see `relay::with_tokens`).
    pub new_token: String,
    pub mail: Mail,
}

/// What a notice is about.
pub(crate) struct Conversation<'a> {
    pub request_id: String,
    pub thread_id: String,
    pub product: &'a str,
    /// The seller organization of the thread.
    pub party_name: &'a str,
    pub buyer: &'a Buyer,
}

/// One message's content as the notices show it.
pub(crate) struct NewMessage<'a> {
    /// The message's id: its notices quote it by reference (rendered when read).
    pub id: String,
    pub author_name: &'a str,
    pub body: &'a str,
    pub documents: &'a [Document],
    /// The message carries a quote: the buyer gets the dedicated quote notification.
    pub quote: bool,
}

/// Who gets a copy.
pub(crate) struct Recipient<'a> {
    pub holder_kind: HolderKind,
    pub holder_id: &'a str,
    pub email: &'a str,
    pub language: LanguageCode,
}

/// A seller wrote: the buyer hears from the seller's organization.
pub(crate) fn seller_message_to_buyer(
    settings: &Settings,
    conversation: &Conversation<'_>,
    message: &NewMessage<'_>,
    at: i64,
) -> Notice {
    let buyer = conversation.buyer;
    let words = Words::of(buyer.language);
    let product = [("product", conversation.product)];
    let who = [
        ("author", message.author_name),
        ("party", conversation.party_name),
    ];
    let (kind, subject, intro) = if message.quote {
        ("new_quote", "mail-subject-new-quote", "mail-intro-quote")
    } else {
        (
            "new_message",
            "mail-subject-your-request",
            "mail-intro-seller-wrote",
        )
    };
    let content = Content {
        language: buyer.language,
        subject: words.with(subject, &product),
        intro: words.with(intro, &who),
        quote: message.body,
        quote_of: Some(&message.id),
        documents: document_lines(&words, message.documents),
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    to_buyer(conversation, kind, at, &content)
}

/// A mail to the conversation's buyer, from the seller party's side.
pub(crate) fn to_buyer(
    conversation: &Conversation<'_>,
    kind: &str,
    at: i64,
    content: &Content<'_>,
) -> Notice {
    let buyer = conversation.buyer;
    Notice {
        thread_id: conversation.thread_id.clone(),
        request_id: conversation.request_id.clone(),
        holder_kind: HolderKind::Buyer,
        holder_id: buyer.id.to_string(),
        holder_email: buyer.email.to_string(),
        new_token: String::new(),
        mail: mail(
            buyer.email.as_str(),
            format!("{} via Parley", conversation.party_name),
            kind,
            at,
            content,
        ),
    }
}

/// The buyer wrote: a member of the seller organization hears from the buyer.
pub(crate) fn buyer_message_to_member(
    settings: &Settings,
    conversation: &Conversation<'_>,
    message: &NewMessage<'_>,
    member: &Member,
    at: i64,
) -> Notice {
    let words = Words::of(member.language);
    let buyer = buyer_label(conversation.buyer);
    let content = Content {
        language: member.language,
        subject: seller_subject(&words, conversation.buyer, conversation.product),
        intro: words.with("mail-intro-buyer-wrote", &[("buyer", &buyer)]),
        quote: message.body,
        quote_of: Some(&message.id),
        documents: document_lines(&words, message.documents),
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    to_member(conversation, member, "new_message", at, &content)
}

/// A new request for the member who handles it.
pub(crate) fn new_request_to_member(
    settings: &Settings,
    conversation: &Conversation<'_>,
    request_text: &str,
    member: &Member,
    at: i64,
) -> Notice {
    let words = Words::of(member.language);
    let content = Content {
        language: member.language,
        subject: seller_subject(&words, conversation.buyer, conversation.product),
        intro: words.with(
            "mail-intro-new-request",
            &[
                ("buyer", &buyer_label(conversation.buyer)),
                ("country", conversation.buyer.country.as_str()),
                ("product", conversation.product),
            ],
        ),
        quote: request_text,
        quote_of: None,
        documents: Vec::new(),
        url: request_url(settings, &conversation.request_id),
        handle_links: true,
    };
    to_member(conversation, member, "new_request", at, &content)
}

/// The copy a person gets of what they sent from the web (FAQ f), or a copy for someone they
/// put in CC: from their own masked address, so answering it continues the conversation.
pub(crate) fn copy_of_message(
    settings: &Settings,
    conversation: &Conversation<'_>,
    message: &NewMessage<'_>,
    recipient: Recipient<'_>,
    at: i64,
) -> Notice {
    let words = Words::of(recipient.language);
    let other = match recipient.holder_kind {
        HolderKind::Buyer => conversation.party_name.to_owned(),
        _ => buyer_label(conversation.buyer),
    };
    let content = Content {
        language: recipient.language,
        subject: words.with("mail-subject-copy", &[("product", conversation.product)]),
        intro: words.with(
            "mail-intro-copy",
            &[("author", message.author_name), ("other", &other)],
        ),
        quote: message.body,
        quote_of: Some(&message.id),
        documents: document_lines(&words, message.documents),
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    Notice {
        thread_id: conversation.thread_id.clone(),
        request_id: conversation.request_id.clone(),
        holder_kind: recipient.holder_kind,
        holder_id: recipient.holder_id.to_owned(),
        holder_email: recipient.email.to_owned(),
        new_token: String::new(),
        mail: mail(
            recipient.email,
            format!("{other} via Parley"),
            "message_copy",
            at,
            &content,
        ),
    }
}

/// A mail to a member of the seller party, from their masked address in the thread.
pub(crate) fn to_member(
    conversation: &Conversation<'_>,
    member: &Member,
    kind: &str,
    at: i64,
    content: &Content<'_>,
) -> Notice {
    Notice {
        thread_id: conversation.thread_id.clone(),
        request_id: conversation.request_id.clone(),
        holder_kind: HolderKind::Member,
        holder_id: member.id.to_string(),
        holder_email: member.email.to_string(),
        new_token: String::new(),
        mail: mail(
            member.email.as_str(),
            format!("{} via Parley", buyer_label(conversation.buyer)),
            kind,
            at,
            content,
        ),
    }
}

/// "Request from Ana Silva (Acme): Pump X2", in the seller's language.
pub(crate) fn seller_subject(words: &Words, buyer: &Buyer, product: &str) -> String {
    words.with(
        "mail-subject-request-from",
        &[("buyer", &buyer_label(buyer)), ("product", product)],
    )
}

/// "Ana Silva (Acme)": the name sellers know a buyer by; never the address.
pub(crate) fn buyer_label(buyer: &Buyer) -> String {
    match &buyer.company {
        Some(company) => format!("{} ({company})", buyer.name),
        None => buyer.name.clone(),
    }
}
