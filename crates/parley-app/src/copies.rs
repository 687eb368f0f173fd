//! People in copy of a request (FAQ d): someone a party copies — with *Add in copy*, or in a
//! message's Copy field — acts for that party on this request, may answer the buyer, is emailed
//! the buyer's later messages, and appears as themselves. The party can take them out of copy at
//! any time; their access and their masked addresses end at once.

use parley_domain::policy::{Action, acting_parties, can};
use parley_domain::{
    Actor, EmailAddress, EventKind, GrantKind, Member, MemberId, OrganizationId, RequestId,
    Timestamp,
};
use parley_store::network::{self, Copied};
use parley_store::{Connection, events, relay as store_relay};
use serde_json::json;

use crate::events::new_event;
use crate::handover::{
    HandedTo, HandoverContext, Recipient, hand_over, party_name, recipient_is_buyer, thread_of,
};
use crate::mail::conversation::Conversation;
use crate::party_actions::Loaded;
use crate::{App, AppError, Caller, now};

/// A person in copy, as the request page and the API list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInCopy {
    pub member: MemberId,
    pub name: String,
    pub email: String,
    /// The party they act for.
    pub party: OrganizationId,
    pub since: Timestamp,
}

impl From<Copied> for PersonInCopy {
    fn from(
        Copied {
            member,
            party,
            since,
        }: Copied,
    ) -> Self {
        Self {
            member: member.id,
            name: member.name,
            email: member.email.to_string(),
            party,
            since,
        }
    }
}

impl App {
    /// Puts `email` in copy of the request for the caller's party: they get the request, a
    /// sign-in link, and that party's access; they may answer the buyer (FAQ d).
    pub async fn add_cc(
        &self,
        caller: &Caller,
        request_id: RequestId,
        party: Option<String>,
        email: &str,
    ) -> Result<HandedTo, AppError> {
        let email = EmailAddress::parse(email)
            .map_err(|e| AppError::invalid("email", "email_invalid", e.to_string()))?;
        let loaded = self
            .load_for_party(caller, request_id, party.as_deref())
            .await?;
        thread_of(&loaded.access, loaded.party)?;
        let recipient = Recipient::new(email, Some((loaded.party, GrantKind::Cc)), false)?;
        let (actor, at) = (caller.actor(), now());
        self.store
            .write(
                (loaded, recipient, actor, at),
                |tx, (loaded, recipient, actor, at)| {
                    Box::pin(record_cc(tx, loaded, recipient, actor, *at))
                },
            )
            .await
            .map_err(recipient_is_buyer("email"))
    }

    /// The people in copy for the parties the caller acts for (a party's copies are its own
    /// business: another party never sees them).
    pub async fn people_in_copy(
        &self,
        caller: &Caller,
        request_id: RequestId,
    ) -> Result<Vec<PersonInCopy>, AppError> {
        let access =
            crate::requests::authorize(&self.store, caller, request_id, Action::ViewRequest)
                .await?;
        let acting = acting_parties(&caller.principal(), &access.parties);
        if acting.is_empty() {
            return Ok(Vec::new());
        }
        let copies = network::copies_of(&mut *self.store.read().await?, request_id).await?;
        Ok(copies
            .into_iter()
            .filter(|c| acting.contains(&c.party))
            .map(PersonInCopy::from)
            .collect())
    }

