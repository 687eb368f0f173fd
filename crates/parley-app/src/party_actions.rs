//! What a party does with a request besides writing: put people in copy (FAQ d), decline it
//! (guide section 5: the reason stays with the sellers, the buyer may get a polite notice), and
//! mark it won or lost (the "sale concluded" status the manufacturer follows).

use parley_domain::{DeclineReason, EventKind, Member, Outcome, RequestId};
use parley_store::events;
use parley_store::network;
use parley_store::requests::{self as store_requests, Access, Card};
use serde_json::json;

use crate::events::new_event;
use crate::handover::{handling_party, party_name, thread_of};
use crate::mail::conversation::Conversation;
use crate::mail::network::declined_to_buyer;
use crate::{App, AppError, Caller, now, relay};

/// A decline as the request page or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct Decline {
    pub party: Option<String>,
    /// One of [`DeclineReason`]'s stored forms.
    pub reason: String,
    /// Free text; required with the reason "other".
    pub note: String,
    /// Send the buyer the polite notice.
    pub notify_buyer: bool,
}

/// What a request's party-side transaction needs, loaded before it.
pub(crate) struct Loaded {
    pub settings: crate::Settings,
    pub access: Access,
    pub card: Card,
    pub party: parley_domain::OrganizationId,
    pub by: Member,
}

impl App {
    pub(crate) async fn load_for_party(
        &self,
        caller: &Caller,
        request_id: RequestId,
        party: Option<&str>,
    ) -> Result<Loaded, AppError> {
        let Caller::Member(by) = caller else {
            return Err(AppError::NotFound);
        };
        let mut conn = self.store.read().await?;
        let (access, card) = store_requests::access_with_card(&mut conn, request_id, None).await?;
        let party = handling_party(caller, &access, party)?;
        Ok(Loaded {
            settings: (*self.settings).clone(),
            access,
            card,
            party,
            by: by.clone(),
        })
    }

    /// Declines the request for the caller's party. Counts as handled in the ratings; the
    /// reason is kept for the sellers and never shown to the buyer.
    pub async fn decline_request(
        &self,
        caller: &Caller,
        request_id: RequestId,
        decline: Decline,
    ) -> Result<(), AppError> {
        let reason = DeclineReason::parse(decline.reason.trim()).map_err(|_| {
            AppError::invalid("reason", "reason_invalid", "Choose a reason from the list.")
        })?;
        let note = decline.note.trim().to_owned();
        if reason == DeclineReason::Other && note.is_empty() {
            return Err(AppError::invalid(
                "note",
                "required",
                "Say why in a few words.",
            ));
        }
        let loaded = self
            .load_for_party(caller, request_id, decline.party.as_deref())
            .await?;
        let thread = thread_of(&loaded.access, loaded.party)?.clone();
        if thread.declined_at.is_some() {
            return Err(AppError::Conflict("already_declined".to_owned()));
        }
        let token = relay::new_address_token()?;
        let (actor, at) = (caller.actor(), now());
        let notify_buyer = decline.notify_buyer;
        self.store
            .write(
                (loaded, thread, reason, note, token, actor, at),
                move |tx, (loaded, thread, reason, note, token, actor, at)| {
                    Box::pin(async move {
                        let note = Some(note.as_str()).filter(|n| !n.is_empty());
                        if !network::decline(&mut *tx, thread.id, *reason, note, *at).await? {
                            return Err(AppError::Conflict("already_declined".to_owned()));
                        }
                        let event = new_event(
                            thread.request_id,
                            Some(thread.party),
                            EventKind::RequestDeclined,
                            actor.clone(),
                            json!({ "reason": reason, "note": note, "buyer_notified": notify_buyer }),
                            *at,
                        );
                        events::append(&mut *tx, &event, None).await?;
                        if notify_buyer {
                            let name = party_name(&loaded.access, thread.party);
                            let conversation = Conversation {
                                request_id: thread.request_id.to_string(),
                                thread_id: thread.id.to_string(),
                                product: &loaded.card.product.name,
                                party_name: &name,
                                buyer: &loaded.card.buyer,
                            };
                            let mut notice =
                                declined_to_buyer(&loaded.settings, &conversation, at.0);
                            notice.new_token.clone_from(token);
                            relay::enqueue_notices(
                                &mut *tx,
                                &loaded.settings.relay_domain,
                                &[notice],
                                at.0,
                            )
                            .await?;
                        }
                        Ok(())
                    })
                },
            )
            .await
    }

