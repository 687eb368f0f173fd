//! Plain-text mails from Parley's own address, in the recipient's language: the sign-in link,
//! the notices about an emailed reply (attachments set aside, a reply held), the reminders, and
//! the order confirmation for the sellers.

use parley_domain::LanguageCode;
use parley_store::outbox::Mail;
use uuid::Uuid;

use crate::i18n::Words;
use crate::{Caller, Settings};

fn recipient_of(caller: &Caller) -> (String, String, LanguageCode) {
    match caller {
        Caller::Member(member) => (
            member.email.to_string(),
            member.name.clone(),
            member.language,
        ),
        Caller::Buyer(buyer) => (buyer.email.to_string(), buyer.name.clone(), buyer.language),
        Caller::Marketplace(marketplace) => {
            (String::new(), marketplace.name.clone(), LanguageCode::En)
        }
    }
}

/// A plain-text mail from Parley's own address.
fn plain_mail(
    recipient: String,
    (subject, text_body): (String, String),
    kind: &str,
    at: i64,
) -> Mail {
    Mail {
        id: Uuid::now_v7().to_string(),
        recipient,
        subject,
        text_body,
        kind: kind.to_owned(),
        created_at: at,
        ..Mail::default()
    }
}

/// Paragraphs, each followed by a blank line but the last (a URL alone on its line after the
/// paragraph that introduces it).
fn paragraphs(parts: &[String]) -> String {
    let mut text = parts.join("\n\n");
    text.push('\n');
    text
}

/// The sign-in link email.
pub(crate) fn sign_in_link(settings: &Settings, caller: &Caller, token: &str, at: i64) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/signin/{token}");
    let (recipient, name, language) = recipient_of(caller);
    let words = Words::of(language);
    let text = paragraphs(&[
        words.with("mail-hello", &[("name", &name)]),
        format!("{}\n{url}", words.t("mail-sign-in-body")),
        words.t("mail-sign-in-ignore"),
    ]);
    plain_mail(
        recipient,
        (words.t("mail-sign-in-subject"), text),
        "sign_in_link",
        at,
    )
}

/// The one notice an emailed reply's sender gets when some of its attachments were not passed
/// on (only PDF documents are): the reply itself was delivered.
pub(crate) fn attachments_set_aside(caller: &Caller, names: &[String], at: i64) -> Mail {
    let (recipient, _, language) = recipient_of(caller);
    let words = Words::of(language);
    let list: String = names.iter().map(|name| format!("- {name}\n")).collect();
    let text = format!(
        "{}\n{list}\n{}\n",
        words.t("mail-attachments-body"),
        words.t("mail-attachments-hint")
    );
    plain_mail(
        recipient,
        (words.t("mail-attachments-subject"), text),
        "attachments_set_aside",
        at,
    )
}

/// The notice to the holder of a masked address that a reply sent as them was held: its
/// sender could not be verified. They release it if it was theirs (the link), or delete it.
pub(crate) fn reply_held(settings: &Settings, caller: &Caller, request: &str, at: i64) -> Mail {
    let (recipient, _, language) = recipient_of(caller);
    let words = Words::of(language);
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/requests/{request}");
    let text = paragraphs(&[
        words.t("mail-held-body"),
        format!("{}\n{url}", words.t("mail-held-action")),
    ]);
    plain_mail(
        recipient,
        (words.t("mail-held-subject"), text),
        "reply_held",
        at,
    )
}

/// The reminder to a buyer that a seller answered, with a one-time link to the request.
pub(crate) fn reminder(
    settings: &Settings,
    buyer: &parley_domain::Buyer,
    seller: &str,
    product: &str,
    token: &str,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/signin/{token}");
    let words = Words::of(buyer.language);
    let args = [("seller", seller), ("product", product)];
    let text = paragraphs(&[
        words.with("mail-hello", &[("name", &buyer.name)]),
        format!("{}\n{url}", words.with("mail-buyer-reminder-body", &args)),
    ]);
    plain_mail(
        buyer.email.to_string(),
        (words.with("mail-buyer-reminder-subject", &args), text),
        "buyer_reminder",
        at,
    )
}

/// The automatic reminder of a request its handler has not handled yet.
pub(crate) fn handle_reminder(
    settings: &Settings,
    member: &parley_domain::Member,
    (product, company): (&str, Option<&str>),
    request: parley_domain::RequestId,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/requests/{request}");
    let words = Words::of(member.language);
    // The buyer's company, when known, beside the product: "Pump X2 (Acme)".
    let about = match company {
        Some(company) => format!("{product} ({company})"),
        None => product.to_owned(),
    };
    let text = paragraphs(&[
        words.with("mail-hello", &[("name", &member.name)]),
        format!(
            "{}\n{url}",
            words.with("mail-handle-reminder-body", &[("product", &about)])
        ),
        words.t("mail-handle-reminder-off"),
    ]);
    plain_mail(
        member.email.to_string(),
        (
            words.with("mail-handle-reminder-subject", &[("product", product)]),
            text,
        ),
        "handle_reminder",
        at,
    )
}

/// The automatic reminder to a buyer of a quote about to expire.
pub(crate) fn quote_reminder(
    settings: &Settings,
    buyer: &parley_domain::Buyer,
    (seller, product): (&str, &str),
    valid_until: Option<parley_domain::Timestamp>,
    token: &str,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/signin/{token}");
    let words = Words::of(buyer.language);
    // A day as the buyer's language writes it (the quote is valid until the end of it, UTC).
    let day = valid_until
        .map(|t| words.date(t, &crate::i18n::Zone::utc()))
        .unwrap_or_default();
    let args = [
        ("seller", seller),
        ("product", product),
        ("day", day.as_str()),
    ];
    let text = paragraphs(&[
        words.with("mail-hello", &[("name", &buyer.name)]),
        format!("{}\n{url}", words.with("mail-quote-reminder-body", &args)),
    ]);
    plain_mail(
        buyer.email.to_string(),
        (words.with("mail-quote-reminder-subject", &args), text),
        "quote_reminder",
        at,
    )
}

/// What the sellers hear when a buyer confirms the order of their quote.
pub(crate) struct OrderConfirmed<'a> {
    pub buyer: &'a str,
    pub version: i64,
    pub paid_online: bool,
    pub billing: &'a str,
    pub delivery: &'a str,
    pub request: parley_domain::RequestId,
}

/// The order confirmation, for one member of the party that sent the quote.
pub(crate) fn order_confirmed(
    settings: &Settings,
    member: &parley_domain::Member,
    order: &OrderConfirmed<'_>,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let words = Words::of(member.language);
    let version = order.version.to_string();
    let key = if order.paid_online {
        "mail-order-body-paid"
    } else {
        "mail-order-body-offline"
    };
    let text = paragraphs(&[
        words.with(key, &[("buyer", order.buyer), ("version", &version)]),
        format!("{}\n{}", words.t("mail-order-billing"), order.billing),
        format!("{}\n{}", words.t("mail-order-delivery"), order.delivery),
        format!("{base}/requests/{}", order.request),
    ]);
    plain_mail(
        member.email.to_string(),
        (
            words.with("mail-order-subject", &[("version", &version)]),
            text,
        ),
        "order_confirmed",
        at,
    )
}
