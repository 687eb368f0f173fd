//! Provisioning for a marketplace's integration key: its exhibitors (known by the
//! marketplace's own ids) and their people. All idempotent: PUT creates (201) or updates (200).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parley_app::provisioning::{EXHIBITOR_PAGE_MAX, Exhibitor, TeamMember};
use parley_domain::provisioning::{MemberInput, OrganizationInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationBody {
    pub name: String,
    /// `manufacturer` (distributors join through a manufacturer's sales network).
    pub kind: String,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The language of its people when they do not say (`fr`, `en`, `de`…); English when absent.
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberDto {
    pub id: String,
    pub name: String,
    pub email: String,
    pub language: String,
    /// `admin` (also manages the team) or `sales`.
    pub role: String,
    pub time_zone: Option<String>,
}

impl From<&TeamMember> for TeamMemberDto {
    fn from(t: &TeamMember) -> Self {
        Self {
            id: t.member.id.to_string(),
            name: t.member.name.clone(),
            email: t.member.email.to_string(),
            language: t.member.language.code().to_owned(),
            role: t.role.as_str().to_owned(),
            time_zone: t.time_zone.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationDto {
    /// Parley's id (the `manufacturer_id` of requests).
    pub id: String,
    /// The marketplace's own id for it.
    pub external_id: String,
    pub name: String,
    pub kind: String,
    pub country: Option<String>,
    pub language: String,
    pub members: Vec<TeamMemberDto>,
}

impl From<&Exhibitor> for OrganizationDto {
    fn from(e: &Exhibitor) -> Self {
        Self {
            id: e.organization.id.to_string(),
            external_id: e.external_id.clone(),
            name: e.organization.name.clone(),
            kind: e.organization.kind.as_str().to_owned(),
            country: e.organization.country.map(|c| c.to_string()),
            language: e.language.code().to_owned(),
            members: e.team.iter().map(TeamMemberDto::from).collect(),
        }
    }
}

/// The person a PUT of `…/members/{email}` describes, every bad field at once.
pub(super) fn member_input(email: &str, body: MemberBody) -> Result<MemberInput, ApiError> {
    MemberInput::parse(
        email,
        &body.name,
        body.language.as_deref(),
        &body.role,
        body.time_zone.as_deref(),
    )
    .map_err(|errors| parley_app::AppError::Invalid(errors).into())
}

pub(super) fn created_or_updated(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// Create or update an exhibitor, known by the marketplace's own id for it.
#[utoipa::path(
    put, path = "/organizations/{external_id}", tag = "provisioning",
    params(("external_id" = String, Path, description = "The marketplace's id for the exhibitor")),
    request_body = OrganizationBody,
    responses(
        (status = 201, description = "Created", body = OrganizationDto),
        (status = 200, description = "Updated", body = OrganizationDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_organization(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(external_id): Path<String>,
    body: Result<Json<OrganizationBody>, JsonRejection>,
) -> Result<(StatusCode, Json<OrganizationDto>), ApiError> {
    let Json(b) = body?;
    let input = OrganizationInput::parse(
        &b.name,
        &b.kind,
        b.country.as_deref(),
        b.language.as_deref(),
    )
    .map_err(parley_app::AppError::Invalid)?;
    let (exhibitor, created) = state
        .app
        .put_exhibitor(&caller, &external_id, input)
        .await?;
    Ok((
        created_or_updated(created),
        Json(OrganizationDto::from(&exhibitor)),
    ))
}

/// An exhibitor of the caller's marketplace, with its people.
#[utoipa::path(
    get, path = "/organizations/{external_id}", tag = "provisioning",
    params(("external_id" = String, Path, description = "The marketplace's id for the exhibitor")),
    responses(
        (status = 200, body = OrganizationDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_organization(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(external_id): Path<String>,
) -> Result<Json<OrganizationDto>, ApiError> {
    let exhibitor = state.app.exhibitor(&caller, &external_id).await?;
    Ok(Json(OrganizationDto::from(&exhibitor)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrganizationQuery {
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// At most 100 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationPage {
    pub organizations: Vec<OrganizationDto>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// The caller's exhibitors by external id (keyset pages).
#[utoipa::path(
    get, path = "/organizations", tag = "provisioning", params(OrganizationQuery),
    responses(
        (status = 200, body = OrganizationPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_organizations(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    query: Result<Query<OrganizationQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OrganizationPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = query.limit.unwrap_or(50).clamp(1, EXHIBITOR_PAGE_MAX);
    let page = state
        .app
        .exhibitors(&caller, query.after.as_deref(), limit)
        .await?;
    let next = (page.len() == limit as usize)
        .then(|| page.last().map(|e| e.external_id.clone()))
        .flatten();
    Ok(Json(OrganizationPage {
        organizations: page.iter().map(OrganizationDto::from).collect(),
        next,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberBody {
    pub name: String,
    /// `fr`, `en`, `de`…; the organization's language when absent.
    pub language: Option<String>,
    /// `admin` or `sales`.
    pub role: String,
    /// An IANA time zone (`Europe/Paris`).
    pub time_zone: Option<String>,
}

/// Create or update a person of an exhibitor, by email. An address that belongs to another
/// organization is refused (409 `member_elsewhere`): people never change organization here.
#[utoipa::path(
    put, path = "/organizations/{external_id}/members/{email}", tag = "provisioning",
    params(
        ("external_id" = String, Path, description = "The marketplace's id for the exhibitor"),
        ("email" = String, Path, description = "The person's email address"),
    ),
    request_body = MemberBody,
    responses(
        (status = 201, description = "Created", body = TeamMemberDto),
        (status = 200, description = "Updated", body = TeamMemberDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_elsewhere", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_member(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((external_id, email)): Path<(String, String)>,
    body: Result<Json<MemberBody>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamMemberDto>), ApiError> {
    let Json(b) = body?;
    let input = member_input(&email, b)?;
    let (member, created) = state
        .app
        .put_exhibitor_member(&caller, &external_id, input)
        .await?;
    Ok((
        created_or_updated(created),
        Json(TeamMemberDto::from(&member)),
    ))
}

/// Take a person out of an exhibitor: their sessions, tokens and masked addresses stop working
/// at once, the requests they handled go back to an admin (an event says so), their name stays
/// on what they wrote.
#[utoipa::path(
    delete, path = "/organizations/{external_id}/members/{email}", tag = "provisioning",
    params(
        ("external_id" = String, Path, description = "The marketplace's id for the exhibitor"),
        ("email" = String, Path, description = "The person's email address"),
    ),
    responses(
        (status = 204, description = "Deactivated"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_member(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((external_id, email)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_exhibitor_member(&caller, &external_id, &email)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
