//! Who hears about a new message, and from which masked address.
//!
//! A new message is stored marked "notifications pending"; the mail worker turns pending
//! messages into outbox mail in batches ([`App::queue_pending_notifications`]). Sending a
//! message thus writes only the message and its event, and the mail for many messages is
//! queued in a few statements.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use parley_domain::{
    AuthorKind, Document, DocumentKind, Member, MemberId, Message, MessageId, RequestId,
};
use parley_store::relay::HolderKind;
use parley_store::requests::{Access, Card};
use parley_store::{directory, messages, requests as store_requests};

use super::conversation::{self, Conversation, NewMessage, Notice, Recipient};
use crate::{App, AppError, Caller, now, relay};

impl App {
    /// Queues the notifications of up to `limit` messages sent since the last call; returns
    /// how many messages were handled. Safe with several workers: each message's
    /// notifications are claimed in the transaction that queues them.
    pub async fn queue_pending_notifications(&self, limit: u32) -> Result<usize, AppError> {
        let mut conn = self.store.read().await?;
        let pending = messages::pending_notifications(&mut conn, limit).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let mut members: HashMap<MemberId, Member> = HashMap::new();
        let mut requests: HashMap<RequestId, (Access, Card)> = HashMap::new();
        let mut batch: Vec<(MessageId, Vec<Notice>)> = Vec::with_capacity(pending.len());
        for (message, documents) in &pending {
            let (access, card) = match requests.entry(message.request_id) {
                Entry::Occupied(loaded) => loaded.into_mut(),
                Entry::Vacant(slot) => slot.insert(
                    store_requests::access_with_card(&mut conn, message.request_id, None).await?,
                ),
            };
            let Some((thread, party)) = access
                .threads
                .iter()
                .zip(&access.organizations)
                .find(|(t, _)| t.id == message.thread_id)
            else {
                // Cannot happen (a message's thread is its request's); clear it all the same,
                // so it never blocks the queue.
                batch.push((message.id, Vec::new()));
                continue;
            };
            let caller = match message.author_kind {
                AuthorKind::Buyer => Caller::Buyer(card.buyer.clone()),
                AuthorKind::Member => {
                    let id: MemberId = message
                        .author_id
                        .parse()
                        .map_err(|_| AppError::internal("message with a bad author id"))?;
                    let member = match members.entry(id) {
                        Entry::Occupied(known) => known.into_mut(),
                        Entry::Vacant(slot) => {
                            slot.insert(directory::member_by_id(&mut conn, id).await?)
                        }
                    };
                    Caller::Member(member.clone())
                }
                AuthorKind::System => {
                    batch.push((message.id, Vec::new()));
                    continue;
                }
            };
            // Who hears about a buyer's message: the handler when the thread is theirs, else
            // the members of the thread's organization.
            let mut sellers = match (&card.handler, message.author_kind) {
                (_, AuthorKind::Member | AuthorKind::System) => Vec::new(),
                // The handler may be a forwardee acting for the party by a grant.
                (Some(handler), _)
                    if handler.organization_id == thread.party
                        || access.parties.grants.contains(&(handler.id, thread.party)) =>
                {
                    vec![handler.clone()]
                }
                _ => directory::members_of(&mut conn, thread.party).await?,
            };
            // People acting for the party by a grant (in copy, forwarded to) hear the buyer
            // too, while their grant lasts.
            if message.author_kind == AuthorKind::Buyer {
                for (grantee, _) in access
                    .parties
                    .grants
                    .iter()
                    .filter(|(_, party)| *party == thread.party)
                {
                    if sellers.iter().any(|s| s.id == *grantee) {
                        continue;
                    }
                    let member = match members.entry(*grantee) {
                        Entry::Occupied(known) => known.into_mut(),
                        Entry::Vacant(slot) => {
                            slot.insert(directory::member_by_id(&mut conn, *grantee).await?)
                        }
                    };
                    sellers.push(member.clone());
                }
            }
            // The people a seller copied, as the members they now are (see `copies`).
            let mut copied = Vec::with_capacity(message.cc.len());
            for email in &message.cc {
                if let Some(member) = directory::member_by_email(&mut conn, email).await? {
                    copied.push(member);
                }
            }
            let conversation = Conversation {
                request_id: message.request_id.to_string(),
                thread_id: thread.id.to_string(),
                product: &card.product.name,
                party_name: &party.name,
                buyer: &card.buyer,
            };
            let notices = self.notices(
                &caller,
                message,
                documents,
                &conversation,
                (&sellers, &copied),
            );
            batch.push((message.id, relay::with_tokens(notices)?));
        }
        drop(conn);
        let handled = pending.len();
        let domain = self.settings.relay_domain.clone();
        let at = now().0;
        self.store
            .write((batch, domain), move |tx, (batch, domain)| {
                Box::pin(async move {
                    let ids: Vec<MessageId> = batch.iter().map(|(id, _)| *id).collect();
                    let claimed = messages::claim_notifications(&mut *tx, &ids).await?;
                    let notices: Vec<Notice> = batch
                        .iter()
                        .filter(|(id, _)| claimed.contains(id))
                        .flat_map(|(_, of_message)| of_message.iter().cloned())
                        .collect();
                    relay::enqueue_notices(&mut *tx, domain, &notices, at).await
                })
            })
            .await?;
        Ok(handled)
    }

