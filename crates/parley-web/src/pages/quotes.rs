//! Quotes on the request page: each version with its status, total and validity; the buyer
//! accepts or declines (with a comment) the one awaiting an answer. The quote form itself is
//! part of the reply form (Attach a document → Quote → "I want to enable online payment");
//! *Validate* checks it in place before *Send*.

use crate::ids::Id;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::now;
use parley_app::orders::OrderState;
use parley_app::{AppError, Caller};
use parley_domain::QuoteId;
use parley_domain::quote::{Quote, QuoteInput, QuoteStatus, QuoteTerms};
use serde::Deserialize;

use super::request_page::parse_id;
use super::session::SignedForm;
use super::{PageError, Tr, render};
use crate::AppState;

/// A quote as the page shows it.
pub struct QuoteView {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub document: String,
    pub total: Option<String>,
    pub reference: Option<String>,
    pub valid_until: Option<String>,
    pub expired: bool,
    /// The buyer may answer it now.
    pub answerable: bool,
    pub comment: Option<String>,
    /// For the buyer, once accepted: pay online, confirm the order, or it is done.
    pub can_pay: bool,
    pub paid: bool,
    pub can_order: bool,
    pub ordered: bool,
}

impl QuoteView {
    pub fn new(tr: &Tr, quote: &Quote, caller: &Caller) -> Self {
        let terms = quote.terms.as_ref();
        let expired = quote.expired(now());
        Self {
            id: quote.id.to_string(),
            version: quote.version,
            // "Awaiting your answer" is the buyer's view; the seller awaits the buyer's.
            status: match (caller, quote.status) {
                (Caller::Member(_), QuoteStatus::Sent) => tr.t("quote-status-sent-seller"),
                _ => tr.t(&format!("quote-status-{}", quote.status.as_str())),
            },
            document: quote.document_id.to_string(),
            total: terms.map(|t| tr.money(t.total())),
            reference: terms.map(|t| t.reference.clone()),
            valid_until: terms.map(|t| tr.time(t.valid_until)),
            expired,
            answerable: matches!(caller, Caller::Buyer(_)) && quote.status == QuoteStatus::Sent,
            comment: quote.decision_comment.clone(),
            can_pay: false,
            paid: false,
            can_order: false,
            ordered: false,
        }
    }

    /// Adds where an accepted quote stands (the buyer's next step).
    pub fn with_order(mut self, state: &OrderState, buyer: bool) -> Self {
        self.paid = state.paid;
        self.ordered = state.ordered;
        self.can_pay = buyer && state.pay_online && !state.paid;
        self.can_order = buyer && !state.ordered && (state.paid || !state.pay_online);
        self
    }
}

/// The quote views of a request's page, with the order state of accepted quotes.
pub async fn views(
    state: &AppState,
    tr: &Tr,
    caller: &Caller,
    request: parley_domain::RequestId,
) -> Result<Vec<QuoteView>, AppError> {
    let mut views = Vec::new();
    for quote in state.app.quotes_of(caller, request).await? {
        let view = QuoteView::new(tr, &quote, caller);
        views.push(if quote.status == QuoteStatus::Accepted {
            let order = state.app.order_state(&quote).await?;
            view.with_order(&order, matches!(caller, Caller::Buyer(_)))
        } else {
            view
        });
    }
    Ok(views)
}

#[derive(Deserialize)]
pub struct StepForm {
    request: String,
    #[serde(default)]
    billing: String,
    #[serde(default)]
    delivery: String,
}

/// *Pay online*: to the provider's payment page.
pub async fn pay(
    State(state): State<AppState>,
    Id(id): Id<QuoteId>,
    SignedForm { signed_in, form }: SignedForm<StepForm>,
) -> Result<Response, PageError> {
    let request: parley_domain::RequestId = parse_id(&form.request)?;
    match state.app.start_payment(signed_in.caller(), id).await {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(AppError::Invalid(_) | AppError::Conflict(_) | AppError::Unavailable(_)) => Ok(
            Redirect::to(&format!("/requests/{request}?payment=unavailable#quotes"))
                .into_response(),
        ),
        Err(other) => Err(other.into()),
    }
}

