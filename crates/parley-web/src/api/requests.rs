//! Request endpoints.

use crate::ids::Id;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use parley_app::Caller;
use parley_app::lists::ListQuery;
use parley_app::new_request::NewRequest;
use parley_domain::RequestId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    CreateRequestBody, Created, EventDto, History, MarkReadBody, MarkedRead, PhoneDto,
    RequestDetailDto, RequestList, detail,
};
use super::path_id;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

/// Create a request (marketplace integration key).
#[utoipa::path(
    post, path = "/requests", tag = "requests",
    request_body = CreateRequestBody,
    responses(
        (status = 201, description = "Created", body = Created),
        (status = 200, description = "Already created with this external_ref", body = Created),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a marketplace key", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_request(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    request: axum::extract::Request,
) -> Result<impl IntoResponse, ApiError> {
    let Caller::Marketplace(marketplace) = &caller else {
        return Err(parley_app::AppError::Forbidden(
            "only a marketplace integration key can create requests",
        )
        .into());
    };
    let (body, uploads) = super::request_documents::read(request, &state).await?;
    let input = NewRequest {
        buyer_name: body.buyer.name,
        buyer_company: body.buyer.company,
        buyer_country: body.buyer.country,
        buyer_language: body.buyer.language,
        buyer_email: body.buyer.email,
        buyer_phone: body.buyer.phone,
        buyer_time_zone: body.buyer.time_zone,
        manufacturer_id: body.manufacturer_id,
        manufacturer_external_id: body.manufacturer.map(|m| m.external_id),
        product_reference: body.product.reference,
        product_name: body.product.name,
        product_line: body.product.line,
        message: body.message,
        language: body.language,
        external_ref: body.external_ref,
    };
    let (id, created) = state
        .app
        .create_request_with_documents(marketplace, input, uploads)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Created {
            id: id.to_string(),
            created,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// The `next` value of the previous page.
    after: Option<String>,
    /// Page size, 1 to 100 (default 50).
    limit: Option<u32>,
    /// Received on or after this day (`YYYY-MM-DD`).
    from: Option<String>,
    /// Received on or before this day (`YYYY-MM-DD`).
    to: Option<String>,
    /// Marketplace id.
    marketplace: Option<String>,
    /// Product id.
    product: Option<String>,
    /// Buyer's country (ISO 3166-1 alpha-2).
    country: Option<String>,
    /// The caller's status on it: `new`, `answered`, `declined`, `won`, `lost`, or `spam`
    /// (spam shows only when asked for). A buyer's: `new` or `answered`.
    status: Option<String>,
    /// Search: every word must occur in the buyer's name, company or email address (a domain
    /// such as `example.com` works), the product's name or reference, or the request's text;
    /// case and accents are ignored ("muller" finds "Müller"); words are matched whole, an
    /// address or a domain as the buyer's (or a parent domain). Results are newest first by
    /// arrival. At most 200 characters.
    q: Option<String>,
}

impl ListParams {
    /// The filters (the page's position and size aside).
    pub(super) fn into_query(self) -> ListQuery {
        ListQuery {
            from: self.from.unwrap_or_default(),
            to: self.to.unwrap_or_default(),
            marketplace: self.marketplace.unwrap_or_default(),
            product: self.product.unwrap_or_default(),
            country: self.country.unwrap_or_default(),
            status: self.status.unwrap_or_default(),
            q: self.q.unwrap_or_default(),
        }
    }
}

/// List the caller's requests, newest first (keyset pagination), with optional filters.
#[utoipa::path(
    get, path = "/requests", tag = "requests",
    params(ListParams),
    responses(
        (status = 200, body = RequestList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_requests(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Query(params): Query<ListParams>,
) -> Result<Json<RequestList>, ApiError> {
    let (after, limit) = (params.after.clone(), params.limit.unwrap_or(50));
    let page = state
        .app
        .list_requests(&caller, &params.into_query(), after.as_deref(), limit)
        .await?;
    Ok(Json(RequestList {
        items: page.items.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// Read a request with the threads the caller may read.
#[utoipa::path(
    get, path = "/requests/{id}", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, body = RequestDetailDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_request(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
) -> Result<Json<RequestDetailDto>, ApiError> {
    let found = state.app.request_detail(&caller, id).await?;
    Ok(Json(detail(found, &caller)))
}

/// Read a request's history, filtered for the caller.
#[utoipa::path(
    get, path = "/requests/{id}/history", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, body = History),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
) -> Result<Json<History>, ApiError> {
    let events = state.app.history(&caller, id).await?;
    Ok(Json(History {
        events: events.into_iter().map(EventDto::from).collect(),
    }))
}

/// Display the buyer's phone number (sellers; logged once per member).
#[utoipa::path(
    post, path = "/requests/{id}/phone", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, body = PhoneDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn display_phone(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
) -> Result<Json<PhoneDto>, ApiError> {
    let phone = state.app.display_phone(&caller, id).await?;
    Ok(Json(PhoneDto { phone }))
}

/// Mark the other side's messages as read (read receipts).
#[utoipa::path(
    post, path = "/requests/{id}/read", tag = "requests",
    params(("id" = String, Path, description = "Request id")),
    request_body(content = Option<MarkReadBody>),
    responses(
        (status = 200, body = MarkedRead),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn mark_read(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Option<Json<MarkReadBody>>,
) -> Result<Json<MarkedRead>, ApiError> {
    let party = match body.and_then(|Json(b)| b.party) {
        Some(text) => Some(path_id(&text)?),
        None => None,
    };
    let marked = state.app.mark_read(&caller, id, party).await?;
    Ok(Json(MarkedRead { marked }))
}