    /// The notices of `message`: the other side hears of it; a web or API sender gets a copy
    /// (guide FAQ f); people a seller copied get it too, and may answer (FAQ d). An emailed
    /// reply gets no copy: it is in its author's mailbox already.
    pub(crate) fn notices(
        &self,
        caller: &Caller,
        message: &Message,
        documents: &[Document],
        conversation: &Conversation<'_>,
        (sellers, copied): (&[Member], &[Member]),
    ) -> Vec<Notice> {
        let settings = &self.settings;
        let at = message.created_at.0;
        let author_name = caller.actor().name;
        let new_message = NewMessage {
            id: message.id.to_string(),
            author_name: &author_name,
            body: &message.body,
            documents,
            quote: documents.iter().any(|d| d.kind == DocumentKind::Quote),
        };
        let emailed = message.email.is_some();
        let mut notices = Vec::new();
        match caller {
            Caller::Member(member) => {
                notices.push(conversation::seller_message_to_buyer(
                    settings,
                    conversation,
                    &new_message,
                    at,
                ));
                let member_id = member.id.to_string();
                if !emailed {
                    notices.push(conversation::copy_of_message(
                        settings,
                        conversation,
                        &new_message,
                        Recipient {
                            holder_kind: HolderKind::Member,
                            holder_id: &member_id,
                            email: message.sender.as_str(),
                            language: member.language,
                        },
                        at,
                    ));
                }
                for cc in &message.cc {
                    // A person in copy answers as themselves; an address Parley has no member
                    // for (copied before people in copy had grants) writes as the copier.
                    let person = copied.iter().find(|m| m.email == *cc);
                    let person_id = person.map(|p| p.id.to_string());
                    notices.push(conversation::copy_of_message(
                        settings,
                        conversation,
                        &new_message,
                        Recipient {
                            holder_kind: if person.is_some() {
                                HolderKind::Member
                            } else {
                                HolderKind::Cc
                            },
                            holder_id: person_id.as_deref().unwrap_or(&member_id),
                            email: cc.as_str(),
                            language: person.map_or(member.language, |p| p.language),
                        },
                        at,
                    ));
                }
            }
            Caller::Buyer(buyer) => {
                for seller in sellers {
                    notices.push(conversation::buyer_message_to_member(
                        settings,
                        conversation,
                        &new_message,
                        seller,
                        at,
                    ));
                }
                if !emailed {
                    let buyer_id = buyer.id.to_string();
                    notices.push(conversation::copy_of_message(
                        settings,
                        conversation,
                        &new_message,
                        Recipient {
                            holder_kind: HolderKind::Buyer,
                            holder_id: &buyer_id,
                            email: buyer.email.as_str(),
                            language: buyer.language,
                        },
                        at,
                    ));
                }
            }
            Caller::Marketplace(_) => {}
        }
        notices
    }
}
