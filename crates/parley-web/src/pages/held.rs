//! Replies held in the reader's name because their sender could not be verified: listed on
//! the request page, released or deleted from it (`parley_app::held`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::Caller;
use parley_domain::{RequestId, Timestamp};

use super::PageError;
use super::i18n::Tr;
use super::session::{NoFields, SignedForm};
use crate::AppState;
use crate::ids::Ids;

/// A held reply as its holder sees it.
pub struct HeldItem {
    pub id: String,
    pub sender: String,
    pub subject: String,
    pub preview: String,
    pub received: String,
}

/// The replies held for `caller` on request `id`.
pub(super) async fn items(
    state: &AppState,
    tr: &Tr,
    caller: &Caller,
    id: RequestId,
) -> Result<Vec<HeldItem>, PageError> {
    Ok(state
        .app
        .held_replies(caller, id)
        .await?
        .into_iter()
        .map(|h| HeldItem {
            received: tr.time(Timestamp(h.received_at)),
            id: h.id,
            sender: h.sender,
            subject: h.subject,
            preview: h.preview,
        })
        .collect())
}

/// Posts a reply held in the reader's name: it was theirs.
pub async fn release_held(
    State(state): State<AppState>,
    Ids(id, held): Ids<RequestId, String>,
    SignedForm { signed_in, .. }: SignedForm<NoFields>,
) -> Result<Response, PageError> {
    state
        .app
        .release_held_reply(signed_in.caller(), id, &held)
        .await?;
    Ok(Redirect::to(&format!("/requests/{id}#history")).into_response())
}

/// Deletes a reply held in the reader's name: it was not theirs.
pub async fn delete_held(
    State(state): State<AppState>,
    Ids(id, held): Ids<RequestId, String>,
    SignedForm { signed_in, .. }: SignedForm<NoFields>,
) -> Result<Response, PageError> {
    state
        .app
        .delete_held_reply(signed_in.caller(), id, &held)
        .await?;
    Ok(Redirect::to(&format!("/requests/{id}")).into_response())
}
