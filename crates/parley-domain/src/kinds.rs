//! Small closed sets stored as text: each parses from and prints to its stored form.

use serde::{Deserialize, Serialize};

/// A stored value was not one of the known variants (a database written by a newer version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} “{value}”")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident : $label:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every variant.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored (and serialized) form.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stored form.
            pub fn parse(value: &str) -> Result<Self, UnknownVariant> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    other => Err(UnknownVariant { kind: $label, value: other.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What an organization is in a sales network.
    OrganizationKind: "organization kind" {
        Manufacturer => "manufacturer",
        Distributor => "distributor",
        AreaManager => "area_manager",
        // A person outside any organization (a forwardee or a person in copy by address):
        // sees only what was granted to them.
        External => "external",
    }
);

text_enum!(
    /// What a member may do in their organization: admins also manage its team.
    MemberRole: "member role" {
        Admin => "admin",
        Sales => "sales",
    }
);

text_enum!(
    /// Who wrote a message or did an action.
    AuthorKind: "author kind" {
        Buyer => "buyer",
        Member => "member",
        System => "system",
    }
);

text_enum!(
    /// How a message reached Parley.
    Channel: "channel" {
        Web => "web",
        Email => "email",
        Api => "api",
    }
);

text_enum!(
    /// The two choices behind “Attach a document”.
    DocumentKind: "document kind" {
        Quote => "quote",
        Other => "other",
    }
);

text_enum!(
    /// Why a party declined a request (guide section 5). Never shown to the buyer.
    DeclineReason: "decline reason" {
        NotInterested => "not_interested",
        OutOfStock => "out_of_stock",
        NotMyTerritory => "not_my_territory",
        Spam => "spam",
        Other => "other",
    }
);

text_enum!(
    /// Whether a party concluded a sale on a request.
    Outcome: "outcome" {
        Won => "won",
        Lost => "lost",
    }
);

text_enum!(
    /// How a member was given access to a request on behalf of a party.
    GrantKind: "grant kind" {
        Forward => "forward",
        Cc => "cc",
    }
);

text_enum!(
    /// Where a request stands for the seller side.
    RequestStatus: "request status" {
        New => "new",
        Answered => "answered",
    }
);

text_enum!(
    /// Where a request stands for one seller-side party (its own thread): what a seller's
    /// lists, filters and API show. A buyer sees new or answered only.
    PartyStatus: "party status" {
        New => "new",
        Answered => "answered",
        Declined => "declined",
        // Declined as spam: out of the party's lists (found with this status) and ratings.
        Spam => "spam",
        Won => "won",
        Lost => "lost",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_round_trip() {
        for kind in OrganizationKind::ALL {
            assert_eq!(OrganizationKind::parse(kind.as_str()), Ok(*kind));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Ok(*channel));
        }
        assert!(DocumentKind::parse("invoice").is_err());
    }
}
