//! The typed events of a request's history, and who may see each.

use serde::{Deserialize, Serialize};

use crate::kinds::UnknownVariant;

/// Who may see an event. The audience is decided by the event's kind (see
/// [`EventKind::audience`]) and checked by the access policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The members of the event's party only (internal details of one thread).
    Party,
    /// The event's party and the buyer (the conversation itself).
    PartyAndBuyer,
    /// Every seller-side party of the request: the status events through which a manufacturer
    /// follows its network without reading it, and the reverse.
    Sellers,
    /// Everyone on the request, buyer included.
    Everyone,
}

impl Audience {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Party => "party",
            Self::PartyAndBuyer => "party_and_buyer",
            Self::Sellers => "sellers",
            Self::Everyone => "everyone",
        }
    }
}

macro_rules! event_kinds {
    ($($variant:ident => $text:literal, $audience:ident;)+) => {
        /// What happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EventKind { $($variant),+ }

        impl EventKind {
            /// Every kind.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored form.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stored form.
            pub fn parse(value: &str) -> Result<Self, UnknownVariant> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    other => Err(UnknownVariant { kind: "event kind", value: other.to_owned() }),
                }
            }

            /// Who may see events of this kind.
            #[must_use]
            pub fn audience(self) -> Audience {
                match self { $(Self::$variant => Audience::$audience),+ }
            }
        }
    };
}

event_kinds! {
    // The buyer's request arrived.
    RequestCreated => "request_created", Everyone;
    // The request was routed to a party of the sales network (internal routing).
    RequestRouted => "request_routed", Sellers;
    // A message (with its documents) was sent in a party's thread.
    MessageSent => "message_sent", PartyAndBuyer;
    // A party contacted the buyer for the first time (the status a manufacturer sees).
    BuyerContacted => "buyer_contacted", Sellers;
    // A member displayed the buyer's phone number.
    PhoneDisplayed => "phone_displayed", Sellers;
    // The buyer read a message of the party.
    MessageRead => "message_read", Party;
    // The buyer opened a document of the party (or a seller opened the buyer's).
    DocumentOpened => "document_opened", Party;
    // A member reminded the buyer of the party's answer (by email).
    BuyerReminded => "buyer_reminded", Party;
    // A party forwarded the request (to a network member, a colleague or an address): the date
    // and the new handler's address are the record (guide section 4).
    RequestForwarded => "request_forwarded", Sellers;
    // A party put someone in copy of the request.
    CcAdded => "cc_added", Sellers;
    // A party took someone out of copy: their access ended.
    CcRemoved => "cc_removed", Sellers;
    // An automatic reply (out of office…) came to a party's masked address: noted for that
    // party, never passed on as a message.
    AutomaticReplyReceived => "automatic_reply_received", Party;
    // The member handling the request left their organization: it went back to an admin.
    RequestHandedBack => "request_handed_back", Party;
    // A new request was emailed to one of the routed member's automatic-copy addresses (the
    // request only; no access). The member's business: its party sees it.
    AutomaticCopySent => "automatic_copy_sent", Party;
    // A party declined the request; the reason stays with the sellers (guide section 5).
    RequestDeclined => "request_declined", Sellers;
    // A party marked the request won (a sale was concluded) or lost.
    OutcomeMarked => "outcome_marked", Sellers;
    // A seller translated a buyer's message (guide section 6: the network's sellers see it).
    MessageTranslated => "message_translated", Sellers;
    // The buyer translated a seller's message (seen by that party and the buyer).
    BuyerTranslated => "buyer_translated", PartyAndBuyer;
    // A party sent a quote (a new version supersedes the previous one).
    QuoteSent => "quote_sent", PartyAndBuyer;
    // The buyer accepted or declined a quote (guide section 6).
    QuoteAccepted => "quote_accepted", PartyAndBuyer;
    QuoteDeclined => "quote_declined", PartyAndBuyer;
    // The payment of an accepted quote was received (reported by a verified webhook).
    PaymentReceived => "payment_received", PartyAndBuyer;
    // The buyer confirmed the order with billing and delivery details.
    OrderConfirmed => "order_confirmed", PartyAndBuyer;
    // The buyer left a review (1–5 and a comment).
    ReviewLeft => "review_left", PartyAndBuyer;
    // Parley reminded the party's handler of a request left unhandled, or the buyer of the
    // party's quote about to expire (automatic reminders).
    ReminderSent => "reminder_sent", Party;
    // A notification carrying the party's message (or to the party, of the buyer's) bounced:
    // it did not reach its reader, and the remote server said why.
    MailBounced => "mail_bounced", Party;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_conversation_never_crosses_parties() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Ok(*kind));
        }
        assert_eq!(EventKind::MessageSent.audience(), Audience::PartyAndBuyer);
        assert_eq!(EventKind::DocumentOpened.audience(), Audience::Party);
        assert_eq!(EventKind::BuyerContacted.audience(), Audience::Sellers);
    }
}
