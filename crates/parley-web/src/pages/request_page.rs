//! The negotiation interface: the request page for sellers and buyers, “Display the number”
//! and “Remind the buyer” (sending a reply: `reply`).

use crate::ids::Id;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::Caller;
use parley_domain::{FieldError, RequestId};
use serde::Deserialize;

use super::history::{DocItem, HistoryItem, history_item};
use super::session::{NoFields, SENDER_COOKIE, SignedForm, SignedIn, cookie};
use super::{LANGUAGES, PageError, Tr, render};
use crate::AppState;

/// What the reply form shows: what was typed, kept when a send fails.
#[derive(Default)]
pub struct FormValues {
    pub sender: String,
    pub cc: String,
    pub body: String,
    pub kind: String,
    /// "I want to enable online payment" and the quote's terms, as typed.
    pub online_payment: bool,
    pub quote: parley_domain::quote::QuoteInput,
    /// Documents attached to a try that came back with an error, kept to be sent with the next.
    pub kept: Vec<parley_app::drafts::KeptDocument>,
}

impl FormValues {
    /// An empty reply form: the Sender prefilled, “Other document” chosen.
    pub(super) fn fresh(signed_in: &SignedIn, headers: &HeaderMap, online_payment: bool) -> Self {
        Self {
            sender: default_sender(signed_in, headers),
            kind: "other".to_owned(),
            // Ticked by default when online payment is available (guide section 3: the seller
            // may untick it).
            online_payment,
            quote: parley_domain::quote::QuoteInput {
                currency: "EUR".to_owned(),
                ..Default::default()
            },
            ..Self::default()
        }
    }
}

#[derive(Template)]
#[template(path = "request.html")]
pub(super) struct RequestPage {
    /// Show "My sales network" in the menu (manufacturers' members only).
    network_link: bool,
    /// Show "My team" (members of an organization; not people outside any).
    team_link: bool,
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    id: String,
    csrf: String,
    seller: bool,
    product: String,
    marketplace: String,
    created: String,
    buyer_name: String,
    buyer_company: Option<String>,
    buyer_country: String,
    phone: Option<String>,
    request_text: String,
    /// The picker under the request's own text, and its translation shown without htmx.
    request_translate: Option<super::translation::TranslateForm>,
    request_translation: Option<String>,
    /// The documents the buyer sent with the request.
    request_documents: Vec<DocItem>,
    /// Answered already: the seller may remind the buyer.
    answered: bool,
    /// After “Remind the buyer”: whether a reminder went out (`false`: already today).
    reminded: Option<bool>,
    /// The sellers a buyer may write to (one thread each); empty for sellers, who write in
    /// their own thread.
    parties: Vec<(String, String)>,
    form: FormValues,
    errors: Vec<FieldError>,
    max_mb: usize,
    history: Vec<HistoryItem>,
    /// The request's quotes (newest first) and the currencies the quote form offers.
    quotes: Vec<super::quotes::QuoteView>,
    can_review: bool,
    /// The review the buyer left (stars, comment, when): shown instead of the form.
    review: Option<(u8, String, String)>,
    currencies: Vec<&'static str>,
    /// The translation picker's languages.
    /// Sellers who may act on the request: forward, copy, decline, won or lost.
    handling: Option<super::handling::HandlingView>,
    /// What went wrong with the last forward, copy or decline (the form keeps what was typed).
    handle_errors: Vec<FieldError>,
    handle_form: super::handling::HandleForm,
    /// The dialog to show open (from the email's Forward and Decline buttons).
    open: String,
    /// Emailed replies in the reader's name held because their sender was not verified.
    held: Vec<super::held::HeldItem>,
}

pub(super) fn parse_id<T: std::str::FromStr>(text: &str) -> Result<T, PageError> {
    text.parse().map_err(|_| PageError::NotFound)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    reminded: Option<bool>,
    /// A message translated without htmx, and into what.
    translated: Option<String>,
    to: Option<String>,
    /// `forward` or `decline`: the dialog the email's button opens.
    open: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    tr: Tr,
    headers: HeaderMap,
    Id(id): Id<RequestId>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let form = FormValues::fresh(&signed_in, &headers, state.app.online_payment_available());
    let shown = match (&query.translated, &query.to) {
        (Some(message), Some(to)) => {
            super::translation::shown(&state, signed_in.caller(), &tr, id, message, to)
                .await
                .map(|html| (message.clone(), html))
        }
        _ => None,
    };
    let mut page = page(&state, &signed_in, tr, id, form, Vec::new()).await?;
    if let Some((message, html)) = shown {
        if message == "request" {
            page.request_translation = Some(html.clone());
        }
        for item in &mut page.history {
            if item.message_id == message {
                item.translation = Some(html.clone());
            }
        }
    }
    Ok(render(&RequestPage {
        reminded: query.reminded,
        open: query.open.unwrap_or_default(),
        ..page
    }))
}

