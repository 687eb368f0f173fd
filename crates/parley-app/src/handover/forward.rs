//! Forwarding a request (guide section 4): to a network member, routed behind the wall, or to
//! a colleague or any address, who then acts for the forwarding party.

use parley_domain::policy::{Action, can};
use parley_domain::{
    EmailAddress, EventKind, GrantKind, Member, MemberId, Organization, OrganizationId, Thread,
    ThreadId, Timestamp,
};
use parley_store::network;
use parley_store::requests::{self as store_requests, Access, Card};
use parley_store::{Connection, directory, events};
use serde_json::json;

use super::{
    HandoverContext, Recipient, email_field, hand_over, handling_party, party_name,
    recipient_is_buyer, thread_of,
};
use crate::events::new_event;
use crate::mail::conversation::Conversation;
use crate::{App, AppError, Caller, now};

/// Where a request is forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardTo {
    /// A member of the manufacturer's sales network: the request is routed to it (a thread of
    /// its own, which the manufacturer does not read).
    Organization(OrganizationId),
    /// A person known to Parley.
    Member(MemberId),
    /// Any address: the person gets the forwarding party's access to this request.
    Email(String),
}

/// A forward as the request page or the API sends it.
#[derive(Debug, Clone)]
pub struct Forward {
    /// The party forwarding (the caller's own when absent).
    pub party: Option<String>,
    pub to: ForwardTo,
    pub note: String,
}

/// Who the request was handed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandedTo {
    pub member: MemberId,
    pub name: String,
    pub email: String,
}

/// What the transaction of a forward needs.
struct ForwardUnit {
    settings: crate::Settings,
    access: Access,
    card: Card,
    party: OrganizationId,
    /// For a route: the network member's new thread (or `None` when it has one already).
    new_thread: Option<Thread>,
    thread_id: ThreadId,
    recipients: Vec<Recipient>,
    route_to: Option<Organization>,
    /// The network member's automatic-copy addresses, for a route.
    auto_cc: Vec<EmailAddress>,
    by: Member,
    note: String,
}

impl App {
    /// Forwards a request (guide section 4). The new recipient handles it from now on and
    /// gets a sign-in link; a network member gets its own thread, anyone else the forwarding
    /// party's access to this request. A network member's automatic-copy addresses get the
    /// request (only: see `mail::automatic_copy`).
    pub async fn forward_request(
        &self,
        caller: &Caller,
        request_id: parley_domain::RequestId,
        forward: Forward,
    ) -> Result<HandedTo, AppError> {
        let Caller::Member(by) = caller else {
            return Err(AppError::NotFound);
        };
        let mut conn = self.store.read().await?;
        let (access, card) = store_requests::access_with_card(&mut conn, request_id, None).await?;
        if !can(&caller.principal(), Action::ViewRequest, &access.parties) {
            return Err(AppError::NotFound);
        }
        let party = handling_party(caller, &access, forward.party.as_deref())?;
        let at = now();
        let mut auto_cc = Vec::new();
        let (route_to, new_thread, thread_id, recipients) = match &forward.to {
            ForwardTo::Organization(org) => {
                if !can(&caller.principal(), Action::Route, &access.parties) {
                    return Err(AppError::NotFound);
                }
                let network =
                    directory::network_of(&mut conn, access.request.manufacturer_id).await?;
                let Some(link) = network.iter().find(|l| l.member_org_id == *org) else {
                    return Err(AppError::invalid(
                        "to",
                        "not_in_network",
                        "This organization is not in the sales network.",
                    ));
                };
                let organization = directory::organization(&mut conn, *org).await?;
                let Some(handler) = directory::members_of(&mut conn, *org)
                    .await?
                    .into_iter()
                    .next()
                else {
                    return Err(AppError::invalid(
                        "to",
                        "no_contact",
                        "This network member has nobody to receive requests yet.",
                    ));
                };
                let existing = access.threads.iter().find(|t| t.party == *org);
                let new_thread = existing.is_none().then(|| Thread {
                    id: ThreadId::new(),
                    request_id,
                    party: *org,
                    created_at: at,
                    contacted_at: None,
                    declined_at: None,
                    decline_reason: None,
                    outcome: None,
                });
                let thread_id =
                    existing.map_or_else(|| new_thread.as_ref().map(|t| t.id), |t| Some(t.id));
                let recipients = vec![Recipient::new(handler.email.clone(), None, true)?];
                auto_cc.clone_from(&link.auto_cc);
                (
                    Some(organization),
                    new_thread,
                    thread_id.ok_or(AppError::NotFound)?,
                    recipients,
                )
            }
            target => {
                let email = match target {
                    ForwardTo::Member(id) => {
                        directory::member_by_id(&mut conn, *id)
                            .await
                            .map_err(|_| {
                                AppError::invalid("to", "member_unknown", "No such person.")
                            })?
                            .email
                    }
                    ForwardTo::Email(text) => email_field("to", text)?,
                    ForwardTo::Organization(_) => unreachable!("matched above"),
                };
                if email == by.email {
                    return Err(AppError::invalid(
                        "to",
                        "forward_to_self",
                        "You already handle this request.",
                    ));
                }
                let thread_id = thread_of(&access, party)?.id;
                let recipient = Recipient::new(email, Some((party, GrantKind::Forward)), true)?;
                (None, None, thread_id, vec![recipient])
            }
        };
        drop(conn);
        let unit = ForwardUnit {
            settings: (*self.settings).clone(),
            access,
            card,
            party,
            new_thread,
            thread_id,
            recipients,
            route_to,
            auto_cc,
            by: by.clone(),
            note: forward.note.trim().to_owned(),
        };
        let actor = caller.actor();
        self.store
            .write((unit, actor, at), |tx, (unit, actor, at)| {
                Box::pin(record_forward(tx, unit, actor, *at))
            })
            .await
            .map_err(recipient_is_buyer("to"))
    }
}

