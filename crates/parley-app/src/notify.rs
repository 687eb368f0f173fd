//! The emails that tell a conversation's participants something happened: a new request for
//! its handler, a new message for the other side, a copy for the sender (guide FAQ f).
//!
//! They carry the new message and a link to the request page, never the history (FAQ b). Each
//! comes from a masked address of the recipient, so a reply goes back through the relay into
//! the right thread; the address is issued when the mail is queued (see `relay`).

use askama::Template;
use parley_domain::{Buyer, LanguageCode, Member};
use parley_store::outbox::{Mail, StoredNotice};
use parley_store::relay::HolderKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Settings;

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
    pub documents: Vec<String>,
    /// The message carries a quote: the buyer gets the dedicated quote notification.
    pub quote: bool,
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct NoticeHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    intro: &'a str,
    quote: &'a str,
    documents_label: &'a str,
    documents: &'a [String],
    action: &'a str,
    url: &'a str,
    /// The guide's buttons in a new request's email: (label, link).
    handle_links: &'a [(&'a str, String)],
    footer: &'a str,
}

pub(crate) struct Content<'a> {
    pub language: LanguageCode,
    pub subject: String,
    pub intro: String,
    pub quote: &'a str,
    /// The message `quote` is the body of: the mail then stores this id rather than the
    /// rendered bodies, and is rendered when read ([`render_stored`]).
    pub quote_of: Option<&'a str>,
    pub documents: &'a [String],
    /// The request page; empty for a mail that only informs (an automatic copy): no link, no
    /// invitation to answer.
    pub url: String,
    /// Show "Forward" and "Decline" (guide sections 4 and 5: buttons in the request's email).
    pub handle_links: bool,
}

pub(crate) fn french(language: LanguageCode) -> bool {
    language == LanguageCode::Fr
}

fn render(content: &Content<'_>) -> (String, String) {
    let fr = french(content.language);
    let documents_label = if fr {
        "Documents joints :"
    } else {
        "Attached documents:"
    };
    // The guide's button: "Répondre" opens the request page, where the answer is written.
    let action = if fr { "Répondre" } else { "Reply" };
    let footer = if fr {
        "Répondez à cet email pour répondre dans la conversation : votre adresse reste \
         confidentielle."
    } else {
        "Reply to this email to answer in the conversation: your address stays private."
    };
    let mut text = format!("{}\n\n", content.intro);
    if !content.quote.is_empty() {
        text.push_str(content.quote.trim_end());
        text.push_str("\n\n");
    }
    if !content.documents.is_empty() {
        text.push_str(documents_label);
        text.push('\n');
        for document in content.documents {
            text.push_str(&format!("- {document}\n"));
        }
        text.push('\n');
    }
    if content.url.is_empty() {
        // An informational mail (an automatic copy): no link, nothing to answer.
        return (
            text,
            render_html(content, documents_label, action, &[], footer),
        );
    }
    text.push_str(&format!("{action}: {}\n", content.url));
    let handle_links: Vec<(&str, String)> = if content.handle_links {
        let (forward, decline) = if fr {
            ("Transférer", "Décliner")
        } else {
            ("Forward", "Decline")
        };
        vec![
            (forward, format!("{}?open=forward#handle", content.url)),
            (decline, format!("{}?open=decline#handle", content.url)),
        ]
    } else {
        Vec::new()
    };
    for (label, link) in &handle_links {
        text.push_str(&format!("{label}: {link}\n"));
    }
    text.push_str(&format!("\n-- \n{footer}\n"));
    let html = render_html(content, documents_label, action, &handle_links, footer);
    (text, html)
}

fn render_html(
    content: &Content<'_>,
    documents_label: &str,
    action: &str,
    handle_links: &[(&str, String)],
    footer: &str,
) -> String {
    NoticeHtml {
        lang: content.language.code(),
        subject: &content.subject,
        intro: &content.intro,
        quote: content.quote,
        documents_label,
        documents: content.documents,
        action,
        url: &content.url,
        handle_links,
        footer,
    }
    .render()
    // The template has no fallible filters; should rendering ever fail, the text part stands.
    .unwrap_or_default()
}

