//! Typed identifiers. Each is a UUIDv7 (time-ordered, so keyset pagination and inserts stay
//! index-friendly) that can only be mixed up with another id by an explicit conversion.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The text was not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier")]
pub struct InvalidId;

macro_rules! define_id {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered identifier.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The identifier as a UUID.
            #[must_use]
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| InvalidId)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    )+};
}

define_id!(
    /// A marketplace (DirectIndustry, ArchiExpo…).
    MarketplaceId,
    /// A manufacturer, distributor or area manager.
    OrganizationId,
    /// A person working for an organization.
    MemberId,
    /// A buyer (a person; email and phone are private).
    BuyerId,
    /// A product of a manufacturer.
    ProductId,
    /// A buyer's request about a product.
    RequestId,
    /// The conversation of one seller-side party with the buyer, inside a request.
    ThreadId,
    /// A message in a thread.
    MessageId,
    /// A document attached to a message.
    DocumentId,
    /// An entry of a request's history.
    EventId,
    /// A quote (a quote document and its terms).
    QuoteId,
);