    /// Marks the request won (a sale was concluded) or lost for the caller's party.
    pub async fn mark_outcome(
        &self,
        caller: &Caller,
        request_id: RequestId,
        party: Option<String>,
        outcome: &str,
    ) -> Result<(), AppError> {
        let outcome = Outcome::parse(outcome.trim())
            .map_err(|_| AppError::invalid("outcome", "outcome_invalid", "Choose won or lost."))?;
        let loaded = self
            .load_for_party(caller, request_id, party.as_deref())
            .await?;
        let thread = thread_of(&loaded.access, loaded.party)?.clone();
        let event = new_event(
            request_id,
            Some(thread.party),
            EventKind::OutcomeMarked,
            caller.actor(),
            json!({ "outcome": outcome }),
            now(),
        );
        self.store
            .write((thread, event, outcome), |tx, (thread, event, outcome)| {
                Box::pin(async move {
                    network::set_outcome(&mut *tx, thread.id, *outcome, event.created_at).await?;
                    events::append(&mut *tx, event, None).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await
    }
}

/// What the request page's "handle" panel shows a seller: the party they act for, its status,
/// and where the request can be forwarded.
#[derive(Debug, Clone)]
pub struct Handling {
    pub party: parley_domain::OrganizationId,
    pub declined: Option<DeclineReason>,
    pub outcome: Option<Outcome>,
    /// (value for the form, label): `org:<id>` for network members (manufacturer's party
    /// only), `member:<id>` for colleagues.
    pub forward_choices: Vec<(String, String)>,
    /// The people in copy for this party (each can be taken out of copy).
    pub copies: Vec<crate::copies::PersonInCopy>,
}

impl App {
    /// The panel for `caller` on this request; `None` for buyers.
    pub async fn handling(
        &self,
        caller: &Caller,
        request_id: RequestId,
    ) -> Result<Option<Handling>, AppError> {
        let Caller::Member(me) = caller else {
            return Ok(None);
        };
        let mut conn = self.store.read().await?;
        let access = store_requests::access(&mut conn, request_id).await?;
        let Ok(party) = handling_party(caller, &access, None) else {
            return Ok(None);
        };
        let thread = thread_of(&access, party)?;
        let mut forward_choices = Vec::new();
        let principal = caller.principal();
        if parley_domain::can(&principal, parley_domain::Action::Route, &access.parties) {
            for link in
                parley_store::directory::network_of(&mut conn, access.request.manufacturer_id)
                    .await?
            {
                if access.parties.parties.contains(&link.member_org_id) {
                    continue;
                }
                let org =
                    parley_store::directory::organization(&mut conn, link.member_org_id).await?;
                forward_choices.push((format!("org:{}", org.id), org.name));
            }
        }
        for colleague in parley_store::directory::members_of(&mut conn, me.organization_id).await? {
            if colleague.id != me.id {
                forward_choices.push((
                    format!("member:{}", colleague.id),
                    format!("{} <{}>", colleague.name, colleague.email),
                ));
            }
        }
        let copies = parley_store::network::copies_of(&mut conn, request_id)
            .await?
            .into_iter()
            .filter(|c| c.party == party)
            .map(crate::copies::PersonInCopy::from)
            .collect();
        Ok(Some(Handling {
            party,
            declined: thread.decline_reason,
            outcome: thread.outcome,
            forward_choices,
            copies,
        }))
    }
}
