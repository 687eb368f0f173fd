//! The list of requests: “My results” for sellers, “My requests” for buyers.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use parley_app::Caller;
use parley_domain::RequestStatus;
use serde::Deserialize;

use super::session::SignedIn;
use super::{PageError, render};
use crate::AppState;

pub struct Row {
    pub id: String,
    pub buyer: String,
    pub company: Option<String>,
    pub country: String,
    pub product: String,
    pub marketplace: String,
    pub created: String,
    /// “Handle the request”: you are the handler and it is unanswered.
    pub handle: bool,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    seller: bool,
    csrf: String,
    rows: Vec<Row>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

pub async fn requests(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let caller = signed_in.caller();
    let page = state
        .app
        .list_requests(caller, query.after.as_deref(), 50)
        .await?;
    let me = match caller {
        Caller::Member(member) => Some(member.id),
        _ => None,
    };
    let rows = page
        .items
        .into_iter()
        .map(|item| Row {
            id: item.request.id.to_string(),
            handle: me.is_some()
                && item.request.handler == me
                && item.request.status == RequestStatus::New,
            buyer: item.buyer_name,
            company: item.buyer_company,
            country: item.buyer_country,
            product: item.product_name,
            marketplace: item.marketplace_name,
            created: human_time(item.request.created_at),
        })
        .collect();
    Ok(render(&RequestsPage {
        seller: signed_in.is_seller(),
        csrf: signed_in.session.csrf.clone(),
        rows,
        next: page.next,
    }))
}

/// `2026-11-27 05:17 UTC`.
pub fn human_time(at: parley_domain::Timestamp) -> String {
    let text = at.to_rfc3339();
    format!("{} {} UTC", &text[..10], &text[11..16])
}