async fn record_forward(
    tx: &mut Connection,
    unit: &ForwardUnit,
    actor: &parley_domain::Actor,
    at: Timestamp,
) -> Result<HandedTo, AppError> {
    let request = &unit.access.request;
    if let Some(thread) = &unit.new_thread {
        store_requests::insert_thread(&mut *tx, thread).await?;
    }
    let thread_party = unit.route_to.as_ref().map_or(unit.party, |o| o.id);
    let thread_party_name = unit
        .route_to
        .as_ref()
        .map_or_else(|| party_name(&unit.access, unit.party), |o| o.name.clone());
    let context = HandoverContext {
        settings: &unit.settings,
        conversation: Conversation {
            request_id: request.id.to_string(),
            thread_id: unit.thread_id.to_string(),
            product: &unit.card.product.name,
            party_name: &thread_party_name,
            buyer: &unit.card.buyer,
        },
        request_text: &request.message,
        request_created_at: request.created_at,
        by_name: &unit.by.name,
        by_member: Some(unit.by.id),
        note: &unit.note,
        default_language: unit.by.language,
        at,
    };
    let members = hand_over(&mut *tx, &context, &unit.recipients).await?;
    let handler = members
        .first()
        .ok_or_else(|| AppError::internal("a forward without a recipient"))?;
    network::set_handler(&mut *tx, request.id, handler.id).await?;
    let mut data = json!({
        "to_name": handler.name,
        "to_email": handler.email,
        "from_party": party_name(&unit.access, unit.party),
    });
    if let Some(org) = &unit.route_to {
        data["to_organization"] = json!(org.name);
        data["routed"] = json!(true);
    }
    let event = new_event(
        request.id,
        Some(thread_party),
        EventKind::RequestForwarded,
        actor.clone(),
        data,
        at,
    );
    events::append(&mut *tx, &event, None).await?;
    crate::mail::automatic_copy::send_automatic_copies(
        &mut *tx,
        &context.conversation,
        &request.message,
        (thread_party, &unit.auto_cc),
        handler.language,
        at,
    )
    .await?;
    Ok(HandedTo {
        member: handler.id,
        name: handler.name.clone(),
        email: handler.email.to_string(),
    })
}
