//! The shape every conversation email shares: an intro, the message or request it carries, its
//! documents, the link to the request page (and, for a request to handle, *Forward* and
//! *Decline*), and the footer saying a reply by email lands in the conversation — as plain text
//! and as phone-ready HTML, in the recipient's language.
//!
//! A notice that quotes a message stores the message's id rather than its rendered bodies, and
//! is rendered when read ([`render_stored`]): a message notifying many people is stored once.

use askama::Template;
use parley_domain::LanguageCode;
use parley_store::outbox::{Mail, StoredNotice};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Settings;
use crate::i18n::Words;

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
    handle_links: &'a [(String, String)],
    footer: &'a str,
}

/// What one notice says, in `language`.
pub(crate) struct Content<'a> {
    pub language: LanguageCode,
    pub subject: String,
    pub intro: String,
    pub quote: &'a str,
    /// The message `quote` is the body of: the mail then stores this id rather than the
    /// rendered bodies, and is rendered when read ([`render_stored`]).
    pub quote_of: Option<&'a str>,
    /// The documents' lines, in `language` (see [`document_lines`]).
    pub documents: Vec<String>,
    /// The request page; empty for a mail that only informs (an automatic copy): no link, no
    /// invitation to answer.
    pub url: String,
    /// Show "Forward" and "Decline" (guide sections 4 and 5: buttons in the request's email).
    pub handle_links: bool,
}

/// A message's documents as a notice lists them: a quote says it is one.
pub(crate) fn document_lines(words: &Words, documents: &[parley_domain::Document]) -> Vec<String> {
    documents
        .iter()
        .map(|document| match document.kind {
            parley_domain::DocumentKind::Quote => {
                words.with("mail-quote-document", &[("name", &document.filename)])
            }
            parley_domain::DocumentKind::Other => document.filename.clone(),
        })
        .collect()
}

fn render(content: &Content<'_>) -> (String, String) {
    let words = Words::of(content.language);
    let documents_label = words.t("mail-documents");
    // The guide's button: "Répondre" opens the request page, where the answer is written.
    let action = words.t("mail-reply");
    let footer = words.t("mail-footer");
    let mut text = format!("{}\n\n", content.intro);
    if !content.quote.is_empty() {
        text.push_str(content.quote.trim_end());
        text.push_str("\n\n");
    }
    if !content.documents.is_empty() {
        text.push_str(&documents_label);
        text.push('\n');
        for document in &content.documents {
            text.push_str(&format!("- {document}\n"));
        }
        text.push('\n');
    }
    let handle_links: Vec<(String, String)> = if content.handle_links && !content.url.is_empty() {
        vec![
            (
                words.t("mail-forward"),
                format!("{}?open=forward#handle", content.url),
            ),
            (
                words.t("mail-decline"),
                format!("{}?open=decline#handle", content.url),
            ),
        ]
    } else {
        Vec::new()
    };
    // An informational mail (an automatic copy) has no link and nothing to answer.
    if !content.url.is_empty() {
        text.push_str(&format!("{action}: {}\n", content.url));
        for (label, link) in &handle_links {
            text.push_str(&format!("{label}: {link}\n"));
        }
        text.push_str(&format!("\n-- \n{footer}\n"));
    }
    let html = NoticeHtml {
        lang: content.language.code(),
        subject: &content.subject,
        intro: &content.intro,
        quote: content.quote,
        documents_label: &documents_label,
        documents: &content.documents,
        action: &action,
        url: &content.url,
        handle_links: &handle_links,
        footer: &footer,
    }
    .render()
    // The template has no fallible filters; should rendering ever fail, the text part stands.
    .unwrap_or_default();
    (text, html)
}

pub(crate) fn request_url(settings: &Settings, request_id: &str) -> String {
    let base = settings.public_url.as_deref().unwrap_or_default();
    format!("{base}/requests/{request_id}")
}

/// The mail of `content` to `recipient`, from a display name; its sending address is the
/// recipient's masked address, set when it is queued (see `relay`).
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
            documents: content.documents.clone(),
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
    let line = Words::of(stored.language).with("mail-gathered", &[("count", &count.to_string())]);
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
        documents: stored.documents,
        url: stored.url,
        handle_links: stored.handle_links,
    };
    (mail.text_body, mail.html_body) = mail_bodies(&content);
    Ok(())
}
