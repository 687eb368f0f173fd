//! "My sales network" (Mon réseau de vente): the manufacturer's distributors and area managers
//! with their territories, contacts and auto-CC addresses, routing, and response ratings.

use crate::ids::Id;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::AppError;
use parley_app::network::{NetworkOverview, NewNetworkMember};
use parley_domain::FieldError;
use parley_domain::rating::Rating;
use serde::Deserialize;

use super::session::{SignedForm, SignedIn};
use super::{LANGUAGES, PageError, Tr, render};
use crate::AppState;

/// A rating as the page prints it.
pub struct RatingView {
    pub received: String,
    pub rate: String,
    pub median: String,
    pub declined: String,
    pub won: String,
    /// "4.5 ★ (2)", or "–" without reviews.
    pub reviews: String,
}

impl RatingView {
    fn new(tr: &Tr, rating: &Rating) -> Self {
        Self {
            received: tr.number(rating.received),
            rate: rating
                .response_rate_percent
                .map_or_else(|| "–".to_owned(), |p| format!("{} %", tr.number(p))),
            median: rating
                .median_first_response_ms
                .map_or_else(|| "–".to_owned(), |ms| duration(tr, ms)),
            declined: tr.number(rating.declined),
            won: tr.number(rating.won),
            reviews: rating.average_review().map_or_else(
                || "–".to_owned(),
                |average| {
                    format!(
                        "{} ★ ({})",
                        tr.number(format!("{average:.1}")),
                        tr.number(rating.reviews)
                    )
                },
            ),
        }
    }
}

/// "3 h 20 min", "2 d 4 h", "12 min", in the reader's language.
fn duration(tr: &Tr, ms: i64) -> String {
    let minutes = ms / 60_000;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let (d, h, m) = (days.to_string(), hours.to_string(), mins.to_string());
    match (days, hours) {
        (0, 0) => tr.t1("duration-minutes", "minutes", m),
        (0, _) => tr.t2("duration-hours", ("hours", &h), ("minutes", &m)),
        _ => tr.t2("duration-days", ("days", &d), ("hours", &h)),
    }
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub territories: String,
    pub contacts: String,
    pub auto_cc: String,
    pub rating: RatingView,
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    /// Show "My sales network" in the menu (manufacturers' members only).
    network_link: bool,
    /// Show "My team" (members of an organization; not people outside any).
    team_link: bool,
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    seller: bool,
    csrf: String,
    /// Not a manufacturer: nothing to manage.
    no_network: bool,
    manufacturer: String,
    members: Vec<MemberRow>,
    routing_enabled: bool,
    rules: Vec<(String, String)>,
    own: RatingView,
    network: RatingView,
    window_days: u32,
    /// When the ratings were summed.
    computed_at: String,
    errors: Vec<FieldError>,
    form: NewMemberForm,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewMemberForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub territories: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_language: String,
    #[serde(default)]
    pub auto_cc: String,
    #[serde(default)]
    pub product_line: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub routing: Option<String>,
}

#[derive(Deserialize)]
pub struct NetworkParams {
    days: Option<u32>,
}

