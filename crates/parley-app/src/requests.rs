//! The request page's data and the buyer's phone number; creation is in `new_request`.

use parley_domain::policy::{Action, can};
use parley_domain::{
    CountryCode, Document, EventKind, LanguageCode, Marketplace, Message, Organization, Product,
    Request, RequestId, Thread, ThreadId,
};
use parley_store::requests::{self as store_requests, Access};
use parley_store::{Store, directory, events, messages};
use serde_json::json;

use crate::events::new_event;
use crate::{App, AppError, Caller, now};

/// What a seller may know of the buyer.
#[derive(Debug, Clone)]
pub struct BuyerCard {
    pub name: String,
    pub company: Option<String>,
    pub country: CountryCode,
    pub language: LanguageCode,
    /// Present once this member displayed the number.
    pub phone: Option<String>,
    /// The buyer's IANA time zone, when their marketplace sent it.
    pub time_zone: Option<String>,
}

/// A message with its documents.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub message: Message,
    pub documents: Vec<Document>,
}

/// One thread the caller may read.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub thread: Thread,
    pub party: Organization,
    /// Newest first.
    pub messages: Vec<MessageView>,
}

/// Everything the request page shows, filtered for the caller.
#[derive(Debug, Clone)]
pub struct RequestDetail {
    pub request: Request,
    pub marketplace: Marketplace,
    pub product: Product,
    pub manufacturer: Organization,
    pub buyer: BuyerCard,
    pub threads: Vec<ThreadView>,
    /// The documents the buyer sent with the request (everyone on the request sees them).
    pub documents: Vec<parley_store::request_documents::RequestDocument>,
}

/// Loads a request and its parties, answering `NotFound` unless `action` is allowed: the
/// access check of every use case on a request. It reads through [`Store::access`] (a
/// direct read connection with SQLite), not a pooled connection.
pub(crate) async fn authorize(
    store: &Store,
    caller: &Caller,
    id: RequestId,
    action: Action,
) -> Result<Access, AppError> {
    let access = store.access(id).await?;
    if can(&caller.principal(), action, &access.parties) {
        Ok(access)
    } else {
        Err(AppError::NotFound)
    }
}

impl App {
    /// The request page's data: the request, the buyer's card, and the threads the caller may
    /// read with their messages and documents.
    pub async fn request_detail(
        &self,
        caller: &Caller,
        id: RequestId,
    ) -> Result<RequestDetail, AppError> {
        let phone_key = match caller {
            Caller::Member(member) => Some(phone_key(id, member.id.to_string())),
            _ => None,
        };
        let mut conn = self.store.read().await?;
        let (access, card) =
            store_requests::access_with_card(&mut conn, id, phone_key.as_deref()).await?;
        let principal = caller.principal();
        if !can(&principal, Action::ViewRequest, &access.parties) {
            return Err(AppError::NotFound);
        }
        let readable: Vec<(Thread, Organization)> = access
            .threads
            .into_iter()
            .zip(access.organizations)
            .filter(|(t, _)| can(&principal, Action::ReadThread(t.party), &access.parties))
            .collect();
        let request = access.request;
        let thread_ids: Vec<ThreadId> = readable.iter().map(|(t, _)| t.id).collect();
        let mut all_messages = messages::with_documents(&mut conn, &thread_ids).await?;
        let mut views = Vec::new();
        for (thread, party) in readable {
            let (mine, others): (Vec<_>, Vec<_>) = all_messages
                .into_iter()
                .partition(|(m, _)| m.thread_id == thread.id);
            all_messages = others;
            let messages = mine
                .into_iter()
                .map(|(message, documents)| MessageView { message, documents })
                .collect();
            views.push(ThreadView {
                thread,
                party,
                messages,
            });
        }
        let documents = parley_store::request_documents::of_request(&mut conn, id).await?;
        let buyer = card.buyer;
        let phone_shown = card.phone_shown;
        Ok(RequestDetail {
            documents,
            marketplace: card.marketplace,
            product: card.product,
            manufacturer: card.manufacturer,
            buyer: BuyerCard {
                name: buyer.name,
                company: buyer.company,
                country: buyer.country,
                language: buyer.language,
                phone: if phone_shown { buyer.phone } else { None },
                time_zone: card.buyer_time_zone,
            },
            threads: views,
            request,
        })
    }

    /// “Display the number”: reveals the buyer's phone to a seller and logs it once per member.
    pub async fn display_phone(
        &self,
        caller: &Caller,
        id: RequestId,
    ) -> Result<Option<String>, AppError> {
        let Caller::Member(member) = caller else {
            return Err(AppError::NotFound);
        };
        let Access {
            request, parties, ..
        } = authorize(&self.store, caller, id, Action::DisplayPhone).await?;
        let mut conn = self.store.read().await?;
        let buyer = directory::buyer_by_id(&mut conn, request.buyer_id).await?;
        drop(conn);
        let party = parley_domain::policy::acting_parties(&caller.principal(), &parties)
            .first()
            .copied();
        let event = new_event(
            id,
            party,
            EventKind::PhoneDisplayed,
            caller.actor(),
            json!({}),
            now(),
        );
        let key = phone_key(id, member.id.to_string());
        self.store
            .write((event, key), |tx, (event, key)| {
                Box::pin(events::append(tx, event, Some(key)))
            })
            .await?;
        Ok(buyer.phone)
    }
}

fn phone_key(request: RequestId, member: String) -> String {
    format!("phone:{request}:{member}")
}