pub(crate) fn request_url(settings: &Settings, request_id: &str) -> String {
    let base = settings.public_url.as_deref().unwrap_or_default();
    format!("{base}/requests/{request_id}")
}

pub(crate) fn mail(
    recipient: &str,
    from_name: String,
    kind: &str,
    at: i64,
    content: &Content<'_>,
) -> Mail {
    let mut mail = Mail {
        id: Uuid::now_v7().to_string(),
        recipient: recipient.to_owned(),
        subject: content.subject.clone(),
        from_name: Some(from_name),
        from_address: None,
        kind: kind.to_owned(),
        created_at: at,
        ..Mail::default()
    };
    match content.quote_of {
        Some(message_id) => {
            mail.notice = Some(StoredNotice {
                message_id: message_id.to_owned(),
                content: StoredContent::of(content).to_json(),
                quote: String::new(),
            });
        }
        None => (mail.text_body, mail.html_body) = mail_bodies(content),
    }
    mail
}

pub(crate) fn mail_bodies(content: &Content<'_>) -> (String, Option<String>) {
    let (text, html) = render(content);
    (text, Some(html).filter(|h| !h.is_empty()))
}

/// What a notice says around its quote, as stored in the outbox (`outbox_notices.content`).
#[derive(Serialize, Deserialize)]
struct StoredContent {
    language: LanguageCode,
    subject: String,
    intro: String,
    documents: Vec<String>,
    url: String,
    handle_links: bool,
}

impl StoredContent {
    fn of(content: &Content<'_>) -> Self {
        Self {
            language: content.language,
            subject: content.subject.clone(),
            intro: content.intro.clone(),
            documents: content.documents.to_vec(),
            url: content.url.clone(),
            handle_links: content.handle_links,
        }
    }

