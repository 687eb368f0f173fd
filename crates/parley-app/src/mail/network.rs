//! The emails of the sales network: a request forwarded to someone or copied to them (with a
//! sign-in link, from their masked address so a reply lands in the thread they were given), and
//! the polite notice a buyer may get when a seller declines.

use parley_domain::Member;

use super::conversation::{Conversation, Notice, buyer_label, seller_subject, to_buyer, to_member};
use super::notice::{Content, request_url};
use crate::Settings;
use crate::i18n::Words;

/// How the recipient came to the request.
pub(crate) enum Handover<'a> {
    /// Forwarded by `by`, with an optional note: they now handle the request.
    Forwarded { by: &'a str, note: &'a str },
    /// Put in copy by `by` (or by the network's settings, for automatic copies).
    Copied { by: &'a str },
}

/// The request, handed over to `member`, with a sign-in link valid for a week.
pub(crate) fn handed_over(
    settings: &Settings,
    conversation: &Conversation<'_>,
    request_text: &str,
    handover: &Handover<'_>,
    member: &Member,
    sign_in_token: &str,
    at: i64,
) -> Notice {
    let words = Words::of(member.language);
    let buyer = buyer_label(conversation.buyer);
    let (key, by) = match handover {
        Handover::Forwarded { by, .. } => ("mail-intro-forwarded", by),
        Handover::Copied { by } => ("mail-intro-copied", by),
    };
    let mut intro = words.with(
        key,
        &[
            ("by", by),
            ("party", conversation.party_name),
            ("buyer", &buyer),
            ("product", conversation.product),
        ],
    );
    if let Handover::Forwarded { note, .. } = handover
        && !note.trim().is_empty()
    {
        intro.push_str("\n\n");
        intro.push_str(&words.with("mail-note", &[("note", note.trim())]));
    }
    let base = settings.public_url.as_deref().unwrap_or_default();
    let sign_in = format!("{base}/signin/{sign_in_token}");
    intro.push_str("\n\n");
    intro.push_str(&words.with("mail-sign-in-week", &[("url", &sign_in)]));
    let content = Content {
        language: member.language,
        subject: seller_subject(&words, conversation.buyer, conversation.product),
        intro,
        quote: request_text,
        quote_of: None,
        documents: Vec::new(),
        url: request_url(settings, &conversation.request_id),
        handle_links: matches!(handover, Handover::Forwarded { .. }),
    };
    let kind = match handover {
        Handover::Forwarded { .. } => "request_forwarded",
        Handover::Copied { .. } => "request_copied",
    };
    to_member(conversation, member, kind, at, &content)
}

/// The notice a buyer gets when a seller declines: polite, and never the reason.
pub(crate) fn declined_to_buyer(
    settings: &Settings,
    conversation: &Conversation<'_>,
    at: i64,
) -> Notice {
    let buyer = conversation.buyer;
    let words = Words::of(buyer.language);
    let content = Content {
        language: buyer.language,
        subject: words.with(
            "mail-subject-your-request",
            &[("product", conversation.product)],
        ),
        intro: words.with(
            "mail-intro-declined",
            &[
                ("product", conversation.product),
                ("party", conversation.party_name),
            ],
        ),
        quote: "",
        quote_of: None,
        documents: Vec::new(),
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    to_buyer(conversation, "request_declined", at, &content)
}
