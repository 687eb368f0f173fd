//! The request page's "handle" panel: Forward (Transférer), Copy, Decline (Décliner) with a
//! reason and Confirm, and Won / Lost. Each form posts here; a refused one comes back with its
//! errors and what was typed.

use crate::ids::{Id, Ids};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::handover::{Forward, ForwardTo};
use parley_app::party_actions::{Decline, Handling};
use parley_app::{AppError, Caller};
use parley_domain::{DeclineReason, RequestId};
use serde::Deserialize;

use super::request_page::{RequestPage, page, parse_id};
use super::session::{NoFields, SignedForm, SignedIn};
use super::{PageError, Tr, render};
use crate::AppState;

/// The panel as the template shows it.
pub struct HandlingView {
    /// The reason, translated, once declined.
    pub declined: Option<String>,
    /// `won` or `lost`.
    pub outcome: Option<String>,
    pub forward_choices: Vec<(String, String)>,
    pub reasons: Vec<(&'static str, String)>,
    /// The people in copy: (member id, "Name <email>").
    pub copies: Vec<(String, String)>,
}

impl HandlingView {
    pub fn new(tr: &Tr, handling: Handling) -> Self {
        Self {
            declined: handling
                .declined
                .map(|r| tr.t(&format!("decline-reason-{r}"))),
            outcome: handling.outcome.map(|o| o.to_string()),
            forward_choices: handling.forward_choices,
            copies: handling
                .copies
                .iter()
                .map(|c| (c.member.to_string(), format!("{} <{}>", c.name, c.email)))
                .collect(),
            reasons: DeclineReason::ALL
                .iter()
                .map(|r| (r.as_str(), tr.t(&format!("decline-reason-{r}"))))
                .collect(),
        }
    }
}

/// What the panel's forms keep after a refusal.
#[derive(Debug, Default, Deserialize)]
pub struct HandleForm {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub to_email: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub notify_buyer: Option<String>,
    #[serde(default)]
    pub outcome: String,
}

/// Renders the request page again with the panel's errors, or goes back to the history.
async fn done(
    state: &AppState,
    signed_in: &SignedIn,
    tr: Tr,
    id: RequestId,
    form: HandleForm,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/requests/{id}#history")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let fresh = super::request_page::FormValues::default();
            let page: RequestPage = page(state, signed_in, tr, id, fresh, Vec::new()).await?;
            let page = page.with_handle_errors(errors, form);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(AppError::Conflict(what)) if what == "already_declined" => {
            Ok(Redirect::to(&format!("/requests/{id}#history")).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn member(signed_in: &SignedIn) -> Result<&Caller, PageError> {
    match signed_in.caller() {
        caller @ Caller::Member(_) => Ok(caller),
        _ => Err(PageError::NotFound),
    }
}

pub async fn forward(
    State(state): State<AppState>,
    tr: Tr,
    _headers: HeaderMap,
    Id(id): Id<RequestId>,
    SignedForm { signed_in, form }: SignedForm<HandleForm>,
) -> Result<Response, PageError> {
    let caller = member(&signed_in)?;
    let to = if !form.to_email.trim().is_empty() {
        Some(ForwardTo::Email(form.to_email.clone()))
    } else if let Some(org) = form.to.strip_prefix("org:") {
        Some(ForwardTo::Organization(parse_id(org)?))
    } else if let Some(member) = form.to.strip_prefix("member:") {
        Some(ForwardTo::Member(parse_id(member)?))
    } else {
        None
    };
    let result = match to {
        Some(to) => {
            let forward = Forward {
                party: None,
                to,
                note: form.note.clone(),
            };
            state
                .app
                .forward_request(caller, id, forward)
                .await
                .map(|_| ())
        }
        None => Err(AppError::invalid_field(
            "to",
            "target_required",
            "Choose who receives the request, or type an email address.",
        )),
    };
    done(&state, &signed_in, tr, id, form, result).await
}

pub async fn cc(
    State(state): State<AppState>,
    tr: Tr,
    Id(id): Id<RequestId>,
    SignedForm { signed_in, form }: SignedForm<HandleForm>,
) -> Result<Response, PageError> {
    let caller = member(&signed_in)?;
    let result = state
        .app
        .add_cc(caller, id, None, &form.email)
        .await
        .map(|_| ());
    done(&state, &signed_in, tr, id, form, result).await
}

/// Takes someone out of copy (their access ends at once).
pub async fn remove_cc(
    State(state): State<AppState>,
    Ids(id, member): Ids<RequestId, parley_domain::MemberId>,
    SignedForm { signed_in, .. }: SignedForm<NoFields>,
) -> Result<Response, PageError> {
    let caller = self::member(&signed_in)?;
    state.app.remove_from_copy(caller, id, None, member).await?;
    Ok(Redirect::to(&format!("/requests/{id}#handle")).into_response())
}

pub async fn decline(
    State(state): State<AppState>,
    tr: Tr,
    Id(id): Id<RequestId>,
    SignedForm { signed_in, form }: SignedForm<HandleForm>,
) -> Result<Response, PageError> {
    let caller = member(&signed_in)?;
    let decline = Decline {
        party: None,
        reason: form.reason.clone(),
        note: form.note.clone(),
        notify_buyer: form.notify_buyer.is_some(),
    };
    let result = state.app.decline_request(caller, id, decline).await;
    done(&state, &signed_in, tr, id, form, result).await
}

pub async fn outcome(
    State(state): State<AppState>,
    tr: Tr,
    Id(id): Id<RequestId>,
    SignedForm { signed_in, form }: SignedForm<HandleForm>,
) -> Result<Response, PageError> {
    let caller = member(&signed_in)?;
    let result = state
        .app
        .mark_outcome(caller, id, None, &form.outcome)
        .await;
    done(&state, &signed_in, tr, id, form, result).await
}
