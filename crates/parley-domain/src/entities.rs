//! The records Parley keeps, as the rest of the code sees them: every field already parsed.

use serde::{Deserialize, Serialize};

use crate::email::EmailAddress;
use crate::event::{Audience, EventKind};
use crate::ids::*;
use crate::kinds::{
    AuthorKind, Channel, DeclineReason, DocumentKind, OrganizationKind, Outcome, RequestStatus,
};
use crate::language::LanguageCode;
use crate::territory::CountryCode;

/// A point in time, in milliseconds since the Unix epoch (UTC). The domain never reads the clock:
/// callers pass the time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// A marketplace of the operator (every request arrives through one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marketplace {
    pub id: MarketplaceId,
    pub slug: String,
    pub name: String,
}

/// A manufacturer, distributor or area manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub kind: OrganizationKind,
    pub name: String,
    pub country: Option<CountryCode>,
}

/// A person working for an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub organization_id: OrganizationId,
    pub name: String,
    pub email: EmailAddress,
    pub phone: Option<String>,
    pub language: LanguageCode,
}

/// A manufacturer's link to one organization of its sales network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkLink {
    pub manufacturer_id: OrganizationId,
    pub member_org_id: OrganizationId,
    /// Countries the network member covers.
    pub territories: Vec<CountryCode>,
    /// Who to reach at the network member.
    pub contacts: Vec<EmailAddress>,
    /// Addresses copied on requests sent to this network member (not on its later
    /// conversations, FAQ e).
    pub auto_cc: Vec<EmailAddress>,
}

/// A buyer. Email and phone are private: the email is never shown to sellers, the phone only
/// after “Display the number”.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buyer {
    pub id: BuyerId,
    pub name: String,
    pub company: Option<String>,
    pub country: CountryCode,
    pub language: LanguageCode,
    pub email: EmailAddress,
    pub phone: Option<String>,
}

/// A product of a manufacturer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub manufacturer_id: OrganizationId,
    pub name: String,
    pub reference: String,
    /// The product line, for routing rules.
    pub line: Option<String>,
}

/// A buyer's request about a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: RequestId,
    pub marketplace_id: MarketplaceId,
    pub buyer_id: BuyerId,
    pub product_id: ProductId,
    pub manufacturer_id: OrganizationId,
    /// The marketplace's own identifier of the request, if it gave one (makes creation
    /// idempotent).
    pub external_ref: Option<String>,
    pub message: String,
    pub language: LanguageCode,
    /// The member designated to answer.
    pub handler: Option<MemberId>,
    pub status: RequestStatus,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
}

/// One seller-side party's conversation with the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: ThreadId,
    pub request_id: RequestId,
    pub party: OrganizationId,
    pub created_at: Timestamp,
    /// When the party first wrote to the buyer.
    pub contacted_at: Option<Timestamp>,
    /// When the party declined the request, and why (sellers only ever see the reason).
    pub declined_at: Option<Timestamp>,
    pub decline_reason: Option<DeclineReason>,
    /// Whether the party concluded a sale.
    pub outcome: Option<Outcome>,
}

impl Thread {
    /// Where the request stands for this thread's party (the same rule as the lists' SQL):
    /// its outcome, else declined, else answered once it wrote to the buyer, else new.
    #[must_use]
    pub fn status(&self) -> crate::PartyStatus {
        use crate::{Outcome, PartyStatus};
        match (self.outcome, self.declined_at, self.contacted_at) {
            (Some(Outcome::Won), _, _) => PartyStatus::Won,
            (Some(Outcome::Lost), _, _) => PartyStatus::Lost,
            (None, Some(_), _) if self.decline_reason == Some(DeclineReason::Spam) => {
                PartyStatus::Spam
            }
            (None, Some(_), _) => PartyStatus::Declined,
            (None, None, Some(_)) => PartyStatus::Answered,
            (None, None, None) => PartyStatus::New,
        }
    }
}

/// A message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub request_id: RequestId,
    pub author_kind: AuthorKind,
    /// The member's or buyer's id.
    pub author_id: String,
    pub sender: EmailAddress,
    pub cc: Vec<EmailAddress>,
    pub body: String,
    pub language: LanguageCode,
    pub channel: Channel,
    pub created_at: Timestamp,
    /// When the other side first read it.
    pub read_at: Option<Timestamp>,
    /// For a reply that came by email: the whole email and where its original is kept.
    pub email: Option<EmailOrigin>,
}

/// Where an emailed message came from. The body of the [`Message`] is the trimmed reply; the
/// whole text stays here, behind a "show the whole email" toggle (and the raw email in its own
/// table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailOrigin {
    /// The email's text before trimming.
    pub full_body: String,
    /// The email's Message-ID: the same one from the same sender is stored once.
    pub message_id: Option<String>,
}

/// A PDF attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocumentId,
    pub message_id: MessageId,
    pub thread_id: ThreadId,
    pub request_id: RequestId,
    pub kind: DocumentKind,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Where the bytes are in the object store.
    pub storage_key: String,
    pub created_at: Timestamp,
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: AuthorKind,
    pub id: Option<String>,
    pub name: String,
}

/// An entry of a request's append-only history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub request_id: RequestId,
    /// The party (thread) the event belongs to, if any.
    pub party: Option<OrganizationId>,
    pub kind: EventKind,
    pub audience: Audience,
    pub actor: Actor,
    /// Kind-specific details.
    pub data: serde_json::Value,
    pub created_at: Timestamp,
}

impl Timestamp {
    /// The time as RFC 3339 text in UTC with milliseconds (`2026-11-27T05:17:01.123Z`).
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        let millis = self.0.rem_euclid(1000);
        let seconds = self.0.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let secs_of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            secs_of_day / 3600,
            secs_of_day % 3600 / 60,
            secs_of_day % 60
        )
    }
}

impl Timestamp {
    /// Midnight UTC of a `YYYY-MM-DD` date, if it is one.
    #[must_use]
    pub fn parse_date(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: i64 = parts.next()?.parse().ok()?;
        let day: i64 = parts.next()?.parse().ok()?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        // Reject dates that do not exist (2026-02-30) by converting back.
        (civil_from_days(days) == (year, month, day)).then_some(Self(days * 86_400_000))
    }
}

/// Howard Hinnant's civil-to-days algorithm (proleptic Gregorian calendar).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_795_756_621_123).to_rfc3339(),
            "2026-11-27T05:17:01.123Z"
        );
        assert_eq!(
            Timestamp(951_782_400_000).to_rfc3339(),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn parses_dates() {
        assert_eq!(
            Timestamp::parse_date("2000-02-29"),
            Some(Timestamp(951_782_400_000))
        );
        assert_eq!(Timestamp::parse_date("1970-01-01"), Some(Timestamp(0)));
        assert_eq!(Timestamp::parse_date("2026-02-30"), None);
        assert_eq!(Timestamp::parse_date("27/11/2026"), None);
    }
}
