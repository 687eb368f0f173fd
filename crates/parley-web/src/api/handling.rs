//! Acting on a request for a seller party: forward it, put someone in copy, decline it, mark it
//! won or lost (guide sections 4, 5 and 7).

use crate::ids::{Id, Ids};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use parley_app::handover::{Forward, ForwardTo, HandedTo};
use parley_app::party_actions::Decline;
use parley_domain::RequestId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

/// Where to forward: exactly one of `to_organization` (a member of the manufacturer's sales
/// network, which then gets its own thread), `to_member` (a person known to Parley) or
/// `to_email` (anyone: they get the forwarding party's access to this request).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ForwardBody {
    /// The party forwarding, when the caller acts for several.
    pub party: Option<String>,
    pub to_organization: Option<String>,
    pub to_member: Option<String>,
    pub to_email: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandedToDto {
    pub member_id: String,
    pub name: String,
    pub email: String,
}

impl From<HandedTo> for HandedToDto {
    fn from(h: HandedTo) -> Self {
        Self {
            member_id: h.member.to_string(),
            name: h.name,
            email: h.email,
        }
    }
}

fn target(body: &ForwardBody) -> Result<ForwardTo, ApiError> {
    let given = [&body.to_organization, &body.to_member, &body.to_email]
        .iter()
        .filter(|v| v.as_deref().is_some_and(|t| !t.trim().is_empty()))
        .count();
    if given != 1 {
        return Err(parley_app::AppError::invalid_field(
            "to",
            "target_required",
            "Give exactly one of to_organization, to_member and to_email.",
        )
        .into());
    }
    let bad = || {
        ApiError::from(parley_app::AppError::invalid_field(
            "to",
            "target_invalid",
            "Not a valid id.",
        ))
    };
    Ok(
        match (&body.to_organization, &body.to_member, &body.to_email) {
            (Some(org), _, _) if !org.trim().is_empty() => {
                ForwardTo::Organization(org.trim().parse().map_err(|_| bad())?)
            }
            (_, Some(member), _) if !member.trim().is_empty() => {
                ForwardTo::Member(member.trim().parse().map_err(|_| bad())?)
            }
            (_, _, email) => ForwardTo::Email(email.clone().unwrap_or_default()),
        },
    )
}

/// Forward the request; the recipient handles it from now on and gets a sign-in link.
#[utoipa::path(
    post, path = "/requests/{id}/forward", tag = "network",
    params(("id" = String, Path, description = "Request id")),
    request_body = ForwardBody,
    responses(
        (status = 200, body = HandedToDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn forward(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Result<Json<ForwardBody>, JsonRejection>,
) -> Result<Json<HandedToDto>, ApiError> {
    let Json(body) = body?;
    let to = target(&body)?;
    let forward = Forward {
        party: body.party,
        to,
        note: body.note,
    };
    Ok(Json(
        state
            .app
            .forward_request(&caller, id, forward)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CcBody {
    pub party: Option<String>,
    pub email: String,
}

/// Put someone in copy of the request: they get it, a sign-in link, and may answer the buyer.
#[utoipa::path(
    post, path = "/requests/{id}/cc", tag = "network",
    params(("id" = String, Path, description = "Request id")),
    request_body = CcBody,
    responses(
        (status = 201, body = HandedToDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cc(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Result<Json<CcBody>, JsonRejection>,
) -> Result<(StatusCode, Json<HandedToDto>), ApiError> {
    let Json(body) = body?;
    let handed = state
        .app
        .add_cc(&caller, id, body.party, &body.email)
        .await?;
    Ok((StatusCode::CREATED, Json(handed.into())))
}

/// A person in copy: they act for `party` on this request until taken out of copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct CopyDto {
    pub member_id: String,
    pub name: String,
    pub email: String,
    pub party: String,
    /// Unix milliseconds.
    pub since: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CopiesDto {
    pub copies: Vec<CopyDto>,
}

/// The people in copy for the parties the caller acts for.
#[utoipa::path(
    get, path = "/requests/{id}/cc", tag = "network",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, body = CopiesDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn copies(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
) -> Result<Json<CopiesDto>, ApiError> {
    let copies = state.app.people_in_copy(&caller, id).await?;
    Ok(Json(CopiesDto {
        copies: copies
            .into_iter()
            .map(|c| CopyDto {
                member_id: c.member.to_string(),
                name: c.name,
                email: c.email,
                party: c.party.to_string(),
                since: c.since.0,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PartyQuery {
    /// The party, when the caller acts for several.
    pub party: Option<String>,
}

/// Take someone out of copy: their access to the request and their masked addresses end at
/// once.
#[utoipa::path(
    delete, path = "/requests/{id}/cc/{member}", tag = "network",
    params(
        ("id" = String, Path, description = "Request id"),
        ("member" = String, Path, description = "The person's member id"),
        PartyQuery,
    ),
    responses(
        (status = 204, description = "Out of copy"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_cc(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Ids(id, member): Ids<RequestId, parley_domain::MemberId>,
    Query(query): Query<PartyQuery>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_from_copy(&caller, id, query.party, member)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclineBody {
    pub party: Option<String>,
    /// `not_interested`, `out_of_stock`, `not_my_territory`, `spam` or `other`.
    pub reason: String,
    /// Required with `other`.
    #[serde(default)]
    pub note: String,
    /// Send the buyer a polite notice (never the reason).
    #[serde(default)]
    pub notify_buyer: bool,
}

/// Decline the request for the caller's party (counts as handled in the ratings).
#[utoipa::path(
    post, path = "/requests/{id}/decline", tag = "network",
    params(("id" = String, Path, description = "Request id")),
    request_body = DeclineBody,
    responses(
        (status = 204, description = "Declined"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already declined", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Result<Json<DeclineBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body?;
    let decline = Decline {
        party: body.party,
        reason: body.reason,
        note: body.note,
        notify_buyer: body.notify_buyer,
    };
    state.app.decline_request(&caller, id, decline).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeBody {
    pub party: Option<String>,
    /// `won` (a sale was concluded) or `lost`.
    pub outcome: String,
}

/// Mark the request won or lost for the caller's party.
#[utoipa::path(
    post, path = "/requests/{id}/outcome", tag = "network",
    params(("id" = String, Path, description = "Request id")),
    request_body = OutcomeBody,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn outcome(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(id): Id<RequestId>,
    body: Result<Json<OutcomeBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body?;
    state
        .app
        .mark_outcome(&caller, id, body.party, &body.outcome)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
