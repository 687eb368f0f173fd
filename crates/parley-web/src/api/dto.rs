//! The JSON shapes of API v1, mapped from the use cases' views. The mapping is where the
//! privacy rules of representation live: a buyer's email never leaves, a seller's address is
//! shown to its own side only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod mapping;
pub use mapping::{detail, message};

/// A buyer's request sent by a marketplace integration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateRequestBody {
    pub buyer: BuyerInput,
    /// The manufacturer the request is addressed to: Parley's id…
    #[serde(default)]
    pub manufacturer_id: String,
    /// …or the marketplace's own id for it (see `PUT /organizations/{external_id}`).
    pub manufacturer: Option<ManufacturerInput>,
    pub product: ProductInput,
    /// The buyer's message (at most 20,000 characters).
    #[schema(max_length = 20000)]
    pub message: String,
    /// ISO 639-1 code; the buyer's language when absent.
    pub language: Option<String>,
    /// The marketplace's own id of the request; sending it again returns the first request.
    /// One line, at most 200 characters.
    #[schema(max_length = 200)]
    pub external_ref: Option<String>,
    /// The buyer's documents (PDF, at most 5, each within the message limit), in base64; or
    /// send `multipart/form-data` with this JSON in a part `request` and files in `document`
    /// parts.
    #[serde(default)]
    pub documents: Vec<DocumentInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DocumentInput {
    pub filename: String,
    /// The file's bytes in standard base64.
    pub content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ManufacturerInput {
    pub external_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BuyerInput {
    /// One line (no control characters), at most 200 characters.
    #[schema(max_length = 200)]
    pub name: String,
    /// One line, at most 200 characters.
    #[schema(max_length = 200)]
    pub company: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 639-1 (fr, en, de, es, it, pt, ru, zh, ja).
    pub language: String,
    /// Private: never shown to sellers. An address of a seller on Parley is refused.
    #[schema(max_length = 254)]
    pub email: String,
    /// Private: shown to a seller after “Display the number”. One line, at most 200
    /// characters.
    #[schema(max_length = 200)]
    pub phone: Option<String>,
    /// An IANA time zone (`Europe/Lisbon`): sellers see the buyer's local time.
    pub time_zone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProductInput {
    /// The manufacturer's product reference (one line, at most 200 characters).
    #[schema(max_length = 200)]
    pub reference: String,
    /// One line, at most 200 characters.
    #[schema(max_length = 200)]
    pub name: String,
    /// The product line, for the manufacturer's routing rules.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub line: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: String,
    /// False when `external_ref` matched an existing request.
    pub created: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestListItem {
    pub id: String,
    pub created_at: String,
    pub status: String,
    /// Messages from the other side (for a seller: the buyer's replies) not read yet.
    pub unread: bool,
    pub answered_at: Option<String>,
    pub marketplace: String,
    pub marketplace_id: String,
    pub product: String,
    pub product_id: String,
    pub buyer_name: String,
    pub buyer_company: Option<String>,
    pub buyer_country: String,
    /// The buyer's request text.
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestListItem>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BuyerDto {
    pub name: String,
    pub company: Option<String>,
    pub country: String,
    pub language: String,
    /// Present for a seller once they displayed the number.
    pub phone: Option<String>,
    /// The buyer's IANA time zone, when their marketplace sent it.
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyDto {
    pub id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: String,
    pub kind: String,
    pub filename: String,
    pub size_bytes: u64,
    pub sha256: String,
    /// Where to download it (authenticated).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    pub id: String,
    /// `buyer` or `member`.
    pub author: String,
    /// The sender's address: shown to the author's own side only.
    pub sender: Option<String>,
    /// Copies: shown to the author's own side only.
    pub cc: Vec<String>,
    pub body: String,
    pub language: String,
    pub channel: String,
    pub created_at: String,
    /// When the other side read it.
    pub read_at: Option<String>,
    pub documents: Vec<DocumentDto>,
    /// For a reply that came by email: the whole email's text, before the quoted history and
    /// signature were trimmed into `body`.
    pub full_email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadDto {
    pub id: String,
    pub party: PartyDto,
    /// Newest first.
    pub messages: Vec<MessageDto>,
    /// Sellers only: why the party declined (`not_interested`, `out_of_stock`,
    /// `not_my_territory`, `spam`, `other`); never shown to the buyer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declined: Option<String>,
    /// Sellers only: `won` (sale concluded) or `lost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Sellers only: where the request stands for this party: `new`, `answered`, `declined`,
    /// `won` or `lost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    pub name: String,
    pub reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDetailDto {
    pub id: String,
    pub created_at: String,
    pub status: String,
    pub answered_at: Option<String>,
    pub marketplace: String,
    pub product: ProductDto,
    pub manufacturer: PartyDto,
    pub buyer: BuyerDto,
    /// The buyer's request text.
    pub message: String,
    pub language: String,
    /// The documents the buyer sent with the request.
    pub documents: Vec<DocumentDto>,
    /// The threads the caller may read.
    pub threads: Vec<ThreadDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorDto {
    /// `buyer`, `member` or `system`.
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub id: String,
    /// `request_created`, `request_routed`, `message_sent`, `buyer_contacted`,
    /// `phone_displayed`, `message_read`, `document_opened`, `buyer_reminded`,
    /// `request_forwarded`, `cc_added`, `request_declined`, `outcome_marked`.
    pub kind: String,
    pub at: String,
    /// The seller-side party the event belongs to.
    pub party: Option<String>,
    pub actor: ActorDto,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    /// Newest first; only what the caller may see.
    pub events: Vec<EventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneDto {
    /// The buyer's phone number, when they gave one.
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MarkReadBody {
    /// Only this party's thread; all readable threads when absent.
    pub party: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many messages became read.
    pub marked: usize,
}

/// A message without documents, as JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageBody {
    /// At most 20,000 characters.
    #[schema(max_length = 20000)]
    pub body: String,
    /// The seller's “Sender” address; the caller's own when absent.
    pub sender: Option<String>,
    /// Copies, comma-separated.
    pub cc: Option<String>,
    /// The party's thread; needed only when the caller may write in several.
    pub party: Option<String>,
}
