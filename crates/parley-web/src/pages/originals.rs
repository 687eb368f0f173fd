//! What a request's history links to: an emailed message's original and the documents.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use parley_app::documents::Original;
use parley_domain::DocumentId;

use super::session::SignedIn;
use super::text::linkify;
use super::{LANGUAGES, PageError, Tr, render};
use crate::AppState;
use crate::ids::Id;

#[derive(Template)]
#[template(path = "email_view.html")]
struct EmailViewPage {
    /// Show "My sales network" in the menu (manufacturers' members only).
    network_link: bool,
    /// Show "My team" (members of an organization; not people outside any).
    team_link: bool,
    tr: Tr,
    languages: &'static [(&'static str, &'static str)],
    csrf: String,
    seller: bool,
    request: String,
    at: String,
    at_text: String,
    subject: String,
    /// Escaped, links clickable.
    text: String,
    attachments: Vec<(String, String, String)>,
}

/// An emailed message's original: the raw `.eml` for the sender's own side, a readable view
/// with addresses masked for the other side.
pub async fn email_original(
    State(state): State<AppState>,
    signed_in: SignedIn,
    tr: Tr,
    Id(message): Id<parley_domain::MessageId>,
) -> Result<Response, PageError> {
    match state
        .app
        .email_original(signed_in.caller(), message)
        .await?
    {
        Original::Raw(raw) => Ok(crate::api::documents::original_response(
            &message.to_string(),
            raw,
        )),
        Original::Readable(view) => Ok(render(&EmailViewPage {
            network_link: signed_in.session.manages_network,
            team_link: signed_in.session.has_team,
            languages: &LANGUAGES,
            csrf: signed_in.session.csrf.clone(),
            seller: signed_in.is_seller(),
            request: view.request.to_string(),
            at: view.received_at.to_rfc3339(),
            at_text: tr.time(view.received_at),
            subject: view.subject,
            text: linkify(&view.text),
            attachments: view
                .attachments
                .into_iter()
                .map(|(name, kind, size)| (name, kind, format!("{} KB", size.div_ceil(1024))))
                .collect(),
            tr,
        })),
    }
}

pub async fn document(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Id(id): Id<DocumentId>,
) -> Result<Response, PageError> {
    Ok(crate::api::documents::open(&state, signed_in.caller(), id).await?)
}
