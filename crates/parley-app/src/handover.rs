//! Handing a request over (guide section 4 and section 7): forwarding it to a network member
//! (who gets a thread of its own, behind the wall), to a colleague or to any address (who then
//! acts for the forwarding party, on this request only), and putting people in copy (FAQ d: they
//! may answer the buyer). The date and the new recipient's address go into the history.

use parley_domain::policy::{Action, acting_parties, can};
use parley_domain::{
    EmailAddress, EventKind, GrantKind, LanguageCode, Member, MemberId, Organization,
    OrganizationId, OrganizationKind, Thread, ThreadId, Timestamp,
};
use parley_store::network::{self, Grant};
use parley_store::requests::{self as store_requests, Access, Card};
use parley_store::tokens::TokenOwner;
use parley_store::{Connection, StoreError, directory, events, sessions};
use serde_json::json;

use crate::auth::new_token;
use crate::events::new_event;
use crate::files::sha256_hex;
use crate::mail::conversation::{Conversation, Notice};
use crate::mail::network::{Handover, handed_over};
use crate::{App, AppError, Caller, now, relay};

/// How long the sign-in link in a forwarded request works (once).
const HANDOVER_LINK_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

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

/// One person to hand the request to, resolved inside the transaction.
pub(crate) struct Recipient {
    pub email: EmailAddress,
    /// The party they act for; `None` when they act for their own organization's thread.
    pub grant: Option<(OrganizationId, GrantKind)>,
    pub forwarded: bool,
    /// Drawn before the transaction (write units may run twice).
    pub relay_token: String,
    pub sign_in_token: String,
}

impl Recipient {
    pub(crate) fn new(
        email: EmailAddress,
        grant: Option<(OrganizationId, GrantKind)>,
        forwarded: bool,
    ) -> Result<Self, AppError> {
        Ok(Self {
            email,
            grant,
            forwarded,
            relay_token: relay::new_address_token()?,
            sign_in_token: new_token()?,
        })
    }
}

/// What every handover in one transaction shares.
pub(crate) struct HandoverContext<'a> {
    pub settings: &'a crate::Settings,
    pub conversation: Conversation<'a>,
    pub request_text: &'a str,
    pub request_created_at: Timestamp,
    pub by_name: &'a str,
    pub by_member: Option<MemberId>,
    pub note: &'a str,
    /// Language for people Parley does not know yet.
    pub default_language: LanguageCode,
    pub at: Timestamp,
}

/// The member with this address, or a new external contact (an organization of their own, so
/// they see only what they are granted). Buyers' addresses are refused: a buyer cannot act for
/// a seller.
pub(crate) async fn member_for(
    tx: &mut Connection,
    email: &EmailAddress,
    language: LanguageCode,
) -> Result<Member, StoreError> {
    if let Some(member) = directory::member_by_email(&mut *tx, email).await? {
        return Ok(member);
    }
    if directory::buyer_by_email(&mut *tx, email).await?.is_some() {
        return Err(StoreError::Conflict("recipient_is_buyer".to_owned()));
    }
    let organization = Organization {
        id: OrganizationId::new(),
        kind: OrganizationKind::External,
        name: email.to_string(),
        country: None,
    };
    directory::insert_organization(&mut *tx, &organization).await?;
    let member = Member {
        id: MemberId::new(),
        organization_id: organization.id,
        name: email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned(),
        email: email.clone(),
        phone: None,
        language,
    };
    directory::insert_member(&mut *tx, &member).await?;
    Ok(member)
}

/// Grants, sign-in links and emails for `recipients`, inside the caller's transaction. Returns
/// the members, in order.
pub(crate) async fn hand_over(
    tx: &mut Connection,
    context: &HandoverContext<'_>,
    recipients: &[Recipient],
) -> Result<Vec<Member>, StoreError> {
    let request_id: parley_domain::RequestId = context
        .conversation
        .request_id
        .parse()
        .map_err(|_| StoreError::Corrupt("request id".to_owned()))?;
    let mut members = Vec::with_capacity(recipients.len());
    let mut notices: Vec<Notice> = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let member = member_for(&mut *tx, &recipient.email, context.default_language).await?;
        if let Some((party, kind)) = recipient.grant
            && member.organization_id != party
        {
            network::grant(
                &mut *tx,
                &Grant {
                    request: request_id,
                    member: member.id,
                    party,
                    kind,
                    granted_by: context.by_member,
                    request_created_at: context.request_created_at,
                    created_at: context.at,
                },
            )
            .await?;
        }
        sessions::insert_link(
            &mut *tx,
            &sha256_hex(recipient.sign_in_token.as_bytes()),
            &TokenOwner::Member(member.id.to_string()),
            &format!("/requests/{request_id}"),
            context.at.0,
            context.at.0 + HANDOVER_LINK_TTL_MS,
        )
        .await?;
        let handover = if recipient.forwarded {
            Handover::Forwarded {
                by: context.by_name,
                note: context.note,
            }
        } else {
            Handover::Copied {
                by: context.by_name,
            }
        };
        let mut notice = handed_over(
            context.settings,
            &context.conversation,
            context.request_text,
            &handover,
            &member,
            &recipient.sign_in_token,
            context.at.0,
        );
        notice.new_token.clone_from(&recipient.relay_token);
        notices.push(notice);
        members.push(member);
    }
    relay::enqueue_notices(
        &mut *tx,
        &context.settings.relay_domain,
        &notices,
        context.at.0,
    )
    .await?;
    Ok(members)
}

/// The party the caller acts for in this handover: the one named, or their first.
pub(crate) fn handling_party(
    caller: &Caller,
    access: &Access,
    named: Option<&str>,
) -> Result<OrganizationId, AppError> {
    let principal = caller.principal();
    let party = match named.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => text.parse().map_err(|_| AppError::NotFound)?,
        None => *acting_parties(&principal, &access.parties)
            .first()
            .ok_or(AppError::NotFound)?,
    };
    if can(&principal, Action::Handle(party), &access.parties) {
        Ok(party)
    } else {
        Err(AppError::NotFound)
    }
}

pub(crate) fn thread_of(access: &Access, party: OrganizationId) -> Result<&Thread, AppError> {
    access
        .threads
        .iter()
        .zip(&access.organizations)
        .find(|(t, _)| t.party == party)
        .map(|(t, _)| t)
        .ok_or(AppError::NotFound)
}

pub(crate) fn party_name(access: &Access, party: OrganizationId) -> String {
    access
        .organizations
        .iter()
        .find(|o| o.id == party)
        .map(|o| o.name.clone())
        .unwrap_or_default()
}

fn email_field(field: &str, text: &str) -> Result<EmailAddress, AppError> {
    EmailAddress::parse(text).map_err(|e| AppError::invalid(field, "email_invalid", e.to_string()))
}

pub(crate) fn recipient_is_buyer(field: &str) -> impl Fn(AppError) -> AppError + '_ {
    move |error| match error {
        AppError::Conflict(name) if name == "recipient_is_buyer" => AppError::invalid(
            field,
            "recipient_is_buyer",
            "This address belongs to a buyer; forward to a seller.",
        ),
        other => other,
    }
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
