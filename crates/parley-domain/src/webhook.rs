//! What a marketplace hears of its requests through its webhooks (Standard Webhooks): the event
//! types and their payloads, made from the history events. Payloads carry ids, statuses and
//! times, never message text, documents, private reasons or the buyer's contact details.

use serde_json::{Value, json};

use crate::{DeclineReason, Event, EventKind, OrganizationId, RequestId, Timestamp};

/// Every event type a webhook may subscribe to.
pub const EVENT_TYPES: &[&str] = &[
    "request.created",
    "request.routed",
    "request.first_response",
    "request.forwarded",
    "request.declined",
    "request.spam_reported",
    "request.won",
    "request.lost",
    "quote.sent",
    "quote.accepted",
    "quote.declined",
    "order.paid",
    "order.confirmed",
    "review.created",
];

/// One event as a marketplace hears it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The message id (`webhook-id`): the history event's, the same on every retry.
    pub id: String,
    pub request_id: RequestId,
    /// One of [`EVENT_TYPES`].
    pub event_type: &'static str,
    pub at: Timestamp,
    /// The payload's `data`.
    pub data: Value,
}

impl WebhookEvent {
    /// The webhook event a history event makes, if any.
    #[must_use]
    pub fn of_event(event: &Event) -> Option<Self> {
        let party = event.party.map(|p| p.to_string());
        let mut data = json!({ "request_id": event.request_id.to_string(), "party_id": party });
        let quote_id = || event.data.get("quote_id").cloned().unwrap_or(Value::Null);
        let event_type = match event.kind {
            EventKind::RequestCreated => "request.created",
            EventKind::RequestRouted => "request.routed",
            EventKind::RequestForwarded => {
                data["routed"] = json!(event.data.get("routed").is_some());
                "request.forwarded"
            }
            EventKind::RequestDeclined => {
                let spam = event.data.get("reason").and_then(Value::as_str)
                    == Some(DeclineReason::Spam.as_str());
                if spam {
                    "request.spam_reported"
                } else {
                    "request.declined"
                }
            }
            EventKind::OutcomeMarked => match event.data.get("outcome").and_then(Value::as_str) {
                Some("won") => "request.won",
                Some("lost") => "request.lost",
                _ => return None,
            },
            EventKind::QuoteSent => {
                data["quote_id"] = quote_id();
                data["version"] = event.data.get("version").cloned().unwrap_or(Value::Null);
                "quote.sent"
            }
            EventKind::QuoteAccepted | EventKind::QuoteDeclined => {
                data["quote_id"] = quote_id();
                if event.kind == EventKind::QuoteAccepted {
                    "quote.accepted"
                } else {
                    "quote.declined"
                }
            }
            EventKind::PaymentReceived => {
                data["quote_id"] = quote_id();
                "order.paid"
            }
            EventKind::OrderConfirmed => {
                data["quote_id"] = quote_id();
                data["paid_online"] = event
                    .data
                    .get("paid_online")
                    .cloned()
                    .unwrap_or(json!(false));
                "order.confirmed"
            }
            EventKind::ReviewLeft => {
                data["rating"] = event.data.get("rating").cloned().unwrap_or(Value::Null);
                "review.created"
            }
            _ => return None,
        };
        data["occurred_at"] = json!(event.created_at.to_rfc3339());
        Some(Self {
            id: format!("msg_{}", event.id),
            request_id: event.request_id,
            event_type,
            at: event.created_at,
            data,
        })
    }

    /// The first answer of a seller to the request, `response` after it arrived.
    #[must_use]
    pub fn first_response(
        message: impl std::fmt::Display,
        request_id: RequestId,
        party: OrganizationId,
        (request_created_at, at): (Timestamp, Timestamp),
    ) -> Self {
        let seconds = (at.0 - request_created_at.0).max(0) / 1000;
        Self {
            id: format!("msg_{message}"),
            request_id,
            event_type: "request.first_response",
            at,
            data: json!({
                "request_id": request_id.to_string(),
                "party_id": party.to_string(),
                "occurred_at": at.to_rfc3339(),
                "response_time_seconds": seconds,
            }),
        }
    }

    /// The body sent: `{"type", "timestamp", "data"}` as Standard Webhooks suggests.
    #[must_use]
    pub fn body(&self) -> String {
        json!({ "type": self.event_type, "timestamp": self.at.to_rfc3339(), "data": self.data })
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, AuthorKind, EventId};

    fn event(kind: EventKind, data: Value) -> Event {
        Event {
            id: EventId::new(),
            request_id: RequestId::new(),
            party: Some(OrganizationId::new()),
            kind,
            audience: kind.audience(),
            actor: Actor {
                kind: AuthorKind::Member,
                id: None,
                name: "Jonas".to_owned(),
            },
            data,
            created_at: Timestamp(1_700_000_000_000),
        }
    }

    #[test]
    fn a_spam_decline_is_reported_as_spam_and_the_reason_stays_private() {
        let declined = event(
            EventKind::RequestDeclined,
            json!({ "reason": "spam", "note": "a private note" }),
        );
        let hook = WebhookEvent::of_event(&declined).expect("test value");
        assert_eq!(hook.event_type, "request.spam_reported");
        assert!(!hook.body().contains("private"));
        let other = event(
            EventKind::RequestDeclined,
            json!({ "reason": "out_of_stock", "note": "n" }),
        );
        let hook = WebhookEvent::of_event(&other).expect("test value");
        assert_eq!(hook.event_type, "request.declined");
        assert!(!hook.body().contains("out_of_stock"));
    }

    #[test]
    fn conversation_events_make_no_webhook_and_every_type_is_listed() {
        assert!(WebhookEvent::of_event(&event(EventKind::MessageSent, json!({}))).is_none());
        let review = event(
            EventKind::ReviewLeft,
            json!({ "rating": 4, "comment": "secret" }),
        );
        let hook = WebhookEvent::of_event(&review).expect("test value");
        assert!(EVENT_TYPES.contains(&hook.event_type));
        assert!(!hook.body().contains("secret"));
        assert_eq!(hook.data["rating"], 4);
    }
}
