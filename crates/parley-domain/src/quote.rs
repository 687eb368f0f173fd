//! Quotes (guide section 3): a PDF, and when the seller offers online payment, its terms —
//! amount, optional shipping and tax lines in the same currency, validity, reference and
//! description — parsed once at the edge. A new quote in a thread supersedes the previous one.

use crate::entities::Timestamp;
use crate::message::FieldError;
use crate::money::{Currency, Money};

/// The terms as a form or the API sends them (text, as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteInput {
    pub amount: String,
    pub currency: String,
    /// `YYYY-MM-DD`: the last day the quote can be accepted.
    pub valid_until: String,
    pub reference: String,
    pub description: String,
    pub shipping: String,
    pub tax: String,
}

/// Parsed terms of a quote with online payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteTerms {
    pub amount: Money,
    pub shipping: Option<Money>,
    pub tax: Option<Money>,
    /// The end of the last valid day (UTC).
    pub valid_until: Timestamp,
    pub reference: String,
    pub description: String,
}

const DAY_MS: i64 = 86_400_000;

/// A quote as stored: its document, version, status, and terms when online payment is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub id: crate::ids::QuoteId,
    pub request_id: crate::ids::RequestId,
    pub thread_id: crate::ids::ThreadId,
    pub message_id: crate::ids::MessageId,
    pub document_id: crate::ids::DocumentId,
    pub version: i64,
    pub status: QuoteStatus,
    /// Present when the seller enabled online payment.
    pub terms: Option<QuoteTerms>,
    pub decided_at: Option<Timestamp>,
    pub decision_comment: Option<String>,
    pub created_at: Timestamp,
}

impl Quote {
    /// Whether it can no longer be accepted because its validity is over.
    #[must_use]
    pub fn expired(&self, now: Timestamp) -> bool {
        self.terms.as_ref().is_some_and(|t| now > t.valid_until)
    }
}

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteStatus {
    /// Awaiting the buyer's answer.
    Sent,
    /// A newer quote replaced it in the thread.
    Superseded,
    Accepted,
    Declined,
}

impl QuoteStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Superseded => "superseded",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Result<Self, crate::kinds::UnknownVariant> {
        Ok(match text {
            "sent" => Self::Sent,
            "superseded" => Self::Superseded,
            "accepted" => Self::Accepted,
            "declined" => Self::Declined,
            other => {
                return Err(crate::kinds::UnknownVariant {
                    kind: "quote status",
                    value: other.to_owned(),
                });
            }
        })
    }
}