/// The Sender field's default: what this browser typed last, else the member's address.
fn default_sender(signed_in: &SignedIn, headers: &HeaderMap) -> String {
    match signed_in.caller() {
        Caller::Member(member) => cookie(headers, SENDER_COOKIE)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| member.email.to_string()),
        _ => String::new(),
    }
}

pub(super) async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    tr: Tr,
    id: RequestId,
    form: FormValues,
    errors: Vec<FieldError>,
) -> Result<RequestPage, PageError> {
    let caller = signed_in.caller();
    let detail = state.app.request_detail(caller, id).await?;
    let history = state.app.history(caller, id).await?;
    let handling = state
        .app
        .handling(caller, id)
        .await?
        .map(|h| super::handling::HandlingView::new(&tr, h));
    if matches!(caller, Caller::Buyer(_)) {
        // Opening the page is reading it: the sellers get their read receipts.
        state.app.mark_read(caller, id, None).await?;
    }
    let reader = super::translation::Reader::of(caller, &state.app);
    let tr_for_quotes = tr.clone();
    let events = history;
    let review = state
        .app
        .reviews_left(caller, id)
        .await?
        .into_iter()
        .next()
        .map(|r| (r.rating, r.comment, tr.time(r.created_at)));
    let parties = if signed_in.is_seller() {
        Vec::new()
    } else {
        super::reply_to::choices(&tr, &detail, &events)
    };
    let history = events
        .iter()
        .map(|e| history_item(&tr, e, &detail, reader))
        .collect();
    let created = tr.time(detail.request.created_at);
    let held = super::held::items(state, &tr, caller, id).await?;
    Ok(RequestPage {
        network_link: signed_in.session.manages_network,
        team_link: signed_in.session.has_team,
        tr,
        languages: &LANGUAGES,
        id: id.to_string(),
        csrf: signed_in.session.csrf.clone(),
        seller: signed_in.is_seller(),
        product: detail.product.name.clone(),
        marketplace: detail.marketplace.name.clone(),
        created,
        buyer_name: detail.buyer.name.clone(),
        buyer_company: detail.buyer.company.clone(),
        buyer_country: detail.buyer.country.to_string(),
        phone: detail.buyer.phone.clone(),
        request_text: detail.request.message.clone(),
        request_translate: reader.picker("request".to_owned(), detail.request.language),
        request_translation: None,
        request_documents: detail
            .documents
            .iter()
            .map(|d| DocItem {
                id: d.id.to_string(),
                filename: d.filename.clone(),
                quote: false,
            })
            .collect(),
        answered: detail.request.answered_at.is_some(),
        reminded: None,
        parties,
        form,
        errors,
        max_mb: state
            .app
            .settings()
            .max_document_bytes
            .div_ceil(1024 * 1024),
        history,
        quotes: super::quotes::views(state, &tr_for_quotes, caller, id).await?,
        review,
        // A buyer reviews once a seller has answered.
        can_review: matches!(caller, Caller::Buyer(_))
            && detail
                .threads
                .iter()
                .any(|t| t.thread.contacted_at.is_some()),
        currencies: parley_domain::Currency::all()
            .iter()
            .map(|c| c.code())
            .collect(),
        handling,
        handle_errors: Vec::new(),
        handle_form: super::handling::HandleForm::default(),
        open: String::new(),
        held,
    })
}

impl RequestPage {
    /// The page with the handle panel's errors and what its form held.
    pub(super) fn with_handle_errors(
        self,
        errors: Vec<FieldError>,
        form: super::handling::HandleForm,
    ) -> Self {
        Self {
            handle_errors: errors,
            handle_form: form,
            ..self
        }
    }
}

#[derive(Template)]
#[template(
    source = "{% if let Some(phone) = phone %}<a class=\"phone\" href=\"tel:{{ phone }}\">{{ phone }}</a>\
              {% else %}<span>{{ tr.t(\"request-no-phone\") }}</span>{% endif %}",
    ext = "html"
)]
struct PhoneFragment {
    tr: Tr,
    phone: Option<String>,
}

pub async fn display_phone(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Id(id): Id<RequestId>,
    SignedForm { signed_in, .. }: SignedForm<NoFields>,
) -> Result<Response, PageError> {
    let phone = state.app.display_phone(signed_in.caller(), id).await?;
    if headers.contains_key("hx-request") {
        Ok(render(&PhoneFragment { tr, phone }))
    } else {
        Ok(Redirect::to(&format!("/requests/{id}")).into_response())
    }
}

pub async fn remind(
    State(state): State<AppState>,
    Id(id): Id<RequestId>,
    SignedForm { signed_in, .. }: SignedForm<NoFields>,
) -> Result<Response, PageError> {
    let sent = state.app.remind_buyer(signed_in.caller(), id).await?;
    Ok(Redirect::to(&format!("/requests/{id}?reminded={sent}")).into_response())
}