fn page_of(
    tr: Tr,
    signed_in: &SignedIn,
    overview: Option<NetworkOverview>,
    errors: Vec<FieldError>,
    form: NewMemberForm,
) -> NetworkPage {
    let empty = Rating::default();
    let computed_at = overview
        .as_ref()
        .map(|o| tr.time(o.ratings_computed_at))
        .unwrap_or_default();
    let (manufacturer, members, routing_enabled, rules, own, network, window_days) = match &overview
    {
        Some(o) => (
            o.manufacturer.name.clone(),
            o.members
                .iter()
                .map(|m| MemberRow {
                    id: m.organization.id.to_string(),
                    name: m.organization.name.clone(),
                    kind: tr.t(&format!("org-kind-{}", m.organization.kind)),
                    territories: join(m.link.territories.iter()),
                    contacts: m
                        .people
                        .iter()
                        .map(|p| format!("{} <{}>", p.name, p.email))
                        .collect::<Vec<_>>()
                        .join(", "),
                    auto_cc: join(m.link.auto_cc.iter()),
                    rating: RatingView::new(&tr, &m.rating),
                })
                .collect(),
            o.routing.enabled,
            o.routing
                .rules
                .iter()
                .map(|(line, target)| {
                    let to = match target {
                        None => o.manufacturer.name.clone(),
                        Some(id) => o
                            .members
                            .iter()
                            .find(|m| m.organization.id == *id)
                            .map_or_else(|| id.to_string(), |m| m.organization.name.clone()),
                    };
                    (line.clone(), to)
                })
                .collect(),
            RatingView::new(&tr, &o.own_rating),
            RatingView::new(&tr, &o.network_rating),
            o.window_days,
        ),
        None => (
            String::new(),
            Vec::new(),
            false,
            Vec::new(),
            RatingView::new(&tr, &empty),
            RatingView::new(&tr, &empty),
            0,
        ),
    };
    NetworkPage {
        tr,
        languages: &LANGUAGES,
        network_link: signed_in.session.manages_network,
        team_link: signed_in.session.has_team,
        seller: signed_in.is_seller(),
        csrf: signed_in.session.csrf.clone(),
        no_network: overview.is_none(),
        manufacturer,
        members,
        routing_enabled,
        rules,
        own,
        network,
        window_days,
        computed_at,
        errors,
        form,
    }
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

async fn overview(
    state: &AppState,
    signed_in: &SignedIn,
    days: Option<u32>,
) -> Result<Option<NetworkOverview>, PageError> {
    match state.app.network_overview(signed_in.caller(), days).await {
        Ok(overview) => Ok(Some(overview)),
        Err(AppError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    tr: Tr,
    Query(params): Query<NetworkParams>,
) -> Result<Response, PageError> {
    let overview = overview(&state, &signed_in, params.days).await?;
    let page = page_of(
        tr,
        &signed_in,
        overview,
        Vec::new(),
        NewMemberForm::default(),
    );
    Ok(render(&page))
}

/// Back to the page, or the page again with the errors and what was typed.
async fn after(
    state: &AppState,
    signed_in: &SignedIn,
    tr: Tr,
    form: NewMemberForm,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to("/network").into_response()),
        Err(AppError::Invalid(errors)) => {
            let overview = overview(state, signed_in, None).await?;
            let page = page_of(tr, signed_in, overview, errors, form);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn add_member(
    State(state): State<AppState>,
    tr: Tr,
    SignedForm { signed_in, form }: SignedForm<NewMemberForm>,
) -> Result<Response, PageError> {
    let input = NewNetworkMember {
        name: form.name.clone(),
        kind: form.kind.clone(),
        country: form.country.clone(),
        territories: form.territories.clone(),
        contact_name: form.contact_name.clone(),
        contact_email: form.contact_email.clone(),
        contact_language: form.contact_language.clone(),
        auto_cc: form.auto_cc.clone(),
    };
    let result = state
        .app
        .add_network_member(signed_in.caller(), input)
        .await
        .map(|_| ());
    after(&state, &signed_in, tr, form, result).await
}

pub async fn update_member(
    State(state): State<AppState>,
    tr: Tr,
    Id(org): Id<parley_domain::OrganizationId>,
    SignedForm { signed_in, form }: SignedForm<NewMemberForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .update_network_member(signed_in.caller(), org, &form.territories, &form.auto_cc)
        .await;
    after(&state, &signed_in, tr, form, result).await
}

pub async fn remove_member(
    State(state): State<AppState>,
    Id(org): Id<parley_domain::OrganizationId>,
    SignedForm { signed_in, .. }: SignedForm<NewMemberForm>,
) -> Result<Response, PageError> {
    state
        .app
        .remove_network_member(signed_in.caller(), org)
        .await?;
    Ok(Redirect::to("/network").into_response())
}

pub async fn routing(
    State(state): State<AppState>,
    tr: Tr,
    SignedForm { signed_in, form }: SignedForm<NewMemberForm>,
) -> Result<Response, PageError> {
    let caller = signed_in.caller();
    let result = if form.routing.is_some() {
        state
            .app
            .set_routing_enabled(caller, form.enabled.is_some())
            .await
    } else {
        match crate::api::network::rule_target(&form.target) {
            Ok(target) => {
                state
                    .app
                    .set_routing_rule(caller, &form.product_line, target)
                    .await
            }
            Err(_) => Err(AppError::invalid_field(
                "target",
                "target_invalid",
                "Choose where the line's requests go.",
            )),
        }
    };
    after(&state, &signed_in, tr, form, result).await
}
