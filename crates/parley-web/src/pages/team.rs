//! "My team": the people of the signed-in seller's organization; its admins invite a
//! colleague (a sign-in link goes to them), change roles and take people out.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::AppError;
use parley_app::team::Team;
use parley_domain::FieldError;
use parley_domain::provisioning::MemberInput;
use serde::Deserialize;

use super::session::{SignedForm, SignedIn};
use super::{LANGUAGES, PageError, Tr, render};
use crate::AppState;

pub struct Row {
    name: String,
    email: String,
    language: String,
    time_zone: String,
    role_key: String,
    admin: bool,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    network_link: bool,
    /// Show "My team" (members of an organization; not people outside any).
    team_link: bool,
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    seller: bool,
    csrf: String,
    organization: String,
    members: Vec<Row>,
    may_manage: bool,
    errors: Vec<FieldError>,
    form: ColleagueForm,
    /// Whether the signed-in member gets automatic reminders.
    reminders: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ColleagueForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    time_zone: String,
}

fn page_of(
    tr: Tr,
    signed_in: &SignedIn,
    (team, reminders): (Team, bool),
    errors: Vec<FieldError>,
    form: ColleagueForm,
) -> TeamPage {
    let me = match signed_in.caller() {
        parley_app::Caller::Member(member) => Some(member.id),
        _ => None,
    };
    TeamPage {
        tr,
        languages: &LANGUAGES,
        network_link: signed_in.session.manages_network,
        team_link: signed_in.session.has_team,
        seller: signed_in.is_seller(),
        csrf: signed_in.session.csrf.clone(),
        organization: team.organization.name.clone(),
        members: team
            .members
            .iter()
            .map(|t| Row {
                name: t.member.name.clone(),
                email: t.member.email.to_string(),
                language: t.member.language.code().to_owned(),
                time_zone: t.time_zone.clone().unwrap_or_default(),
                role_key: format!("team-role-{}", t.role.as_str()),
                admin: t.role == parley_domain::MemberRole::Admin,
                is_me: Some(t.member.id) == me,
            })
            .collect(),
        may_manage: team.may_manage,
        errors,
        form,
        reminders,
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    tr: Tr,
) -> Result<Response, PageError> {
    let team = state.app.team(signed_in.caller()).await?;
    let reminders = state.app.my_reminders(signed_in.caller()).await?;
    Ok(render(&page_of(
        tr,
        &signed_in,
        (team, reminders),
        Vec::new(),
        ColleagueForm::default(),
    )))
}

/// Invites a colleague, or changes one's role.
pub async fn put(
    State(state): State<AppState>,
    tr: Tr,
    SignedForm { signed_in, form }: SignedForm<ColleagueForm>,
) -> Result<Response, PageError> {
    let result = match MemberInput::parse(
        &form.email,
        &form.name,
        Some(form.language.as_str()),
        &form.role,
        Some(form.time_zone.as_str()),
    ) {
        Ok(input) => state
            .app
            .put_colleague(signed_in.caller(), input)
            .await
            .map(|_| ()),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    after(&state, &signed_in, tr, form, result).await
}

pub async fn remove(
    State(state): State<AppState>,
    tr: Tr,
    SignedForm { signed_in, form }: SignedForm<ColleagueForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .remove_colleague(signed_in.caller(), &form.email)
        .await;
    after(&state, &signed_in, tr, ColleagueForm::default(), result).await
}

#[derive(Debug, Deserialize)]
pub struct RemindersForm {
    /// `on` or `off`.
    reminders: String,
}

/// Turns the signed-in member's automatic reminders on or off.
pub async fn reminders(
    State(state): State<AppState>,
    SignedForm { signed_in, form }: SignedForm<RemindersForm>,
) -> Result<Response, PageError> {
    state
        .app
        .set_my_reminders(signed_in.caller(), form.reminders == "on")
        .await?;
    Ok(Redirect::to("/team").into_response())
}

/// Back to the page, or the page again with the errors (in red) and what was typed.
async fn after(
    state: &AppState,
    signed_in: &SignedIn,
    tr: Tr,
    form: ColleagueForm,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    let errors = match result {
        Ok(()) => return Ok(Redirect::to("/team").into_response()),
        Err(AppError::Invalid(errors)) => errors,
        // The conflicts a person can act on become errors on the page.
        Err(AppError::Conflict(code))
            if ["member_elsewhere", "address_of_a_buyer", "last_admin"]
                .contains(&code.as_str()) =>
        {
            vec![FieldError {
                field: "email".to_owned(),
                message: code.clone(),
                code,
            }]
        }
        Err(other) => return Err(other.into()),
    };
    let team = state.app.team(signed_in.caller()).await?;
    let reminders = state.app.my_reminders(signed_in.caller()).await?;
    let page = page_of(tr, signed_in, (team, reminders), errors, form);
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}
