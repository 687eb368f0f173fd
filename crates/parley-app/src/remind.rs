//! “Remind the buyer” (My results, guide section 8): an email to the buyer with a link back to
//! the conversation, at most once a day per party.

use parley_domain::policy::{Action, acting_parties, can};
use parley_domain::{EventKind, RequestId};
use parley_store::tokens::TokenOwner;
use parley_store::{events, outbox, sessions};
use serde_json::json;

use crate::auth::new_token;
use crate::events::new_event;
use crate::files::sha256_hex;
use crate::web_sessions::LINK_TTL;
use crate::{App, AppError, Caller, now};

const DAY_MS: i64 = 86_400_000;

impl App {
    /// Emails the buyer a reminder from the caller's party. Returns `false` when this party
    /// already reminded the buyer today (nothing is sent twice).
    pub async fn remind_buyer(&self, caller: &Caller, id: RequestId) -> Result<bool, AppError> {
        if !matches!(caller, Caller::Member(_)) {
            return Err(AppError::NotFound);
        }
        let principal = caller.principal();
        let mut conn = self.store.read().await?;
        let (access, card) = parley_store::requests::access_with_card(&mut conn, id, None).await?;
        drop(conn);
        if !can(&principal, Action::ViewRequest, &access.parties) {
            return Err(AppError::NotFound);
        }
        let Some(party) = acting_parties(&principal, &access.parties)
            .into_iter()
            .find(|p| can(&principal, Action::PostMessage(*p), &access.parties))
        else {
            return Err(AppError::NotFound);
        };
        let seller = access
            .threads
            .iter()
            .zip(&access.organizations)
            .find(|(thread, _)| thread.party == party)
            .map_or_else(String::new, |(_, organization)| organization.name.clone());
        let (buyer, product) = (card.buyer, card.product.name);
        let at = now();
        let token = new_token()?;
        let mail =
            crate::mail::plain::reminder(&self.settings, &buyer, &seller, &product, &token, at.0);
        let event = new_event(
            id,
            Some(party),
            EventKind::BuyerReminded,
            caller.actor(),
            json!({}),
            at,
        );
        let key = format!("remind:{id}:{party}:{}", at.0.div_euclid(DAY_MS));
        let link = (
            sha256_hex(token.as_bytes()),
            TokenOwner::Buyer(buyer.id.to_string()),
            format!("/requests/{id}"),
            at.0,
        );
        self.store
            .write(
                (event, key, link, mail),
                |tx, (event, key, (hash, owner, next, at), mail)| {
                    Box::pin(async move {
                        // Once a day per party: the dedupe key decides, in the transaction.
                        if !events::append(tx, event, Some(key)).await? {
                            return Ok(false);
                        }
                        let expires = *at + i64::try_from(LINK_TTL.as_millis()).unwrap_or(0);
                        sessions::insert_link(tx, hash, owner, next, *at, expires).await?;
                        outbox::enqueue(tx, mail).await?;
                        Ok::<_, AppError>(true)
                    })
                },
            )
            .await
    }
}