fn error(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

impl QuoteTerms {
    /// Parses the terms, reporting every bad field at once. `today` is now: a validity date in
    /// the past is refused.
    pub fn parse(input: &QuoteInput, today: Timestamp) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let currency = Currency::parse(&input.currency)
            .map_err(|e| errors.push(error("quote.currency", "currency_invalid", e.to_string())))
            .ok();
        let mut money = |field: &str, text: &str, required: bool| -> Option<Money> {
            let currency = currency?;
            if text.trim().is_empty() {
                if required {
                    errors.push(error(field, "required", "Give the amount."));
                }
                return None;
            }
            Money::parse(text, currency)
                .map_err(|e| {
                    let code = match e {
                        crate::MoneyError::Ambiguous(_) => "amount_ambiguous",
                        crate::MoneyError::TooLarge => "amount_too_large",
                        _ => "amount_invalid",
                    };
                    errors.push(error(field, code, e.to_string()));
                })
                .ok()
        };
        let amount = money("quote.amount", &input.amount, true);
        let shipping = money("quote.shipping", &input.shipping, false);
        let tax = money("quote.tax", &input.tax, false);
        let valid_until = match Timestamp::parse_date(&input.valid_until) {
            Some(day) if day.0 + DAY_MS > today.0 => Some(Timestamp(day.0 + DAY_MS - 1)),
            Some(_) => {
                errors.push(error(
                    "quote.valid_until",
                    "date_past",
                    "The validity date is in the past.",
                ));
                None
            }
            None => {
                errors.push(error(
                    "quote.valid_until",
                    "date_invalid",
                    "Give the last valid day as YYYY-MM-DD.",
                ));
                None
            }
        };
        let reference = match crate::text::one_line(&input.reference, 100) {
            Ok(reference) => reference,
            Err(crate::text::TextError::Empty) => {
                errors.push(error(
                    "quote.reference",
                    "required",
                    "Give the quote's reference.",
                ));
                String::new()
            }
            Err(other) => {
                errors.push(error("quote.reference", other.code(), format!("{other}.")));
                String::new()
            }
        };
        match (amount, valid_until) {
            (Some(amount), Some(valid_until)) if errors.is_empty() => Ok(Self {
                amount,
                shipping,
                tax,
                valid_until,
                reference,
                description: input.description.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }

    /// Amount + shipping + tax: exact (each line is at most `MAX_MAJOR_UNITS`, so the sum
    /// cannot overflow; the lines share the quote's currency).
    #[must_use]
    pub fn total(&self) -> Money {
        let minor = [Some(self.amount), self.shipping, self.tax]
            .into_iter()
            .flatten()
            .map(Money::minor)
            .sum();
        Money::from_minor(minor, self.amount.currency())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> QuoteInput {
        QuoteInput {
            amount: "1 200,00".into(),
            currency: "EUR".into(),
            valid_until: "2026-12-31".into(),
            reference: "Q-2026-042".into(),
            description: "Two HT-200 pumps".into(),
            shipping: "80".into(),
            tax: "256,00".into(),
        }
    }

    #[test]
    fn terms_parse_and_total_exactly() {
        let today = Timestamp::parse_date("2026-11-27").expect("day");
        let terms = QuoteTerms::parse(&input(), today).expect("valid");
        assert_eq!(terms.total().to_string(), "1,536.00 EUR");
        assert_eq!(terms.reference, "Q-2026-042");
        // Valid through the whole last day.
        let last_day = Timestamp::parse_date("2026-12-31").expect("day");
        assert_eq!(terms.valid_until.0, last_day.0 + DAY_MS - 1);
    }

    #[test]
    fn a_quote_expires_after_its_last_day() {
        let today = Timestamp::parse_date("2026-11-27").expect("day");
        let terms = QuoteTerms::parse(&input(), today).expect("valid");
        let quote = Quote {
            id: crate::ids::QuoteId::new(),
            request_id: crate::ids::RequestId::new(),
            thread_id: crate::ids::ThreadId::new(),
            message_id: crate::ids::MessageId::new(),
            document_id: crate::ids::DocumentId::new(),
            version: 1,
            status: QuoteStatus::Sent,
            terms: Some(terms.clone()),
            decided_at: None,
            decision_comment: None,
            created_at: today,
        };
        assert!(!quote.expired(terms.valid_until));
        assert!(quote.expired(Timestamp(terms.valid_until.0 + 1)));
        let plain = Quote {
            terms: None,
            ..quote
        };
        assert!(!plain.expired(Timestamp(i64::MAX)), "no terms, no expiry");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let today = Timestamp::parse_date("2026-11-27").expect("day");
        let bad = QuoteInput {
            amount: "lots".into(),
            valid_until: "2026-11-01".into(),
            reference: " ".into(),
            tax: "1.2.3,4,5".into(),
            ..input()
        };
        let errors = QuoteTerms::parse(&bad, today).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "quote.amount",
                "quote.tax",
                "quote.valid_until",
                "quote.reference"
            ]
        );
        let no_currency = QuoteInput {
            currency: "XXX".into(),
            ..input()
        };
        let errors = QuoteTerms::parse(&no_currency, today).expect_err("invalid");
        assert_eq!(errors[0].code, "currency_invalid");
    }
}
