//! "My sales network" over the API: members, territories, auto-CC, routing, ratings.

use crate::ids::Id;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use parley_app::network::{NetworkOverview, NewNetworkMember, RuleTarget};
use parley_domain::rating::Rating;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub received: u64,
    pub handled_in_time: u64,
    /// Still within the response window and not handled yet.
    pub pending: u64,
    pub answered: u64,
    pub declined: u64,
    pub won: u64,
    pub lost: u64,
    /// Requests handled (answered or declined) within the window, in percent of those decided.
    pub response_rate_percent: Option<u32>,
    /// Median time to the first answer, in seconds.
    pub median_first_response_seconds: Option<i64>,
    /// Buyers' reviews, and their average (1–5).
    pub reviews: u64,
    pub average_review: Option<f64>,
}

impl From<&Rating> for RatingDto {
    fn from(r: &Rating) -> Self {
        Self {
            received: r.received,
            handled_in_time: r.handled_in_time,
            pending: r.pending,
            answered: r.answered,
            declined: r.declined,
            won: r.won,
            lost: r.lost,
            response_rate_percent: r.response_rate_percent,
            median_first_response_seconds: r.median_first_response_ms.map(|ms| ms / 1000),
            reviews: r.reviews,
            average_review: r.average_review(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkMemberDto {
    pub id: String,
    pub name: String,
    /// `distributor` or `area_manager`.
    pub kind: String,
    pub country: Option<String>,
    pub territories: Vec<String>,
    pub contacts: Vec<ContactDto>,
    pub auto_cc: Vec<String>,
    pub rating: RatingDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleDto {
    pub product_line: String,
    /// The network member's id, or null when the manufacturer keeps the line's requests.
    pub target: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkDto {
    pub manufacturer: String,
    pub routing_enabled: bool,
    pub rules: Vec<RoutingRuleDto>,
    pub members: Vec<NetworkMemberDto>,
    /// The manufacturer's own rating (requests it kept).
    pub own_rating: RatingDto,
    /// The whole network's (members only).
    pub network_rating: RatingDto,
    /// Days within which a request counts as handled.
    pub window_days: u32,
    /// When the ratings were summed: they are summed again at most once a minute, so they may
    /// be up to a minute old (RFC 3339).
    pub ratings_computed_at: String,
}

impl From<NetworkOverview> for NetworkDto {
    fn from(o: NetworkOverview) -> Self {
        Self {
            manufacturer: o.manufacturer.name,
            routing_enabled: o.routing.enabled,
            rules: o
                .routing
                .rules
                .iter()
                .map(|(line, target)| RoutingRuleDto {
                    product_line: line.clone(),
                    target: target.map(|t| t.to_string()),
                })
                .collect(),
            members: o
                .members
                .iter()
                .map(|m| NetworkMemberDto {
                    id: m.organization.id.to_string(),
                    name: m.organization.name.clone(),
                    kind: m.organization.kind.to_string(),
                    country: m.organization.country.map(|c| c.to_string()),
                    territories: m.link.territories.iter().map(ToString::to_string).collect(),
                    contacts: m
                        .people
                        .iter()
                        .map(|p| ContactDto {
                            id: p.id.to_string(),
                            name: p.name.clone(),
                            email: p.email.to_string(),
                        })
                        .collect(),
                    auto_cc: m.link.auto_cc.iter().map(ToString::to_string).collect(),
                    rating: (&m.rating).into(),
                })
                .collect(),
            own_rating: (&o.own_rating).into(),
            network_rating: (&o.network_rating).into(),
            window_days: o.window_days,
            ratings_computed_at: o.ratings_computed_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct NetworkQuery {
    /// Rate the requests of the last `days` days (all when absent).
    pub days: Option<u32>,
}

/// The caller's sales network with its ratings (manufacturer members).
#[utoipa::path(
    get, path = "/network", tag = "network", params(NetworkQuery),
    responses(
        (status = 200, body = NetworkDto),
        (status = 404, description = "Not a manufacturer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn overview(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Query(query): Query<NetworkQuery>,
) -> Result<Json<NetworkDto>, ApiError> {
    Ok(Json(
        state
            .app
            .network_overview(&caller, query.days)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMemberBody {
    pub name: String,
    /// `distributor` or `area_manager`.
    pub kind: String,
    #[serde(default)]
    pub country: String,
    /// Country codes or regions (`Benelux`, `DACH`, `Iberia`, `Nordics`, `Baltics`, `EU`),
    /// comma-separated.
    pub territories: String,
    pub contact_name: String,
    pub contact_email: String,
    #[serde(default)]
    pub contact_language: String,
    /// Addresses copied on requests sent to this member, comma-separated (at most 5).
    #[serde(default)]
    pub auto_cc: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberCreated {
    pub id: String,
}

/// Add a distributor or area manager with its first contact.
#[utoipa::path(
    post, path = "/network/members", tag = "network", request_body = NewMemberBody,
    responses(
        (status = 201, body = MemberCreated),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: Result<Json<NewMemberBody>, JsonRejection>,
) -> Result<(StatusCode, Json<MemberCreated>), ApiError> {
    let Json(b) = body?;
    let input = NewNetworkMember {
        name: b.name,
        kind: b.kind,
        country: b.country,
        territories: b.territories,
        contact_name: b.contact_name,
        contact_email: b.contact_email,
        contact_language: b.contact_language,
        auto_cc: b.auto_cc,
    };
    let id = state.app.add_network_member(&caller, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(MemberCreated { id: id.to_string() }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMemberBody {
    pub territories: String,
    #[serde(default)]
    pub auto_cc: String,
}

/// Change a member's territories and auto-CC addresses.
#[utoipa::path(
    put, path = "/network/members/{id}", tag = "network",
    params(("id" = String, Path, description = "Network member (organization) id")),
    request_body = UpdateMemberBody,
    responses(
        (status = 204, description = "Updated"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_member(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(org): Id<parley_domain::OrganizationId>,
    body: Result<Json<UpdateMemberBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(b) = body?;
    state
        .app
        .update_network_member(&caller, org, &b.territories, &b.auto_cc)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a member out of the network (its past conversations stay its own).
#[utoipa::path(
    delete, path = "/network/members/{id}", tag = "network",
    params(("id" = String, Path, description = "Network member (organization) id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Id(org): Id<parley_domain::OrganizationId>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_network_member(&caller, org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoutingBody {
    /// Route new requests to the network (off: the manufacturer keeps them all).
    pub enabled: Option<bool>,
    /// A product line whose rule to set, with `target`.
    pub product_line: Option<String>,
    /// `territory` (remove the line's rule), `manufacturer`, or a network member's id.
    pub target: Option<String>,
}

/// Change how new requests are routed.
#[utoipa::path(
    put, path = "/network/routing", tag = "network", request_body = RoutingBody,
    responses(
        (status = 204, description = "Updated"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn routing(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: Result<Json<RoutingBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(b) = body?;
    if let Some(enabled) = b.enabled {
        state.app.set_routing_enabled(&caller, enabled).await?;
    }
    if let Some(line) = b.product_line {
        let target = rule_target(b.target.as_deref().unwrap_or("territory"))?;
        state.app.set_routing_rule(&caller, &line, target).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Parses a rule target as forms and the API send it.
pub(crate) fn rule_target(text: &str) -> Result<RuleTarget, ApiError> {
    Ok(match text.trim() {
        "territory" | "" => RuleTarget::Territory,
        "manufacturer" => RuleTarget::Manufacturer,
        id => RuleTarget::Member(id.parse().map_err(|_| {
            ApiError::from(parley_app::AppError::invalid_field(
                "target",
                "target_invalid",
                "Give territory, manufacturer or a network member's id.",
            ))
        })?),
    })
}