/// *Confirm the order*, with billing and delivery details.
pub async fn order(
    State(state): State<AppState>,
    Id(id): Id<QuoteId>,
    SignedForm { signed_in, form }: SignedForm<StepForm>,
) -> Result<Response, PageError> {
    let request: parley_domain::RequestId = parse_id(&form.request)?;
    let outcome = match state
        .app
        .confirm_order(signed_in.caller(), id, &form.billing, &form.delivery)
        .await
    {
        Ok(()) | Err(AppError::Conflict(_)) => "ordered",
        Err(AppError::Invalid(_)) => "incomplete",
        Err(other) => return Err(other.into()),
    };
    Ok(Redirect::to(&format!("/requests/{request}?order={outcome}#quotes")).into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    rating: u8,
    #[serde(default)]
    comment: String,
}

/// The buyer's review.
pub async fn review(
    State(state): State<AppState>,
    Id(request): Id<parley_domain::RequestId>,
    SignedForm { signed_in, form }: SignedForm<ReviewForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .leave_review(
            signed_in.caller(),
            request,
            None,
            form.rating,
            &form.comment,
        )
        .await
    {
        // Back to the page, which says the review was recorded (or that one was already).
        Ok(()) | Err(AppError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/requests/{request}#review")).into_response())
        }
        Err(AppError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/requests/{request}#review")).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    comment: String,
    /// `accept` or `decline`.
    answer: String,
    request: String,
}

/// The buyer's Accept or Decline.
pub async fn answer(
    State(state): State<AppState>,
    Id(id): Id<QuoteId>,
    SignedForm { signed_in, form }: SignedForm<AnswerForm>,
) -> Result<Response, PageError> {
    let request: parley_domain::RequestId = parse_id(&form.request)?;
    let accept = form.answer == "accept";
    let outcome = match state
        .app
        .answer_quote(signed_in.caller(), id, accept, &form.comment)
        .await
    {
        Ok(_) => "answered",
        Err(AppError::Invalid(_)) => "expired",
        Err(AppError::Conflict(_)) => "stale",
        Err(other) => return Err(other.into()),
    };
    Ok(Redirect::to(&format!("/requests/{request}?quote={outcome}#quotes")).into_response())
}

/// *Validate*: the quote form checked in place (the quote goes with the next *Send*).
#[derive(Template)]
#[template(
    source = "{% if errors.is_empty() %}<p class=\"ok\" role=\"status\">{{ summary }}</p>\
              {% else %}<ul class=\"error\" role=\"alert\">{% for e in errors %}<li data-code=\"{{ e.1 }}\">{{ e.0 }}</li>{% endfor %}</ul>{% endif %}",
    ext = "html"
)]
struct Checked {
    summary: String,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct QuoteCheckForm {
    #[serde(default)]
    online_payment: Option<String>,
    #[serde(default)]
    quote_amount: String,
    #[serde(default)]
    quote_currency: String,
    #[serde(default)]
    quote_valid_until: String,
    #[serde(default)]
    quote_reference: String,
    #[serde(default)]
    quote_description: String,
    #[serde(default)]
    quote_shipping: String,
    #[serde(default)]
    quote_tax: String,
}

pub async fn validate(
    tr: Tr,
    SignedForm { signed_in, form }: SignedForm<QuoteCheckForm>,
) -> Result<Response, PageError> {
    if !signed_in.is_seller() {
        return Err(PageError::NotFound);
    }
    if form.online_payment.is_none() {
        return Ok(render(&Checked {
            summary: tr.t("quote-ready-plain"),
            errors: Vec::new(),
        }));
    }
    let input = QuoteInput {
        amount: form.quote_amount,
        currency: form.quote_currency,
        valid_until: form.quote_valid_until,
        reference: form.quote_reference,
        description: form.quote_description,
        shipping: form.quote_shipping,
        tax: form.quote_tax,
    };
    let page = match QuoteTerms::parse(&input, now()) {
        Ok(terms) => Checked {
            summary: tr.t1("quote-ready", "total", tr.money(terms.total())),
            errors: Vec::new(),
        },
        Err(errors) => Checked {
            summary: String::new(),
            errors: errors
                .iter()
                .map(|e| (tr.error(e, 0), e.code.clone()))
                .collect(),
        },
    };
    Ok(render(&page))
}
