//! Who is calling a use case, resolved from a token or a session.

use parley_domain::{Actor, AuthorKind, Buyer, Marketplace, Member, Principal};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A member of a seller-side organization.
    Member(Member),
    /// A buyer.
    Buyer(Buyer),
    /// A marketplace integration (creates requests, reads nothing).
    Marketplace(Marketplace),
}

impl Caller {
    /// The caller as the access policy sees it.
    #[must_use]
    pub fn principal(&self) -> Principal {
        match self {
            Self::Member(member) => Principal::Member {
                member: member.id,
                organization: member.organization_id,
            },
            Self::Buyer(buyer) => Principal::Buyer(buyer.id),
            Self::Marketplace(_) => Principal::Anonymous,
        }
    }

    /// The caller as the history shows it.
    #[must_use]
    pub fn actor(&self) -> Actor {
        match self {
            Self::Member(member) => Actor {
                kind: AuthorKind::Member,
                id: Some(member.id.to_string()),
                name: member.name.clone(),
            },
            Self::Buyer(buyer) => Actor {
                kind: AuthorKind::Buyer,
                id: Some(buyer.id.to_string()),
                name: buyer.name.clone(),
            },
            Self::Marketplace(marketplace) => Actor {
                kind: AuthorKind::System,
                id: Some(marketplace.id.to_string()),
                name: marketplace.name.clone(),
            },
        }
    }

    /// A stable key for “once per viewer” events.
    #[must_use]
    pub fn viewer_key(&self) -> String {
        match self {
            Self::Member(member) => format!("member:{}", member.id),
            Self::Buyer(buyer) => format!("buyer:{}", buyer.id),
            Self::Marketplace(marketplace) => format!("marketplace:{}", marketplace.id),
        }
    }
}
