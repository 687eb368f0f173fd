//! The emails of the sales network: a request forwarded to someone or copied to them (with a
//! sign-in link, from their masked address so a reply lands in the thread they were given), and
//! the polite notice a buyer may get when a seller declines.

use parley_domain::Member;
use parley_store::relay::HolderKind;

use crate::Settings;
use crate::notify::{
    Content, Conversation, Notice, buyer_label, french, request_url, seller_subject, to_buyer,
    to_member,
};

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
    let buyer = conversation.buyer;
    let fr = french(member.language);
    let label = buyer_label(buyer);
    let mut intro = match (handover, fr) {
        (Handover::Forwarded { by, .. }, true) => format!(
            "{by} ({}) vous a transféré la demande de {label} sur {} : c'est à vous d'y répondre.",
            conversation.party_name, conversation.product
        ),
        (Handover::Forwarded { by, .. }, false) => format!(
            "{by} ({}) forwarded you the request of {label} about {}: you are now the person \
             who answers it.",
            conversation.party_name, conversation.product
        ),
        (Handover::Copied { by }, true) => format!(
            "{by} vous a mis en copie de la demande de {label} sur {} ({}). Vous pouvez \
             répondre à l'acheteur.",
            conversation.product, conversation.party_name
        ),
        (Handover::Copied { by }, false) => format!(
            "{by} put you in copy of the request of {label} about {} ({}). You may answer the \
             buyer.",
            conversation.product, conversation.party_name
        ),
    };
    if let Handover::Forwarded { note, .. } = handover
        && !note.trim().is_empty()
    {
        intro.push_str(if fr { "\n\nNote : " } else { "\n\nNote: " });
        intro.push_str(note.trim());
    }
    let base = settings.public_url.as_deref().unwrap_or_default();
    let sign_in = format!("{base}/signin/{sign_in_token}");
    intro.push_str(&if fr {
        format!("\n\nConnexion (lien valable 7 jours, une fois) : {sign_in}")
    } else {
        format!("\n\nSign in (link valid once, for 7 days): {sign_in}")
    });
    let content = Content {
        language: member.language,
        subject: seller_subject(fr, buyer, conversation.product),
        intro,
        quote: request_text,
        quote_of: None,
        documents: &[],
        url: request_url(settings, &conversation.request_id),
        handle_links: matches!(handover, Handover::Forwarded { .. }),
    };
    let kind = match handover {
        Handover::Forwarded { .. } => "request_forwarded",
        Handover::Copied { .. } => "request_copied",
    };
    to_member(
        conversation,
        member,
        HolderKind::Member,
        &member.id.to_string(),
        kind,
        at,
        &content,
    )
}

/// The notice a buyer gets when a seller declines: polite, and never the reason.
pub(crate) fn declined_to_buyer(
    settings: &Settings,
    conversation: &Conversation<'_>,
    at: i64,
) -> Notice {
    let buyer = conversation.buyer;
    let fr = french(buyer.language);
    let content = Content {
        language: buyer.language,
        subject: if fr {
            format!("Votre demande : {}", conversation.product)
        } else {
            format!("Your request: {}", conversation.product)
        },
        intro: if fr {
            format!(
                "Merci pour votre demande sur {}. {} n'est pas en mesure d'y donner suite. \
                 Nous vous souhaitons de trouver rapidement ce que vous cherchez.",
                conversation.product, conversation.party_name
            )
        } else {
            format!(
                "Thank you for your request about {}. {} is unable to follow up on it. We hope \
                 you find what you are looking for soon.",
                conversation.product, conversation.party_name
            )
        },
        quote: "",
        quote_of: None,
        documents: &[],
        url: request_url(settings, &conversation.request_id),
        handle_links: false,
    };
    to_buyer(conversation, "request_declined", at, &content)
}
