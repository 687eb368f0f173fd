//! From an accepted quote to an order (guide sections 1 and 3): online payment through the
//! configured provider — confirmed only by its verified webhook, applied once per event — or
//! offline (bank transfer) when the seller has no online payment; the buyer's order with
//! billing and delivery details, announced to the seller. The buyer's review: `reviews`.

use parley_domain::policy::{Action, can};
use parley_domain::quote::{Quote, QuoteStatus};
use parley_domain::{EventKind, OrganizationId, QuoteId};
use parley_pay::{CheckoutRequest, PaymentError};
use parley_store::orders::{self, Order, Payment};
use parley_store::outbox::Mail;
use parley_store::{directory, events, outbox, quotes};
use serde_json::json;

use crate::events::new_event;
use crate::requests::authorize;
use crate::{App, AppError, Caller, now};

/// Where an accepted quote stands, for the buyer's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderState {
    /// Online payment is expected (terms, and a provider configured).
    pub pay_online: bool,
    pub paid: bool,
    pub ordered: bool,
}

/// What the webhook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    Applied,
    /// The same event came before (providers retry): nothing done.
    Duplicate,
    /// An event Parley does not act on.
    Ignored,
}

fn unix_seconds() -> i64 {
    now().0 / 1000
}

impl App {
    /// The quote, its party, checked for the buyer: `AnswerQuote` (the request's buyer).
    pub(crate) async fn buyers_quote(
        &self,
        caller: &Caller,
        id: QuoteId,
    ) -> Result<(Quote, OrganizationId), AppError> {
        let quote = quotes::get(&mut *self.store.read().await?, id).await?;
        let access = authorize(&self.store, caller, quote.request_id, Action::ViewRequest).await?;
        let party = access
            .threads
            .iter()
            .find(|t| t.id == quote.thread_id)
            .map(|t| t.party)
            .ok_or(AppError::NotFound)?;
        if can(
            &caller.principal(),
            Action::AnswerQuote(party),
            &access.parties,
        ) {
            Ok((quote, party))
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Where the buyer's accepted quote stands.
    pub async fn order_state(&self, quote: &Quote) -> Result<OrderState, AppError> {
        let mut conn = self.store.read().await?;
        let payment = orders::payment(&mut conn, quote.id).await?;
        let ordered = orders::ordered_quotes(&mut conn, quote.request_id)
            .await?
            .contains(&quote.id);
        Ok(OrderState {
            pay_online: quote.terms.is_some() && self.payments.is_some(),
            paid: payment.is_some_and(|p| p.paid),
            ordered,
        })
    }

    /// Whether the caller may pay this quote now: its buyer, the quote accepted (the
    /// development checkout asks before it signs a payment).
    pub async fn may_pay(&self, caller: &Caller, id: QuoteId) -> Result<(), AppError> {
        let (quote, _) = self.buyers_quote(caller, id).await?;
        if quote.status == QuoteStatus::Accepted {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Starts the online payment of an accepted quote: returns the provider's payment page.
    pub async fn start_payment(&self, caller: &Caller, id: QuoteId) -> Result<String, AppError> {
        let (quote, _) = self.buyers_quote(caller, id).await?;
        let Some(provider) = self.payments.clone() else {
            return Err(AppError::invalid(
                "quote",
                "payment_unavailable",
                "Online payment is not available: pay by bank transfer and confirm the order.",
            ));
        };
        let Some(terms) = quote.terms.clone() else {
            return Err(AppError::invalid(
                "quote",
                "payment_unavailable",
                "This quote is not payable online.",
            ));
        };
        if quote.status != QuoteStatus::Accepted {
            return Err(AppError::invalid(
                "quote",
                "quote_not_accepted",
                "Accept the quote before paying it.",
            ));
        }
        let mut conn = self.store.read().await?;
        if orders::payment(&mut conn, id)
            .await?
            .is_some_and(|p| p.paid)
        {
            return Err(AppError::Conflict("quote_paid".to_owned()));
        }
        drop(conn);
        let base = self.settings.public_url.clone().unwrap_or_default();
        let page = format!("{base}/requests/{}", quote.request_id);
        let total = terms.total();
        let buyer_email = match caller {
            Caller::Buyer(buyer) => Some(buyer.email.to_string()),
            _ => None,
        };
        let request = CheckoutRequest {
            reference: id.to_string(),
            currency: total.currency().code().to_ascii_lowercase(),
            amount_minor: total.minor(),
            description: format!("{} — {}", terms.reference, terms.description)
                .trim_end_matches(" — ")
                .to_owned(),
            success_url: format!("{page}?payment=done#quotes"),
            cancel_url: format!("{page}?payment=cancelled#quotes"),
            customer_email: buyer_email,
        };
        let checkout = provider
            .create_checkout(&request)
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        let payment = Payment {
            provider: provider.name().to_owned(),
            session_id: checkout.session_id.clone(),
            paid: false,
            amount_minor: total.minor(),
            currency: total.currency().code().to_owned(),
        };
        let at = now();
        self.store
            .write(payment, move |tx, payment| {
                Box::pin(orders::start_payment(tx, id, payment, at))
            })
            .await?;
        Ok(checkout.url)
    }

    /// Applies a payment provider's webhook, once per event, after verifying its signature.
    pub async fn payment_webhook(
        &self,
        payload: &[u8],
        signature: &str,
    ) -> Result<WebhookOutcome, AppError> {
        let Some(provider) = self.payments.clone() else {
            return Err(AppError::NotFound);
        };
        let event = match provider.parse_webhook(payload, signature, unix_seconds()) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(WebhookOutcome::Ignored),
            Err(PaymentError::Signature(error)) => {
                tracing::warn!(%error, "payment webhook refused");
                return Err(AppError::Forbidden("the webhook signature does not verify"));
            }
            Err(other) => {
                return Err(AppError::invalid(
                    "payload",
                    "payload_invalid",
                    other.to_string(),
                ));
            }
        };
        if !event.paid {
            return Ok(WebhookOutcome::Ignored);
        }
        let quote_id: QuoteId = event
            .reference
            .parse()
            .map_err(|_| AppError::invalid("payload", "reference_invalid", "Unknown reference."))?;
        let mut conn = self.store.read().await?;
        let quote = quotes::get(&mut conn, quote_id).await?;
        let (access, card) =
            parley_store::requests::access_with_card(&mut conn, quote.request_id, None).await?;
        drop(conn);
        // Only an accepted quote is paid, whoever signed the event.
        if quote.status != QuoteStatus::Accepted {
            tracing::error!(quote = %quote_id, "payment event for a quote that is not accepted");
            return Err(AppError::Conflict("quote_not_accepted".to_owned()));
        }
        let party = access
            .threads
            .iter()
            .find(|t| t.id == quote.thread_id)
            .map(|t| t.party);
        let total = quote.terms.as_ref().map(|t| t.total());
        if total.is_none_or(|t| {
            t.minor() != event.amount_minor
                || !t.currency().code().eq_ignore_ascii_case(&event.currency)
        }) {
            tracing::error!(quote = %quote_id, "paid amount differs from the quote");
            return Err(AppError::invalid(
                "payload",
                "amount_mismatch",
                "The paid amount is not the quote's.",
            ));
        }
        let at = now();
        let payment = Payment {
            provider: provider.name().to_owned(),
            session_id: event.session_id.clone(),
            paid: true,
            amount_minor: event.amount_minor,
            currency: event.currency.to_ascii_uppercase(),
        };
        // The buyer paid, through the provider (named in the event's data).
        let payer = parley_domain::Actor {
            kind: parley_domain::AuthorKind::Buyer,
            id: Some(card.buyer.id.to_string()),
            name: card.buyer.name.clone(),
        };
        let received = new_event(
            quote.request_id,
            party,
            EventKind::PaymentReceived,
            payer,
            json!({ "quote_id": quote_id, "version": quote.version,
                    "amount": total.map(|t| t.to_string()), "provider": provider.name() }),
            at,
        );
        let event_id = event.event_id.clone();
        let applied = self
            .store
            .write(
                (event_id, payment, received),
                move |tx, (event_id, payment, received)| {
                    Box::pin(async move {
                        if !orders::claim_event(tx, event_id, at).await? {
                            return Ok::<_, parley_store::StoreError>(false);
                        }
                        orders::mark_paid(tx, quote_id, payment, at).await?;
                        events::append(tx, received, None).await?;
                        Ok(true)
                    })
                },
            )
            .await?;
        Ok(if applied {
            WebhookOutcome::Applied
        } else {
            WebhookOutcome::Duplicate
        })
    }

    /// The buyer confirms the order of an accepted (and, when payable online, paid) quote
    /// with billing and delivery details; the seller gets them by email and in the history.
    pub async fn confirm_order(
        &self,
        caller: &Caller,
        id: QuoteId,
        billing: &str,
        delivery: &str,
    ) -> Result<(), AppError> {
        let (quote, party) = self.buyers_quote(caller, id).await?;
        let mut errors = Vec::new();
        for (field, value) in [("billing", billing), ("delivery", delivery)] {
            if value.trim().is_empty() {
                errors.push(parley_domain::FieldError {
                    field: field.to_owned(),
                    code: "required".to_owned(),
                    message: format!("Give the {field} details."),
                });
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if quote.status != QuoteStatus::Accepted {
            return Err(AppError::invalid(
                "quote",
                "quote_not_accepted",
                "Accept the quote before confirming the order.",
            ));
        }
        let state = self.order_state(&quote).await?;
        if state.pay_online && !state.paid {
            return Err(AppError::invalid(
                "quote",
                "payment_required",
                "Pay the quote online before confirming the order.",
            ));
        }
        let mut conn = self.store.read().await?;
        let members = directory::members_of(&mut conn, party).await?;
        drop(conn);
        let at = now();
        let order = Order {
            quote: id,
            request: quote.request_id,
            online: state.paid,
            billing: billing.trim().to_owned(),
            delivery: delivery.trim().to_owned(),
            created_at: at,
        };
        let event = new_event(
            quote.request_id,
            Some(party),
            EventKind::OrderConfirmed,
            caller.actor(),
            json!({ "quote_id": id, "version": quote.version, "paid_online": state.paid,
                    "billing": order.billing, "delivery": order.delivery }),
            at,
        );
        // An order is a sale: the party that sent the quote has won (seen by the network as a
        // status, counted in the ratings).
        let won = new_event(
            quote.request_id,
            Some(party),
            EventKind::OutcomeMarked,
            parley_domain::Actor {
                kind: parley_domain::AuthorKind::System,
                id: None,
                name: "Parley".to_owned(),
            },
            json!({ "outcome": parley_domain::Outcome::Won, "order": true }),
            at,
        );
        let buyer = caller.actor().name;
        let confirmed = crate::mail::plain::OrderConfirmed {
            buyer: &buyer,
            version: quote.version,
            paid_online: state.paid,
            billing: &order.billing,
            delivery: &order.delivery,
            request: quote.request_id,
        };
        let mails: Vec<Mail> = members
            .iter()
            .map(|member| {
                crate::mail::plain::order_confirmed(&self.settings, member, &confirmed, at.0)
            })
            .collect();
        let thread = quote.thread_id;
        self.store
            .write(
                (order, event, won, mails),
                move |tx, (order, event, won, mails)| {
                    Box::pin(async move {
                        orders::insert_order(&mut *tx, order)
                            .await
                            .map_err(|e| match e {
                                parley_store::StoreError::Conflict(_) => {
                                    AppError::Conflict("order_confirmed".to_owned())
                                }
                                other => other.into(),
                            })?;
                        events::append(&mut *tx, event, None).await?;
                        parley_store::network::set_outcome(
                            &mut *tx,
                            thread,
                            parley_domain::Outcome::Won,
                            won.created_at,
                        )
                        .await?;
                        events::append(&mut *tx, won, None).await?;
                        outbox::enqueue_many(tx, mails).await?;
                        Ok::<_, AppError>(())
                    })
                },
            )
            .await
    }
}
