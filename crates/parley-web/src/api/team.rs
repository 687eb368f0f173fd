//! "My team" over the API, for a member's token: the organization's people; its admins
//! invite, change roles and take people out.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::organizations::{MemberBody, TeamMemberDto, created_or_updated, member_input};
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    pub organization: String,
    pub members: Vec<TeamMemberDto>,
    /// Whether the caller may invite, change roles and take people out (admins).
    pub may_manage: bool,
    /// Whether the caller gets automatic reminders of requests they have not handled.
    pub reminders: bool,
}

#[derive(Debug, serde::Deserialize, Serialize, ToSchema)]
pub struct RemindersDto {
    /// `true`: an email when a request waits for the caller's answer (after 24 weekday hours
    /// by default); `false`: none.
    pub reminders: bool,
}

/// Turn the caller's automatic reminders on or off.
#[utoipa::path(
    put, path = "/team/reminders", tag = "team",
    request_body = RemindersDto,
    responses(
        (status = 200, body = RemindersDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_reminders(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    body: Result<Json<RemindersDto>, JsonRejection>,
) -> Result<Json<RemindersDto>, ApiError> {
    let Json(b) = body?;
    state.app.set_my_reminders(&caller, b.reminders).await?;
    Ok(Json(RemindersDto {
        reminders: state.app.my_reminders(&caller).await?,
    }))
}

/// The caller's organization and its people.
#[utoipa::path(
    get, path = "/team", tag = "team",
    responses(
        (status = 200, body = TeamDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn team(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<TeamDto>, ApiError> {
    let team = state.app.team(&caller).await?;
    Ok(Json(TeamDto {
        organization: team.organization.name.clone(),
        members: team.members.iter().map(TeamMemberDto::from).collect(),
        may_manage: team.may_manage,
        reminders: state.app.my_reminders(&caller).await?,
    }))
}

/// Invite a colleague (they get a sign-in link by email) or change one (admins).
#[utoipa::path(
    put, path = "/team/members/{email}", tag = "team",
    params(("email" = String, Path, description = "The colleague's email address")),
    request_body = MemberBody,
    responses(
        (status = 201, description = "Invited", body = TeamMemberDto),
        (status = 200, description = "Updated", body = TeamMemberDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_elsewhere, last_admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_colleague(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(email): Path<String>,
    body: Result<Json<MemberBody>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamMemberDto>), ApiError> {
    let Json(b) = body?;
    let input = member_input(&email, b)?;
    let (member, created) = state.app.put_colleague(&caller, input).await?;
    Ok((
        created_or_updated(created),
        Json(TeamMemberDto::from(&member)),
    ))
}

/// Take a colleague out (admins): their sessions, tokens and masked addresses stop at once.
#[utoipa::path(
    delete, path = "/team/members/{email}", tag = "team",
    params(("email" = String, Path, description = "The colleague's email address")),
    responses(
        (status = 204, description = "Taken out"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "last_admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_colleague(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_colleague(&caller, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}
