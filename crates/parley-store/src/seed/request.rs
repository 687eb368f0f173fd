//! The rows of one request, as its history would have left them.

use parley_domain::{EventId, MessageId, RequestId, ThreadId};
use serde_json::json;

use super::Maker;
use super::people::{Buyer, Random};
use super::rows::{Rows, int, maybe_int, maybe_text, text};
use super::texts::{reply_text, request_text};
use crate::statement::Param;

/// An event row (`party` None: the request's own).
fn event(
    rows: &mut Rows,
    request: RequestId,
    party: Option<String>,
    kind: parley_domain::EventKind,
    actor: (&str, Option<&str>, &str),
    data: serde_json::Value,
    at: i64,
) {
    rows.add(
        "events",
        vec![
            text(EventId::new().to_string()),
            text(request.to_string()),
            Param::from(party),
            text(kind.as_str()),
            text(kind.audience().as_str()),
            text(actor.0),
            maybe_text(actor.1),
            text(actor.2),
            text(data.to_string()),
            int(at),
        ],
    );
}

/// One request as its history would have left it: received, routed to the distributor whose
/// territory has the buyer's country, then (mostly) answered with `messages` messages each
/// way in turn, declined (a quarter of those as spam), won or lost — or still new.
pub(super) fn request(
    rows: &mut Rows,
    random: &mut Random,
    (maker, buyer, marketplace): (&Maker, &Buyer, &(String, String)),
    (at, now): (i64, i64),
    words_key: i64,
    messages: u32,
) {
    use parley_domain::EventKind;
    let id = RequestId::new();
    let (product_id, product, reference) =
        &maker.products[random.below(maker.products.len() as i64) as usize];
    let routed = maker
        .network
        .iter()
        .find(|d| d.territory.contains(&buyer.country));
    let (party, handler) = match routed {
        Some(d) => (d.id.to_string(), &d.member),
        None => (maker.id.to_string(), &maker.sales),
    };
    let hour = 3_600_000;
    let first_answer = at + hour / 4 + random.below(48 * hour);
    let end = first_answer + (i64::from(messages) + 10) * hour;
    // What would have happened after now has not happened yet: the request is still new.
    let fate = if end < now { random.below(100) } else { 0 };
    let (answered, declined, outcome) = match fate {
        0..30 => (false, None, None),
        30..70 => (true, None, None),
        70..75 => (false, Some("spam"), None),
        75..85 => (false, Some("not_interested"), None),
        85..93 => (true, None, Some("won")),
        _ => (true, None, Some("lost")),
    };
    let answered_at = (answered && messages > 0).then_some(first_answer);
    let message = request_text(random, buyer, product);
    rows.add(
        "requests",
        vec![
            text(id.to_string()),
            text(marketplace.0.clone()),
            text(buyer.id.clone()),
            text(product_id.to_string()),
            text(maker.id.to_string()),
            text(message.clone()),
            text(buyer.language),
            text(handler.id.to_string()),
            text(if answered_at.is_some() {
                "answered"
            } else {
                "new"
            }),
            int(at),
            maybe_int(answered_at),
            text(buyer.name.clone()),
            maybe_text(buyer.company.as_deref()),
            text(buyer.country),
            int(words_key),
        ],
    );
    rows.add(
        "request_words",
        vec![
            int(words_key),
            text(parley_domain::search::request_words(
                &buyer.name,
                buyer.company.as_deref(),
                &buyer.email,
                product,
                reference,
                &message,
            )),
        ],
    );
    let buyer_actor = ("buyer", Some(buyer.id.as_str()), buyer.name.as_str());
    event(
        rows,
        id,
        None,
        EventKind::RequestCreated,
        buyer_actor,
        json!({ "marketplace": marketplace.1, "product": product }),
        at,
    );
    let mut parties = vec![maker.id.to_string()];
    if let Some(distributor) = routed {
        parties.push(distributor.id.to_string());
        event(
            rows,
            id,
            Some(distributor.id.to_string()),
            EventKind::RequestRouted,
            ("system", None, "Parley"),
            json!({ "to": distributor.name, "kind": "distributor", "country": buyer.country,
                    "rule": "territory", "handler": distributor.member.name }),
            at,
        );
    }
    for org in &parties {
        let handling = *org == party;
        let thread = ThreadId::new();
        rows.add(
            "threads",
            vec![
                text(thread.to_string()),
                text(id.to_string()),
                text(org.clone()),
                int(at),
                maybe_int(answered_at.filter(|_| handling)),
                maybe_int(declined.filter(|_| handling).map(|_| first_answer)),
                maybe_text(declined.filter(|_| handling)),
                maybe_text(outcome.filter(|_| handling)),
                maybe_int(outcome.filter(|_| handling).map(|_| end)),
                int(at),
                text(marketplace.0.clone()),
                text(product_id.to_string()),
                text(buyer.country),
                // The ratings count the distributor's thread, else the manufacturer's.
                Param::from((*org != parties[0] || parties.len() == 1).then(|| parties[0].clone())),
            ],
        );
        if !handling {
            continue;
        }
        let handler_id = handler.id.to_string();
        let seller = ("member", Some(handler_id.as_str()), handler.name.as_str());
        if let Some(reason) = declined {
            event(
                rows,
                id,
                Some(org.clone()),
                EventKind::RequestDeclined,
                seller,
                json!({ "reason": reason, "note": null, "buyer_notified": false }),
                first_answer,
            );
        }
        if answered_at.is_some() {
            event(
                rows,
                id,
                Some(org.clone()),
                EventKind::BuyerContacted,
                seller,
                json!({}),
                first_answer,
            );
            for n in 0..messages {
                let from_seller = n % 2 == 0;
                let written = first_answer + i64::from(n) * hour;
                let message = MessageId::new();
                let (author, email) = if from_seller {
                    (seller, handler.email.clone())
                } else {
                    (buyer_actor, buyer.email.clone())
                };
                rows.add(
                    "messages",
                    vec![
                        text(message.to_string()),
                        text(thread.to_string()),
                        text(id.to_string()),
                        text(author.0),
                        text(author.1.unwrap_or_default()),
                        text(email),
                        text("[]"),
                        text(reply_text(random, from_seller, product)),
                        text(buyer.language),
                        text("web"),
                        int(written),
                        int(written + hour / 2),
                    ],
                );
                event(
                    rows,
                    id,
                    Some(org.clone()),
                    EventKind::MessageSent,
                    author,
                    json!({ "message_id": message, "channel": "web", "documents": [] }),
                    written,
                );
            }
        }
        if let Some(outcome) = outcome {
            event(
                rows,
                id,
                Some(org.clone()),
                EventKind::OutcomeMarked,
                seller,
                json!({ "outcome": outcome }),
                end,
            );
        }
    }
}
