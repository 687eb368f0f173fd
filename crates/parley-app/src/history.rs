//! A request's history, filtered by the access policy, and read receipts.

use parley_domain::policy::{Action, can};
use parley_domain::{AuthorKind, Event, EventKind, OrganizationId, RequestId, ThreadId};
use parley_store::{events, messages};
use serde_json::json;

use crate::events::new_event;
use crate::requests::authorize;
use crate::{App, AppError, Caller, now};

impl App {
    /// The history of a request, newest first: only the entries the caller may see.
    pub async fn history(&self, caller: &Caller, id: RequestId) -> Result<Vec<Event>, AppError> {
        let parties = authorize(&self.store, caller, id, Action::ReadHistory)
            .await?
            .parties;
        let mut conn = self.store.read().await?;
        let principal = caller.principal();
        Ok(events::of_request(&mut conn, id)
            .await?
            .into_iter()
            .filter(|event| {
                let action = Action::SeeEvent {
                    audience: event.audience,
                    party: event.party,
                };
                can(&principal, action, &parties)
            })
            .collect())
    }

    /// The caller read a thread: the other side's unread messages become read. When the buyer
    /// reads, each message's party sees “read on …” in its history. Returns how many messages
    /// were newly read.
    pub async fn mark_read(
        &self,
        caller: &Caller,
        id: RequestId,
        party: Option<OrganizationId>,
    ) -> Result<usize, AppError> {
        let access = authorize(&self.store, caller, id, Action::ViewRequest).await?;
        let (threads, parties) = (access.threads, access.parties);
        let principal = caller.principal();
        let targets: Vec<_> = threads
            .iter()
            .filter(|t| party.is_none_or(|p| p == t.party))
            .filter(|t| can(&principal, Action::MarkRead(t.party), &parties))
            .collect();
        if targets.is_empty() {
            return Err(AppError::NotFound);
        }
        let other_side = match caller {
            Caller::Buyer(_) => AuthorKind::Buyer,
            _ => AuthorKind::Member,
        };
        let other_side = if other_side == AuthorKind::Buyer {
            AuthorKind::Member
        } else {
            AuthorKind::Buyer
        };
        let at = now();
        let targets: Vec<(ThreadId, OrganizationId)> =
            targets.iter().map(|t| (t.id, t.party)).collect();
        // Read receipts are for the sellers: only the buyer's reading is an event.
        let reader = matches!(caller, Caller::Buyer(_)).then(|| caller.actor());
        let count = self
            .store
            .write((targets, reader), move |tx, (targets, reader)| {
                Box::pin(async move {
                    let mut count = 0;
                    for &(thread, party) in targets {
                        let read = messages::mark_read(tx, thread, other_side, at).await?;
                        count += read.len();
                        let Some(actor) = &reader else { continue };
                        for message in read {
                            let event = new_event(
                                id,
                                Some(party),
                                EventKind::MessageRead,
                                actor.clone(),
                                json!({ "message_id": message.id }),
                                at,
                            );
                            let key = format!("read:{}", message.id);
                            events::append(tx, &event, Some(&key)).await?;
                        }
                    }
                    Ok::<_, parley_store::StoreError>(count)
                })
            })
            .await?;
        Ok(count)
    }
}
