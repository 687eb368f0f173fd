//! From the use cases' views to the JSON shapes: where the privacy rules of representation
//! live (a buyer's email never leaves, a seller's address is shown to its own side only).

use parley_app::Caller;
use parley_app::lists::RequestSummary;
use parley_app::requests::{BuyerCard, MessageView, RequestDetail, ThreadView};
use parley_domain::{AuthorKind, Document, Event, Timestamp};

use super::{
    ActorDto, BuyerDto, DocumentDto, EventDto, MessageDto, PartyDto, ProductDto, RequestDetailDto,
    RequestListItem, ThreadDto,
};

fn time(t: Timestamp) -> String {
    t.to_rfc3339()
}

impl From<RequestSummary> for RequestListItem {
    fn from(s: RequestSummary) -> Self {
        Self {
            id: s.request.id.to_string(),
            created_at: time(s.request.created_at),
            status: s.status.to_string(),
            unread: s.unread,
            answered_at: s.request.answered_at.map(time),
            marketplace: s.marketplace_name,
            marketplace_id: s.request.marketplace_id.to_string(),
            product: s.product_name,
            product_id: s.request.product_id.to_string(),
            buyer_name: s.buyer_name,
            buyer_company: s.buyer_company,
            buyer_country: s.buyer_country,
            message: s.request.message,
        }
    }
}

impl From<BuyerCard> for BuyerDto {
    fn from(b: BuyerCard) -> Self {
        Self {
            name: b.name,
            company: b.company,
            country: b.country.to_string(),
            language: b.language.to_string(),
            phone: b.phone,
            time_zone: b.time_zone,
        }
    }
}

fn document(d: &Document) -> DocumentDto {
    DocumentDto {
        id: d.id.to_string(),
        kind: d.kind.to_string(),
        filename: d.filename.clone(),
        size_bytes: d.size_bytes,
        sha256: d.sha256.clone(),
        url: format!("/api/v1/documents/{}", d.id),
    }
}

/// A message as `viewer` may see it.
pub fn message(view: &MessageView, viewer: &Caller) -> MessageDto {
    let m = &view.message;
    let viewer_side = match viewer {
        Caller::Buyer(_) => AuthorKind::Buyer,
        _ => AuthorKind::Member,
    };
    let own_side = viewer_side == m.author_kind;
    MessageDto {
        id: m.id.to_string(),
        author: m.author_kind.to_string(),
        sender: own_side.then(|| m.sender.to_string()),
        cc: if own_side {
            m.cc.iter().map(ToString::to_string).collect()
        } else {
            Vec::new()
        },
        body: m.body.clone(),
        language: m.language.to_string(),
        channel: m.channel.to_string(),
        created_at: time(m.created_at),
        read_at: m.read_at.map(time),
        full_email: m.email.as_ref().map(|e| e.full_body.clone()),
        documents: view.documents.iter().map(document).collect(),
    }
}

fn thread(view: &ThreadView, viewer: &Caller) -> ThreadDto {
    let seller = matches!(viewer, Caller::Member(_));
    ThreadDto {
        id: view.thread.id.to_string(),
        party: PartyDto {
            id: view.party.id.to_string(),
            name: view.party.name.clone(),
            kind: view.party.kind.to_string(),
        },
        messages: view.messages.iter().map(|m| message(m, viewer)).collect(),
        declined: seller
            .then(|| view.thread.decline_reason.map(|r| r.to_string()))
            .flatten(),
        outcome: seller
            .then(|| view.thread.outcome.map(|o| o.to_string()))
            .flatten(),
        status: seller.then(|| view.thread.status().to_string()),
    }
}

pub fn detail(d: RequestDetail, viewer: &Caller) -> RequestDetailDto {
    // A seller reads the status of their own party (the first thread they may read is theirs);
    // a buyer, the request's: new or answered.
    let status = match (viewer, d.threads.first()) {
        (Caller::Member(_), Some(own)) => own.thread.status().to_string(),
        _ => d.request.status.to_string(),
    };
    RequestDetailDto {
        id: d.request.id.to_string(),
        created_at: time(d.request.created_at),
        status,
        answered_at: d.request.answered_at.map(time),
        marketplace: d.marketplace.name,
        product: ProductDto {
            name: d.product.name,
            reference: d.product.reference,
        },
        manufacturer: PartyDto {
            id: d.manufacturer.id.to_string(),
            name: d.manufacturer.name,
            kind: d.manufacturer.kind.to_string(),
        },
        buyer: d.buyer.into(),
        message: d.request.message,
        language: d.request.language.to_string(),
        documents: d
            .documents
            .iter()
            .map(|doc| DocumentDto {
                id: doc.id.to_string(),
                kind: "other".to_owned(),
                filename: doc.filename.clone(),
                size_bytes: u64::try_from(doc.size_bytes).unwrap_or_default(),
                sha256: doc.sha256.clone(),
                url: format!("/api/v1/documents/{}", doc.id),
            })
            .collect(),
        threads: d.threads.iter().map(|t| thread(t, viewer)).collect(),
    }
}

impl From<Event> for EventDto {
    fn from(e: Event) -> Self {
        Self {
            id: e.id.to_string(),
            kind: e.kind.as_str().to_owned(),
            at: time(e.created_at),
            party: e.party.map(|p| p.to_string()),
            actor: ActorDto {
                kind: e.actor.kind.to_string(),
                name: e.actor.name,
            },
            data: e.data,
        }
    }
}