    fn to_json(&self) -> String {
        // Strings, a bool and a language code: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Makes a notice the digest of `count` new messages (its own, the newest, and those gathered
/// since the last mail of the conversation): its intro says how many, before the newest.
pub(crate) fn gathered(mail: &mut Mail, count: i64) {
    let Some(notice) = &mut mail.notice else {
        return;
    };
    let Ok(mut stored) = serde_json::from_str::<StoredContent>(&notice.content) else {
        return;
    };
    let line = if french(stored.language) {
        format!("{count} nouveaux messages dans cette conversation ; le plus récent :")
    } else {
        format!("{count} new messages in this conversation; the latest:")
    };
    stored.intro = format!("{line}\n\n{}", stored.intro);
    notice.content = stored.to_json();
}

/// Renders the bodies of a mail queued by reference to the message it quotes (see
/// [`Content::quote_of`]); other mails are left as they are.
pub(crate) fn render_stored(mail: &mut Mail) -> Result<(), serde_json::Error> {
    let Some(notice) = &mail.notice else {
        return Ok(());
    };
    let stored: StoredContent = serde_json::from_str(&notice.content)?;
    let content = Content {
        language: stored.language,
        subject: stored.subject,
        intro: stored.intro,
        quote: &notice.quote,
        quote_of: None,
        documents: &stored.documents,
        url: stored.url,
        handle_links: stored.handle_links,
    };
    (mail.text_body, mail.html_body) = mail_bodies(&content);
    Ok(())
}

/// A seller wrote: the buyer hears from the seller's organization.
pub(crate) fn seller_message_to_buyer(
    settings: &Settings,
    conversation: &Conversation<'_>,
    message: &NewMessage<'_>,
    at: i64,
) -> Notice {
    let buyer = conversation.buyer;
    let fr = french(buyer.language);
    let content = Content {
        language: buyer.language,
        subject: match (message.quote, fr) {
            (true, true) => format!("Nouveau devis : {}", conversation.product),
            (true, false) => format!("New quote: {}", conversation.product),
            (false, true) => format!("Votre demande : {}", conversation.product),
            (false, false) => format!("Your request: {}", conversation.product),
        },
        intro: if message.quote {
            if fr {
                format!(
                    "{} ({}) vous a envoyé un devis. Consultez-le, acceptez-le et confirmez \
                     votre commande en ligne, dans votre espace sécurisé :",
                    message.author_name, conversation.party_name
                )
            } else {
                format!(
                    "{} ({}) sent you a quote. View it, accept it and confirm your order \
                     online, in your secure account:",
                    message.author_name, conversation.party_name
                )
            }
        } else if fr {
            format!(
                "{} ({}) vous a écrit :",
                message.author_name, conversation.party_name
            )
        } else {
            format!(
                "{} ({}) wrote to you:",
                message.author_name, conversation.party_name
            )
        },
        quote: message.body,
        quote_of: Some(&message.id),
        documents: &message.documents,
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    let kind = if message.quote {
        "new_quote"
    } else {
        "new_message"
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
    let buyer = conversation.buyer;
    let fr = french(member.language);
    let content = Content {
        language: member.language,
        subject: seller_subject(fr, buyer, conversation.product),
        intro: if fr {
            format!("{} vous a écrit :", buyer_label(buyer))
        } else {
            format!("{} wrote to you:", buyer_label(buyer))
        },
        quote: message.body,
        quote_of: Some(&message.id),
        documents: &message.documents,
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    to_member(
        conversation,
        member,
        HolderKind::Member,
        &member.id.to_string(),
        "new_message",
        at,
        &content,
    )
}

/// A new request for the member who handles it.
pub(crate) fn new_request_to_member(
    settings: &Settings,
    conversation: &Conversation<'_>,
    request_text: &str,
    member: &Member,
    at: i64,
) -> Notice {
    let buyer = conversation.buyer;
    let fr = french(member.language);
    let country = buyer.country.as_str();
    let content = Content {
        language: member.language,
        subject: seller_subject(fr, buyer, conversation.product),
        intro: if fr {
            format!(
                "Nouvelle demande de {} ({country}) sur {} :",
                buyer_label(buyer),
                conversation.product
            )
        } else {
            format!(
                "New request from {} ({country}) about {}:",
                buyer_label(buyer),
                conversation.product
            )
        },
        quote: request_text,
        quote_of: None,
        documents: &[],
        url: request_url(settings, &conversation.request_id),
        handle_links: true,
    };
    to_member(
        conversation,
        member,
        HolderKind::Member,
        &member.id.to_string(),
        "new_request",
        at,
        &content,
    )
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
    let fr = french(recipient.language);
    let other = match recipient.holder_kind {
        HolderKind::Buyer => conversation.party_name.to_owned(),
        _ => buyer_label(conversation.buyer),
    };
    let content = Content {
        language: recipient.language,
        subject: if fr {
            format!("Copie : {}", conversation.product)
        } else {
            format!("Copy: {}", conversation.product)
        },
        intro: if fr {
            format!("Message de {} à {other} :", message.author_name)
        } else {
            format!("Message from {} to {other}:", message.author_name)
        },
        quote: message.body,
        quote_of: Some(&message.id),
        documents: &message.documents,
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

/// Who gets a copy.
pub(crate) struct Recipient<'a> {
    pub holder_kind: HolderKind,
    pub holder_id: &'a str,
    pub email: &'a str,
    pub language: LanguageCode,
}

pub(crate) fn to_member(
    conversation: &Conversation<'_>,
    member: &Member,
    holder_kind: HolderKind,
    holder_id: &str,
    kind: &str,
    at: i64,
    content: &Content<'_>,
) -> Notice {
    Notice {
        thread_id: conversation.thread_id.clone(),
        request_id: conversation.request_id.clone(),
        holder_kind,
        holder_id: holder_id.to_owned(),
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

pub(crate) fn seller_subject(fr: bool, buyer: &Buyer, product: &str) -> String {
    if fr {
        format!("Demande de {} : {product}", buyer_label(buyer))
    } else {
        format!("Request from {}: {product}", buyer_label(buyer))
    }
}

/// "Ana Silva (Acme)": the name sellers know a buyer by; never the address.
pub(crate) fn buyer_label(buyer: &Buyer) -> String {
    match &buyer.company {
        Some(company) => format!("{} ({company})", buyer.name),
        None => buyer.name.clone(),
    }
}