    /// Takes `member` out of copy of the request for the caller's party: their access to it
    /// and their masked addresses in the party's thread end at once. `NotFound` when they were
    /// not in copy for a party the caller handles.
    pub async fn remove_from_copy(
        &self,
        caller: &Caller,
        request_id: RequestId,
        party: Option<String>,
        member: MemberId,
    ) -> Result<(), AppError> {
        let loaded = self
            .load_for_party(caller, request_id, party.as_deref())
            .await?;
        if !can(
            &caller.principal(),
            Action::Handle(loaded.party),
            &loaded.access.parties,
        ) {
            return Err(AppError::NotFound);
        }
        let thread = thread_of(&loaded.access, loaded.party)?.clone();
        let removed =
            parley_store::directory::member_by_id(&mut *self.store.read().await?, member).await?;
        let (actor, at) = (caller.actor(), now());
        let party = loaded.party;
        let tokens = self
            .store
            .write(
                (removed, thread, actor),
                move |tx, (removed, thread, actor)| {
                    Box::pin(async move {
                        if !network::revoke_copy(&mut *tx, request_id, removed.id, party, at)
                            .await?
                        {
                            return Err(AppError::NotFound);
                        }
                        let tokens = store_relay::revoke_held_by(
                            &mut *tx,
                            &thread.id.to_string(),
                            removed.email.as_str(),
                            at.0,
                        )
                        .await?;
                        let event = new_event(
                            request_id,
                            Some(party),
                            EventKind::CcRemoved,
                            actor.clone(),
                            json!({ "name": removed.name, "email": removed.email.as_str() }),
                            at,
                        );
                        events::append(&mut *tx, &event, None).await?;
                        Ok::<_, AppError>(tokens)
                    })
                },
            )
            .await?;
        for token in tokens {
            self.relay_targets.forget(&token);
        }
        Ok(())
    }
}

async fn record_cc(
    tx: &mut Connection,
    loaded: &Loaded,
    recipient: &Recipient,
    actor: &Actor,
    at: Timestamp,
) -> Result<HandedTo, AppError> {
    let thread = thread_of(&loaded.access, loaded.party)?;
    let name = party_name(&loaded.access, loaded.party);
    let request = &loaded.access.request;
    let context = HandoverContext {
        settings: &loaded.settings,
        conversation: Conversation {
            request_id: request.id.to_string(),
            thread_id: thread.id.to_string(),
            product: &loaded.card.product.name,
            party_name: &name,
            buyer: &loaded.card.buyer,
        },
        request_text: &request.message,
        request_created_at: request.created_at,
        by_name: &loaded.by.name,
        by_member: Some(loaded.by.id),
        note: "",
        default_language: loaded.by.language,
        at,
    };
    let members = hand_over(&mut *tx, &context, std::slice::from_ref(recipient)).await?;
    let member = members
        .first()
        .ok_or_else(|| AppError::internal("a copy without a recipient"))?;
    let event = new_event(
        request.id,
        Some(loaded.party),
        EventKind::CcAdded,
        actor.clone(),
        json!({ "name": member.name, "email": member.email.as_str(), "automatic": false }),
        at,
    );
    events::append(&mut *tx, &event, None).await?;
    Ok(HandedTo {
        member: member.id,
        name: member.name.clone(),
        email: member.email.to_string(),
    })
}

/// Puts the people of a message's Copy field in copy of the party's request (inside the
/// message's transaction): each acts for `party` from now on, as themselves. Colleagues of the
/// party need no grant; a buyer's address is refused (a buyer cannot act for a seller).
pub(crate) async fn copy_from_message(
    tx: &mut Connection,
    request: (RequestId, Timestamp),
    party: OrganizationId,
    (cc, event_ids): (&[EmailAddress], &[parley_domain::EventId]),
    (by, actor): (&Member, &Actor),
    at: Timestamp,
) -> Result<(), AppError> {
    for (email, event_id) in cc.iter().zip(event_ids) {
        if *email == by.email {
            continue;
        }
        let member = crate::handover::member_for(&mut *tx, email, by.language)
            .await
            .map_err(AppError::from)
            .map_err(recipient_is_buyer("cc"))?;
        if member.organization_id == party {
            continue;
        }
        let granted = network::grant(
            &mut *tx,
            &network::Grant {
                request: request.0,
                member: member.id,
                party,
                kind: GrantKind::Cc,
                granted_by: Some(by.id),
                request_created_at: request.1,
                created_at: at,
            },
        )
        .await?;
        if granted {
            let mut event = new_event(
                request.0,
                Some(party),
                EventKind::CcAdded,
                actor.clone(),
                json!({ "name": member.name, "email": member.email.as_str(), "automatic": false }),
                at,
            );
            // Drawn before the message's own event: at the same millisecond, the message shows
            // on top and who it put in copy under it.
            event.id = *event_id;
            events::append(&mut *tx, &event, None).await?;
        }
    }
    Ok(())
}
