//! Parley's domain: pure types and rules, no I/O.
//!
//! Values here are parsed once at the edge (`EmailAddress::parse`, `LanguageCode::parse`…)
//! and trusted everywhere after. The access policy (`policy::can`) is the one function that
//! decides who may do what on a request.

pub mod email;
pub mod entities;
pub mod event;
pub mod ids;
pub mod intake;
pub mod kinds;
pub mod language;
pub mod message;
pub mod money;
pub mod policy;
pub mod provisioning;
pub mod quote;
pub mod rating;
pub mod search;
pub mod territory;
pub mod text;
pub mod webhook;

pub use email::EmailAddress;
pub use entities::*;
pub use event::{Audience, EventKind};
pub use ids::*;
pub use kinds::{
    AuthorKind, Channel, DeclineReason, DocumentKind, GrantKind, MemberRole, OrganizationKind,
    Outcome, PartyStatus, RequestStatus,
};
pub use language::LanguageCode;
pub use message::{FieldError, SendErrorCode};
pub use money::{Currency, Money, MoneyError};
pub use policy::{Action, Principal, RequestParties, can};
pub use territory::CountryCode;
