//! The list of requests: “My results” for sellers, “My requests” for buyers, with the guide's
//! filters (type of prospect action, dates, marketplace, product, country, status) and Apply.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_app::lists::{Facets, ListQuery};
use parley_app::{AppError, Caller};
use parley_domain::{FieldError, PartyStatus};
use serde::Deserialize;

use super::session::SignedIn;
use super::{LANGUAGES, PageError, Tr, render, url_encode};
use crate::AppState;

pub struct Row {
    pub id: String,
    /// Who the row is about: the buyer for a seller, the seller for a buyer.
    pub who: String,
    pub company: Option<String>,
    pub country: String,
    pub product: String,
    pub marketplace: String,
    pub created: String,
    /// “Handle the request”: you are the handler and it is unanswered.
    pub handle: bool,
    /// `new`, `answered`, `declined`, `won` or `lost` for the caller's party.
    pub status: String,
    /// Messages from the other side not read yet.
    pub unread: bool,
    /// The request's first line.
    pub first_line: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    /// Show "My sales network" in the menu (manufacturers' members only).
    network_link: bool,
    /// Show "My team" (members of an organization; not people outside any).
    team_link: bool,
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    seller: bool,
    csrf: String,
    rows: Vec<Row>,
    /// The query string of the next page.
    next: Option<String>,
    /// The CSV export of the list as filtered.
    export: String,
    query: ListQuery,
    filtered: bool,
    facets: Facets,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    after: Option<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    marketplace: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
}

impl ListParams {
    /// The filters (the page's position aside).
    fn query(&self) -> ListQuery {
        ListQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            marketplace: self.marketplace.clone(),
            product: self.product.clone(),
            country: self.country.clone(),
            status: self.status.clone(),
            q: self.q.clone(),
        }
    }
}

pub async fn requests(
    State(state): State<AppState>,
    signed_in: SignedIn,
    tr: Tr,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let caller = signed_in.caller();
    let query = params.query();
    let filtered = query != ListQuery::default();
    let facets = state.app.list_facets(caller).await?;
    let (page, errors) = match state
        .app
        .list_requests(caller, &query, params.after.as_deref(), 50)
        .await
    {
        Ok(page) => (Some(page), Vec::new()),
        Err(AppError::Invalid(errors)) => (None, errors),
        Err(other) => return Err(other.into()),
    };
    let me = match caller {
        Caller::Member(member) => Some(member.id),
        _ => None,
    };
    let (items, next) = page.map_or((Vec::new(), None), |p| (p.items, p.next));
    let rows = items
        .into_iter()
        .map(|item| Row {
            id: item.request.id.to_string(),
            handle: me.is_some() && item.request.handler == me && item.status == PartyStatus::New,
            who: if me.is_some() {
                item.buyer_name
            } else {
                item.seller_name
            },
            company: if me.is_some() {
                item.buyer_company
            } else {
                None
            },
            status: item.status.to_string(),
            unread: item.unread,
            first_line: item
                .request
                .message
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .chars()
                .take(120)
                .collect(),
            country: item.buyer_country,
            product: item.product_name,
            marketplace: item.marketplace_name,
            created: tr.time(item.request.created_at),
        })
        .collect();
    let next = next.map(|cursor| next_query(&query, &cursor));
    let export = format!("/requests/export.csv?{}", filter_query(&query));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RequestsPage {
        network_link: signed_in.session.manages_network,
        team_link: signed_in.session.has_team,
        tr,
        languages: &LANGUAGES,
        seller: signed_in.is_seller(),
        csrf: signed_in.session.csrf.clone(),
        rows,
        next,
        export,
        query,
        filtered,
        facets,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

/// The next page keeps the filters.
fn next_query(query: &ListQuery, cursor: &str) -> String {
    let filters = filter_query(query);
    let after = format!("after={}", url_encode(cursor));
    if filters.is_empty() {
        after
    } else {
        format!("{after}&{filters}")
    }
}

/// The filters in use as a query string (empty when none).
fn filter_query(query: &ListQuery) -> String {
    query
        .in_use()
        .into_iter()
        .map(|(key, value)| format!("{key}={}", url_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `/requests/export.csv`: the list with the filters given, as a CSV file (see `export`).
pub async fn export(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    Ok(crate::export::csv(
        state.app.clone(),
        signed_in.caller().clone(),
        params.query(),
    )
    .await?)
}
