//! Creating a request sent by a marketplace integration: parsing every field at the edge,
//! routing by sales-network territory, threads, and the first history events.

pub use parley_domain::intake::NewRequest;
use parley_domain::intake::{ManufacturerRef, ParsedRequest, parse_new_request};
use parley_domain::{
    Actor, AuthorKind, Buyer, EventKind, LanguageCode, Marketplace, Member, NetworkLink,
    Organization, OrganizationId, OrganizationKind, Product, ProductId, Request, RequestId,
    RequestStatus, Thread, ThreadId,
};
use parley_store::requests as store_requests;
use parley_store::{Connection, directory, events};
use serde_json::json;

use crate::events::new_event;
use crate::mail::conversation::{self, Conversation};
use crate::relay;
use crate::{App, AppError, now};

impl App {
    /// Creates a request sent through a marketplace, routes it to the network member whose
    /// territory covers the buyer's country (the manufacturer keeps its own thread), and
    /// records it. Returns the request id and whether it was new (a repeated `external_ref`
    /// returns the first request).
    #[tracing::instrument(skip_all, fields(marketplace = %marketplace.slug))]
    pub async fn create_request(
        &self,
        marketplace: &Marketplace,
        input: NewRequest,
    ) -> Result<(RequestId, bool), AppError> {
        self.create_request_with_documents(marketplace, input, Vec::new())
            .await
    }

