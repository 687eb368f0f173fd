//! The history of the exchanges as the request page shows it: one item per event, the
//! messages with their documents, read receipts, emailed originals and translation pickers.

use parley_app::requests::RequestDetail;
use parley_domain::{Event, EventKind};

use super::Tr;
use super::text::linkify;

pub struct DocItem {
    pub id: String,
    pub filename: String,
    pub quote: bool,
}

pub struct HistoryItem {
    pub class: &'static str,
    pub at: String,
    pub at_text: String,
    pub actor: String,
    pub text: String,
    /// The message, escaped and with links made clickable.
    pub body: Option<String>,
    pub documents: Vec<DocItem>,
    pub read: Option<String>,
    /// For an emailed reply: the whole email (escaped, links clickable), behind a toggle.
    pub full_email: Option<String>,
    /// For an emailed reply: the message id, to open its original, and whether the reader is
    /// on the sender's side (the raw `.eml`) or the other (a readable view, addresses masked).
    pub emailed: Option<(String, bool)>,
    /// The message's id (its anchor) and the translation picker, for the other side's.
    pub message_id: String,
    pub translate: Option<super::translation::TranslateForm>,
    /// A translation asked for without htmx, rendered (escaped by its template).
    pub translation: Option<String>,
}

pub(super) fn history_item(
    tr: &Tr,
    event: &Event,
    detail: &RequestDetail,
    reader: super::translation::Reader,
) -> HistoryItem {
    let mut item = HistoryItem {
        class: "event",
        at: event.created_at.to_rfc3339(),
        at_text: tr.time(event.created_at),
        actor: event.actor.name.clone(),
        text: String::new(),
        body: None,
        documents: Vec::new(),
        read: None,
        full_email: None,
        emailed: None,
        message_id: String::new(),
        translate: None,
        translation: None,
    };
    let data = |key: &str| event.data[key].as_str().unwrap_or_default().to_owned();
    item.text = match event.kind {
        EventKind::RequestCreated => tr.t1(
            "history-request-received",
            "marketplace",
            data("marketplace"),
        ),
        EventKind::RequestRouted => tr.t1("history-routed", "to", data("to")),
        EventKind::BuyerContacted => tr.t("history-contacted"),
        EventKind::BuyerReminded => tr.t("history-reminded"),
        EventKind::MailBounced => {
            let reason = tr.t(&format!("bounce-reason-{}", data("reason")));
            let key = if data("to") == "buyer" {
                "history-bounced-buyer"
            } else {
                "history-bounced-seller"
            };
            tr.t2(key, ("reason", &reason), ("code", &data("code")))
        }
        EventKind::ReminderSent => match event.data["to"].as_str() {
            Some("buyer") => tr.t("history-reminder-quote"),
            _ => tr.t1("history-reminder-handler", "name", data("name")),
        },
        EventKind::PhoneDisplayed => tr.t("history-phone"),
        EventKind::RequestForwarded => match event.data["to_organization"].as_str() {
            Some(org) => tr.t2(
                "history-forwarded-network",
                ("to", org),
                ("email", &data("to_email")),
            ),
            None => tr.t2(
                "history-forwarded",
                ("to", &data("to_name")),
                ("email", &data("to_email")),
            ),
        },
        EventKind::CcAdded => {
            let key = if event.data["automatic"].as_bool() == Some(true) {
                "history-cc-automatic"
            } else {
                "history-cc"
            };
            tr.t1(key, "email", data("email"))
        }
        EventKind::CcRemoved => tr.t1("history-cc-removed", "email", data("email")),
        EventKind::AutomaticReplyReceived => tr.t1("history-automatic-reply", "name", data("from")),
        EventKind::RequestHandedBack => tr.t2(
            "history-request-handed-back",
            ("from", &data("from")),
            ("to", &data("to")),
        ),
        EventKind::AutomaticCopySent => tr.t1("history-automatic-copy", "email", data("email")),
        EventKind::RequestDeclined => {
            let reason = tr.t(&format!("decline-reason-{}", data("reason")));
            let note = data("note");
            if note.is_empty() {
                tr.t1("history-declined", "reason", reason)
            } else {
                tr.t1("history-declined", "reason", format!("{reason} — {note}"))
            }
        }
        EventKind::QuoteSent => match event.data["total"].as_str() {
            Some(total) => tr.t2(
                "history-quote-sent-payment",
                ("version", &event.data["version"].to_string()),
                ("total", &tr.amount(total)),
            ),
            None => tr.t1("history-quote-sent", "version", &event.data["version"]),
        },
        EventKind::PaymentReceived => tr.t1("history-paid", "amount", tr.amount(&data("amount"))),
        EventKind::OrderConfirmed => tr.t2(
            "history-ordered",
            ("billing", &data("billing")),
            ("delivery", &data("delivery")),
        ),
        EventKind::ReviewLeft => tr.t2(
            "history-review",
            ("rating", &event.data["rating"].to_string()),
            ("comment", &data("comment")),
        ),
        EventKind::QuoteAccepted => {
            tr.t1("history-quote-accepted", "version", &event.data["version"])
        }
        EventKind::QuoteDeclined => {
            tr.t1("history-quote-declined", "version", &event.data["version"])
        }
        EventKind::MessageTranslated | EventKind::BuyerTranslated => tr.t2(
            "history-translated",
            ("from", &data("from")),
            ("to", &data("to")),
        ),
        EventKind::OutcomeMarked => tr.t(&format!("history-outcome-{}", data("outcome"))),
        EventKind::MessageRead => tr.t("history-read"),
        EventKind::DocumentOpened => tr.t1("history-opened", "filename", data("filename")),
        EventKind::MessageSent => {
            item.class = "message";
            let message_id = data("message_id");
            let found = detail
                .threads
                .iter()
                .flat_map(|t| &t.messages)
                .find(|m| m.message.id.to_string() == message_id);
            if let Some(view) = found {
                item.body = Some(linkify(&view.message.body));
                item.message_id = view.message.id.to_string();
                item.translate = reader.form_for(&view.message);
                let own_side =
                    reader.buyer == (view.message.author_kind == parley_domain::AuthorKind::Buyer);
                item.emailed = view
                    .message
                    .email
                    .as_ref()
                    .map(|_| (view.message.id.to_string(), own_side));
                item.full_email = view
                    .message
                    .email
                    .as_ref()
                    .filter(|email| email.full_body.trim() != view.message.body.trim())
                    .map(|email| linkify(&email.full_body));
                item.read = view.message.read_at.map(|at| tr.time(at));
                item.documents = view
                    .documents
                    .iter()
                    .map(|d| DocItem {
                        id: d.id.to_string(),
                        filename: d.filename.clone(),
                        quote: d.kind == parley_domain::DocumentKind::Quote,
                    })
                    .collect();
            }
            tr.t("history-message")
        }
    };
    item
}
