//! Handing a request over (guide section 4 and section 7): forwarding it to a network member
//! (who gets a thread of its own, behind the wall), to a colleague or to any address (who then
//! acts for the forwarding party, on this request only), and putting people in copy (FAQ d: they
//! may answer the buyer). The date and the new recipient's address go into the history.

use parley_domain::policy::{Action, acting_parties, can};
use parley_domain::{
    EmailAddress, GrantKind, LanguageCode, Member, MemberId, Organization, OrganizationId,
    OrganizationKind, Thread, Timestamp,
};
use parley_store::network::{self, Grant};
use parley_store::requests::Access;
use parley_store::tokens::TokenOwner;
use parley_store::{Connection, StoreError, directory, sessions};

use crate::auth::new_token;
use crate::files::sha256_hex;
use crate::mail::conversation::{Conversation, Notice};
use crate::mail::network::{Handover, handed_over};
use crate::{AppError, Caller, relay};

mod forward;
pub use forward::{Forward, ForwardTo, HandedTo};

/// How long the sign-in link in a forwarded request works (once).
const HANDOVER_LINK_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

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