    /// [`App::create_request`] with the buyer's documents (PDF, the limits of messages), kept
    /// with the request itself. Every bad field and document is reported at once; a repeated
    /// `external_ref` keeps the first request's documents.
    pub async fn create_request_with_documents(
        &self,
        marketplace: &Marketplace,
        input: NewRequest,
        uploads: Vec<crate::Upload>,
    ) -> Result<(RequestId, bool), AppError> {
        let mut errors = Vec::new();
        let parsed = parse_new_request(input)
            .map_err(|problems| errors.extend(problems))
            .ok();
        let files = crate::request_documents::check(uploads, &self.settings, &mut errors);
        let Some(parsed) = parsed.filter(|_| errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        // What routes the request is read first, outside the writer (see `Route`).
        let route = {
            let mut conn = self.store.read().await?;
            if let Some(reference) = &parsed.external_ref
                && let Some(existing) =
                    store_requests::by_external_ref(&mut conn, marketplace.id, reference).await?
            {
                return Ok((existing.id, false));
            }
            Route::read(&mut conn, marketplace, &parsed).await?
        };
        let marketplace = marketplace.clone();
        let notice = NewRequestNotice {
            settings: (*self.settings).clone(),
            token: crate::relay::new_address_token()?,
        };
        // Bytes go to the object store before the transaction (see `messages`).
        let documents = self.store_request_files(files).await?;
        let result = self
            .store
            .write(
                (marketplace, parsed, notice, route, documents.clone()),
                |tx, (marketplace, parsed, notice, route, documents)| {
                    Box::pin(async move {
                        let (id, created) =
                            insert_request(tx, marketplace, parsed, notice, route).await?;
                        if created {
                            crate::request_documents::insert(tx, id, documents).await?;
                        }
                        Ok::<_, AppError>((id, created))
                    })
                },
            )
            .await;
        if !matches!(result, Ok((_, true))) {
            self.forget_request_files(&documents).await;
        }
        result
    }
}

/// What the handler's email needs, prepared outside the transaction.
struct NewRequestNotice {
    settings: crate::Settings,
    /// The handler's masked address token, should they have none in the new thread (they
    /// cannot: the thread is new; drawn here because write units may run twice).
    token: String,
}

/// The most automatic-copy addresses of one network member (the network page allows no more).
pub const AUTO_CC_TOKENS: usize = 5;

/// Who a new request goes to, read before its transaction: SQLite has one writer, and these
/// were nine of the two dozen statements a request held it for (intake 1,110 → 1,270–1,410/s,
/// docs/PERFORMANCE.md). They read settings (the manufacturer, its network and routing rules,
/// their members), which a request arriving as they change follows as they were a moment
/// before.
struct Route {
    manufacturer: Organization,
    /// The network member it is routed to, and the rule that decided.
    routed_to: Option<(NetworkLink, Organization)>,
    rule: &'static str,
    /// Who handles it: the first member of the routed network member, else of the
    /// manufacturer.
    handler: Option<Member>,
}

impl Route {
    async fn read(
        conn: &mut Connection,
        marketplace: &Marketplace,
        parsed: &ParsedRequest,
    ) -> Result<Self, AppError> {
        let manufacturer_id = match &parsed.manufacturer {
            ManufacturerRef::Id(id) => Some(*id),
            ManufacturerRef::External(external) => {
                parley_store::provisioning::exhibitor(&mut *conn, marketplace.id, external).await?
            }
        };
        let Some(manufacturer_id) = manufacturer_id else {
            return Err(AppError::invalid(
                "manufacturer.external_id",
                "manufacturer_unknown",
                "This marketplace has no exhibitor with this external id.",
            ));
        };
        let manufacturer = match directory::organization(&mut *conn, manufacturer_id).await {
            Ok(org) if org.kind == OrganizationKind::Manufacturer => org,
            Ok(_) | Err(parley_store::StoreError::NotFound) => {
                return Err(AppError::invalid(
                    "manufacturer_id",
                    "manufacturer_unknown",
                    "No such manufacturer.",
                ));
            }
            Err(other) => return Err(other.into()),
        };
        // An address that signs in as a seller can never sign in as this buyer: say so now.
        if directory::member_by_email(&mut *conn, &parsed.buyer.email)
            .await?
            .is_some()
        {
            return Err(AppError::invalid(
                "buyer.email",
                "email_of_a_seller",
                "This address belongs to a seller on Parley: the buyer needs an address of their own.",
            ));
        }
        // The line the product will have: the one sent, else the one it has (as the upsert
        // in the transaction keeps it).
        let stored_line =
            directory::product_line(&mut *conn, manufacturer.id, &parsed.product_reference)
                .await?
                .flatten();
        let line = parsed.product_line.clone().or(stored_line);
        let network = directory::network_of(&mut *conn, manufacturer.id).await?;
        let routing = parley_store::network::routing(&mut *conn, manufacturer.id).await?;
        let (routed_to, rule) = route(&routing, &network, line.as_deref(), parsed.buyer.country);
        let routed_to = match routed_to {
            Some(party) => {
                let org = directory::organization(&mut *conn, party).await?;
                let link = network.into_iter().find(|l| l.member_org_id == party);
                link.map(|link| (link, org))
            }
            None => None,
        };
        let handler_org = routed_to
            .as_ref()
            .map_or(manufacturer.id, |(_, org)| org.id);
        let handler = directory::members_of(&mut *conn, handler_org)
            .await?
            .into_iter()
            .next();
        Ok(Self {
            manufacturer,
            routed_to,
            rule,
            handler,
        })
    }
}

/// Creates the request in one transaction (see [`App::create_request`]).
async fn insert_request(
    tx: &mut Connection,
    marketplace: &Marketplace,
    parsed: &ParsedRequest,
    notice: &NewRequestNotice,
    route: &Route,
) -> Result<(RequestId, bool), AppError> {
    // Again inside: two deliveries of one request may race.
    if let Some(reference) = &parsed.external_ref
        && let Some(existing) =
            store_requests::by_external_ref(&mut *tx, marketplace.id, reference).await?
    {
        return Ok((existing.id, false));
    }
    let manufacturer = &route.manufacturer;
    // One buyer per address (the identity they sign in with); this request carries the details
    // this marketplace sent, which route it and which its sellers see.
    let buyer = Buyer {
        id: directory::upsert_buyer(&mut *tx, &parsed.buyer).await?.id,
        ..parsed.buyer.clone()
    };
    let product = directory::upsert_product(
        &mut *tx,
        &Product {
            id: ProductId::new(),
            manufacturer_id: manufacturer.id,
            name: parsed.product_name.clone(),
            reference: parsed.product_reference.clone(),
            line: parsed.product_line.clone(),
        },
    )
    .await?;
    let routed_to = route.routed_to.as_ref().map(|(_, org)| org.id);
    let handler_org = routed_to.unwrap_or(manufacturer.id);
    let handler_member = route.handler.as_ref();
    let handler = handler_member.map(|m| m.id);
    let at = now();
    let request = Request {
        id: RequestId::new(),
        marketplace_id: marketplace.id,
        buyer_id: buyer.id,
        product_id: product.id,
        manufacturer_id: manufacturer.id,
        external_ref: parsed.external_ref.clone(),
        message: parsed.message.clone(),
        language: parsed.language,
        handler,
        status: RequestStatus::New,
        created_at: at,
        answered_at: None,
    };
    // Sellers see the details this marketplace sent, whatever another one said before.
    store_requests::insert(&mut *tx, &request, &buyer, &product).await?;
    if let Some(zone) = &parsed.buyer_time_zone {
        store_requests::set_buyer_time_zone(&mut *tx, request.id, zone).await?;
    }
    let mut handler_thread = None;
    for party in std::iter::once(manufacturer.id).chain(routed_to) {
        let thread = Thread {
            id: ThreadId::new(),
            request_id: request.id,
            party,
            created_at: at,
            contacted_at: None,
            declined_at: None,
            decline_reason: None,
            outcome: None,
        };
        store_requests::insert_thread(&mut *tx, &thread).await?;
        if party == handler_org {
            handler_thread = Some(thread.id);
        }
    }
    if let (Some(member), Some(thread_id)) = (handler_member, handler_thread) {
        let party_name = match &route.routed_to {
            Some((_, org)) => org.name.clone(),
            None => manufacturer.name.clone(),
        };
        let mut mail = conversation::new_request_to_member(
            &notice.settings,
            &Conversation {
                request_id: request.id.to_string(),
                thread_id: thread_id.to_string(),
                product: &product.name,
                party_name: &party_name,
                buyer: &buyer,
            },
            &request.message,
            member,
            at.0,
        );
        mail.new_token.clone_from(&notice.token);
        relay::enqueue_notices(&mut *tx, &notice.settings.relay_domain, &[mail], at.0).await?;
    }
    let buyer_actor = Actor {
        kind: AuthorKind::Buyer,
        id: Some(buyer.id.to_string()),
        name: buyer.name.clone(),
    };
    let created = new_event(
        request.id,
        None,
        EventKind::RequestCreated,
        buyer_actor,
        json!({ "marketplace": marketplace.name, "product": product.name }),
        at,
    );
    events::append(&mut *tx, &created, None).await?;
    if let Some((link, org)) = &route.routed_to {
        if let Some(thread) = handler_thread {
            let language = handler_member.map_or(buyer.language, |m| m.language);
            copy_automatically(
                &mut *tx,
                link,
                (&request, &product, &buyer),
                (org, thread, language),
            )
            .await?;
        }
        let system = Actor {
            kind: AuthorKind::System,
            id: None,
            name: "Parley".to_owned(),
        };
        let routed = new_event(
            request.id,
            Some(org.id),
            EventKind::RequestRouted,
            system,
            json!({
                "to": org.name,
                "kind": org.kind,
                "country": buyer.country,
                "rule": route.rule,
                "handler": handler_member.map(|m| m.name.clone()),
            }),
            at,
        );
        events::append(&mut *tx, &routed, None).await?;
    }
    tracing::debug!(request = %request.id, "request created");
    Ok((request.id, true))
}

/// Where a new request goes: nowhere when routing is off; by the product line's rule when it
/// has one (a rule naming an organization no longer in the network is ignored); else to the
/// network member whose territory covers the buyer's country. Also says which rule decided.
fn route(
    routing: &parley_store::network::Routing,
    network: &[parley_domain::NetworkLink],
    line: Option<&str>,
    country: parley_domain::CountryCode,
) -> (Option<OrganizationId>, &'static str) {
    if !routing.enabled {
        return (None, "routing_disabled");
    }
    let in_network = |org: &OrganizationId| network.iter().any(|l| l.member_org_id == *org);
    if let Some(rule) = line.and_then(|l| routing.rule_for(l))
        && rule.is_none_or(|org| in_network(&org))
    {
        return (rule, "product_line");
    }
    let by_territory = network
        .iter()
        .find(|link| link.territories.contains(&country))
        .map(|link| link.member_org_id);
    (by_territory, "territory")
}

/// Emails the request to the routed network member's automatic-copy addresses (FAQ e: the
/// request only, never the conversation; see `mail::automatic_copy`).
async fn copy_automatically(
    tx: &mut Connection,
    link: &NetworkLink,
    (request, product, buyer): (&Request, &Product, &Buyer),
    (org, thread, language): (&Organization, ThreadId, LanguageCode),
) -> Result<(), AppError> {
    let conversation = Conversation {
        request_id: request.id.to_string(),
        thread_id: thread.to_string(),
        product: &product.name,
        party_name: &org.name,
        buyer,
    };
    crate::mail::automatic_copy::send_automatic_copies(
        &mut *tx,
        &conversation,
        &request.message,
        (org.id, &link.auto_cc),
        language,
        request.created_at,
    )
    .await?;
    Ok(())
}
