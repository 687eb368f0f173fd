//! The access policy: one function, [`can`], decides who may do what on a request. Every page,
//! API route and relay path asks it; nothing else grants access.
//!
//! The confidentiality wall: a request has one buyer and several seller-side *parties* (the
//! manufacturer and each network member it was routed to), each with its own thread. A member
//! acts for their organization's party, and for the parties that granted them access (a
//! forwardee or a person in copy gets exactly the access of the party that added them). A party
//! sees its own thread, never another's; across parties only status events travel.

use crate::event::Audience;
use crate::ids::{BuyerId, MemberId, OrganizationId};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A buyer, signed in.
    Buyer(BuyerId),
    /// A member of a seller-side organization, signed in.
    Member {
        member: MemberId,
        organization: OrganizationId,
    },
    /// Nobody we know.
    Anonymous,
}

/// The facts about one request that access depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParties {
    /// The buyer who sent the request.
    pub buyer: BuyerId,
    /// The manufacturer the request is addressed to.
    pub manufacturer: OrganizationId,
    /// Every seller-side party with a thread: the manufacturer and the network members the
    /// request was routed to.
    pub parties: Vec<OrganizationId>,
    /// Access given to individual members on behalf of a party (forwarding, copy).
    pub grants: Vec<(MemberId, OrganizationId)>,
}

/// What the principal wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See that the request exists, with the buyer's request text and the product.
    ViewRequest,
    /// Read the request's history (each entry is then checked with [`Action::SeeEvent`]).
    ReadHistory,
    /// Reveal the buyer's phone number (sellers only).
    DisplayPhone,
    /// Read the messages of one party's thread.
    ReadThread(OrganizationId),
    /// Write in one party's thread.
    PostMessage(OrganizationId),
    /// Mark the other side's messages of one party's thread as read.
    MarkRead(OrganizationId),
    /// Download a document of one party's thread.
    OpenDocument(OrganizationId),
    /// Act on the request for one party: forward it, put someone in copy, decline it, mark
    /// it won or lost.
    Handle(OrganizationId),
    /// Accept or decline a quote of one party's thread (the buyer only).
    AnswerQuote(OrganizationId),
    /// Route the request to a member of the manufacturer's sales network (a new party).
    Route,
    /// See one history entry.
    SeeEvent {
        audience: Audience,
        party: Option<OrganizationId>,
    },
}

/// Whether members of an organization of this kind manage a sales network ("My sales
/// network": members, routing, ratings). Only manufacturers have one.
#[must_use]
pub fn manages_network(kind: crate::kinds::OrganizationKind) -> bool {
    kind == crate::kinds::OrganizationKind::Manufacturer
}

/// Whether a member of this role manages their organization's team (invites, roles,
/// removals). Everyone may see it.
#[must_use]
pub fn manages_team(role: crate::kinds::MemberRole) -> bool {
    role == crate::kinds::MemberRole::Admin
}

/// The parties a principal acts for on this request (empty for buyers and outsiders).
#[must_use]
pub fn acting_parties(principal: &Principal, request: &RequestParties) -> Vec<OrganizationId> {
    let Principal::Member {
        member,
        organization,
    } = principal
    else {
        return Vec::new();
    };
    let mut acting = Vec::new();
    if request.parties.contains(organization) {
        acting.push(*organization);
    }
    for (granted_member, party) in &request.grants {
        if granted_member == member && request.parties.contains(party) && !acting.contains(party) {
            acting.push(*party);
        }
    }
    acting
}

/// Whether `principal` may do `action` on the request described by `request`.
#[must_use]
pub fn can(principal: &Principal, action: Action, request: &RequestParties) -> bool {
    let is_buyer = matches!(principal, Principal::Buyer(id) if *id == request.buyer);
    let acting = acting_parties(principal, request);
    let is_seller = !acting.is_empty();
    let in_thread = |party: OrganizationId| {
        request.parties.contains(&party) && (is_buyer || acting.contains(&party))
    };
    match action {
        Action::ViewRequest | Action::ReadHistory => is_buyer || is_seller,
        Action::DisplayPhone => is_seller,
        Action::Handle(party) => acting.contains(&party),
        Action::Route => acting.contains(&request.manufacturer),
        Action::AnswerQuote(party) => is_buyer && request.parties.contains(&party),
        Action::ReadThread(party)
        | Action::PostMessage(party)
        | Action::MarkRead(party)
        | Action::OpenDocument(party) => in_thread(party),
        Action::SeeEvent { audience, party } => match audience {
            Audience::Everyone => is_buyer || is_seller,
            Audience::Sellers => is_seller,
            Audience::Party => party.is_some_and(|p| acting.contains(&p)),
            Audience::PartyAndBuyer => party.is_some_and(in_thread),
        },
    }
}

#[cfg(test)]
mod tests;
