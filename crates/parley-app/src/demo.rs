//! Demo data: the six marketplaces, a manufacturer with two members, a distributor and an area
//! manager in its network, buyers writing in several languages, and about fifty requests with
//! threads and documents. Loading is idempotent: what exists is kept, what is missing is added.
//! Everything goes through the same use cases as real traffic.

use bytes::Bytes;
use parley_domain::{
    Channel, CountryCode, EmailAddress, Marketplace, Member, MemberId, NetworkLink, Organization,
    OrganizationId,
};
use parley_store::directory;

use crate::messages::Draft;
use crate::new_request::NewRequest;
use crate::{App, AppError, Caller, Upload};

mod cast;
mod pdf;
use cast::{BUYERS, DemoOrg, MANUFACTURER, MARKETPLACES, NETWORK, PRODUCTS};
pub use pdf::demo_pdf;

/// How many requests the demo holds.
pub const DEMO_REQUESTS: usize = 50;

/// What the demo loaded and how to use it.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub requests_created: usize,
    /// (who, email, API token)
    pub tokens: Vec<(String, String, String)>,
    /// (who, email, one-time sign-in path for the web pages)
    pub sign_in_links: Vec<(String, String, String)>,
    /// (marketplace slug, integration key)
    pub marketplace_key: (String, String),
    pub manufacturer_id: OrganizationId,
    /// A buyer's masked address to try the relay with: (buyer email, masked address, request).
    pub relay_example: Option<(String, String, String)>,
    /// A request routed to the distributor (demo 001), to see the wall from both sides.
    pub wall_example: Option<String>,
}

impl App {
    /// Loads the demo data (idempotently) and mints fresh tokens to try it with.
    pub async fn load_demo(&self) -> Result<DemoSummary, AppError> {
        let mut marketplaces = Vec::new();
        for (slug, name) in MARKETPLACES {
            marketplaces.push(self.ensure_marketplace(slug, name).await?);
        }
        let manufacturer = self.ensure_org(&MANUFACTURER).await?;
        for org in &NETWORK {
            let member_org = self.ensure_org(org).await?;
            let link = NetworkLink {
                manufacturer_id: manufacturer.0,
                member_org_id: member_org.0,
                territories: parley_domain::territory::parse_territory(org.territories)
                    .map_err(|e| AppError::internal(e.to_string()))?,
                contacts: member_org.1.iter().map(|m| m.email.clone()).collect(),
                auto_cc: vec![demo_email("sales-network@hydrotech.example")?],
            };
            self.store
                .write(link, |tx, link| {
                    Box::pin(directory::upsert_network_link(tx, link))
                })
                .await?;
        }
        let mut created = 0;
        for n in 0..DEMO_REQUESTS {
            if self.demo_request(n, &marketplaces, &manufacturer).await? {
                created += 1;
            }
        }
        let mut tokens = Vec::new();
        let people = [
            MANUFACTURER.members[0].1,
            MANUFACTURER.members[1].1,
            NETWORK[0].members[0].1,
            NETWORK[1].members[0].1,
            BUYERS[0].4,
            BUYERS[1].4,
        ];
        let mut sign_in_links = Vec::new();
        for email in people {
            let (token, caller) = self.create_token(email, "demo").await?;
            tokens.push((caller.actor().name, email.to_owned(), token));
            if let Some((link, _)) = self.create_sign_in_link(email, "/requests").await? {
                sign_in_links.push((
                    caller.actor().name,
                    email.to_owned(),
                    format!("/signin/{link}"),
                ));
            }
        }
        let key = self
            .create_marketplace_key(MARKETPLACES[0].0, "demo")
            .await?;
        // The worker would queue the conversations' notifications; queue them now so the
        // masked addresses exist to print.
        while self.queue_pending_notifications(200).await? > 0 {}
        let relay_example = self.demo_relay_example(&marketplaces[0]).await?;
        let wall_example = {
            let mut conn = self.store.read().await?;
            let market = &marketplaces[1 % marketplaces.len()];
            parley_store::requests::by_external_ref(&mut conn, market.id, "demo-001")
                .await?
                .map(|r| r.id.to_string())
        };
        Ok(DemoSummary {
            requests_created: created,
            tokens,
            sign_in_links,
            marketplace_key: (MARKETPLACES[0].0.to_owned(), key),
            manufacturer_id: manufacturer.0,
            relay_example,
            wall_example,
        })
    }

    /// The masked address the buyer of demo request 000 (answered by the seller) replies to.
    async fn demo_relay_example(
        &self,
        marketplace: &Marketplace,
    ) -> Result<Option<(String, String, String)>, AppError> {
        let mut conn = self.store.read().await?;
        let Some(request) =
            parley_store::requests::by_external_ref(&mut conn, marketplace.id, "demo-000").await?
        else {
            return Ok(None);
        };
        drop(conn);
        let addresses = self.relay_addresses_of(request.id).await?;
        Ok(addresses
            .into_iter()
            .find(|a| a.holder_kind == parley_store::relay::HolderKind::Buyer)
            .map(|a| {
                (
                    a.email,
                    format!("{}@{}", a.token, self.settings.relay_domain),
                    request.id.to_string(),
                )
            }))
    }

    /// The demo's marketplaces go through the operator's own path (`parley marketplace add`).
    async fn ensure_marketplace(&self, slug: &str, name: &str) -> Result<Marketplace, AppError> {
        Ok(self.add_marketplace(slug, name).await?.0)
    }

    /// The organization of the demo's first member email, created with its members if absent.
    async fn ensure_org(&self, org: &DemoOrg) -> Result<(OrganizationId, Vec<Member>), AppError> {
        let first = demo_email(org.members[0].1)?;
        let mut conn = self.store.read().await?;
        if let Some(member) = directory::member_by_email(&mut conn, &first).await? {
            let members = directory::members_of(&mut conn, member.organization_id).await?;
            return Ok((member.organization_id, members));
        }
        drop(conn);
        let organization = Organization {
            id: OrganizationId::new(),
            kind: org.kind,
            name: org.name.to_owned(),
            country: CountryCode::parse(org.country).ok(),
        };
        let mut members = Vec::new();
        for (name, email, phone, language) in org.members {
            members.push(Member {
                id: MemberId::new(),
                organization_id: organization.id,
                name: (*name).to_owned(),
                email: demo_email(email)?,
                phone: Some((*phone).to_owned()),
                language: *language,
            });
        }
        let id = organization.id;
        let stored = members.clone();
        self.store
            .write((organization, stored), |tx, (organization, stored)| {
                Box::pin(async move {
                    directory::insert_organization(tx, organization).await?;
                    for member in stored {
                        directory::insert_member(tx, member).await?;
                    }
                    Ok::<_, parley_store::StoreError>(())
                })
            })
            .await?;
        Ok((id, members))
    }

    /// Creates demo request `n` unless it exists; on creation adds a conversation to some.
    async fn demo_request(
        &self,
        n: usize,
        marketplaces: &[Marketplace],
        manufacturer: &(OrganizationId, Vec<Member>),
    ) -> Result<bool, AppError> {
        let buyer = BUYERS[n % BUYERS.len()];
        let (reference, product) = PRODUCTS[n % PRODUCTS.len()];
        let marketplace = &marketplaces[n % marketplaces.len()];
        let (id, created) = self
            .create_request(
                marketplace,
                NewRequest {
                    buyer_name: buyer.0.to_owned(),
                    buyer_company: Some(buyer.1.to_owned()),
                    buyer_country: buyer.2.to_owned(),
                    buyer_language: buyer.3.to_owned(),
                    buyer_email: buyer.4.to_owned(),
                    buyer_phone: Some(buyer.5.to_owned()),
                    buyer_time_zone: None,
                    manufacturer_id: manufacturer.0.to_string(),
                    manufacturer_external_id: None,
                    product_reference: reference.to_owned(),
                    product_name: product.to_owned(),
                    product_line: None,
                    message: buyer.6.to_owned(),
                    language: None,
                    external_ref: Some(format!("demo-{n:03}")),
                },
            )
            .await?;
        if created {
            self.demo_network_steps(n, id).await?;
        }
        // Two requests in three get an answer; every third answer carries a quote, and one
        // conversation in four gets the buyer's reply.
        if !created || n % 3 == 2 {
            return Ok(created);
        }
        let detail = self
            .request_detail(&self.demo_handler(id).await?, id)
            .await?;
        let seller = self.demo_handler(id).await?;
        let documents = if n.is_multiple_of(3) {
            vec![Upload {
                field: "document".to_owned(),
                kind: "quote".to_owned(),
                filename: format!("quote-{reference}-{n:03}.pdf"),
                bytes: Bytes::from(demo_pdf(&format!("Quote {n:03} - {product}"))),
            }]
        } else {
            Vec::new()
        };
        let body = format!(
            "Thank you for your request about the {product}. Please find our offer; \
             delivery takes three weeks. Best regards,\n{}",
            seller.actor().name
        );
        // The first quote can be paid online: the whole quote-to-order path to walk.
        let quote = (n == 0 && self.online_payment_available()).then(|| {
            let valid_until =
                parley_domain::Timestamp(crate::now().0 + 30 * 86_400_000).to_rfc3339();
            parley_domain::quote::QuoteInput {
                amount: "2 480,00".to_owned(),
                currency: "EUR".to_owned(),
                valid_until: valid_until[..10].to_owned(),
                reference: format!("Q-{reference}-{n:03}"),
                description: format!("Two {product}, delivered"),
                shipping: "120".to_owned(),
                tax: "520".to_owned(),
            }
        });
        self.send_message(
            &seller,
            id,
            Draft {
                body,
                documents,
                quote,
                ..Draft::default()
            },
            Channel::Web,
        )
        .await?;
        // Buyers answer in their own language (Spanish buyers always: their messages are the
        // ones to try translation on).
        if n.is_multiple_of(4) || buyer.3 == "es" {
            let caller = self.demo_buyer(detail.request.buyer_id).await?;
            self.mark_read(&caller, id, None).await?;
            let party = detail.threads.last().map(|t| t.party.id.to_string());
            let body = match buyer.3 {
                "es" => {
                    "Gracias. ¿Podrían confirmar también el periodo de garantía y el plazo de \
                         entrega a Sevilla?"
                }
                "fr" => "Merci. Pourriez-vous aussi confirmer la durée de la garantie ?",
                "de" => "Danke. Können Sie auch die Garantiezeit bestätigen?",
                "it" => "Grazie. Potete confermare anche il periodo di garanzia?",
                _ => "Thank you, could you also confirm the warranty period?",
            };
            let draft = Draft {
                body: body.to_owned(),
                party,
                ..Draft::default()
            };
            self.send_message(&caller, id, draft, Channel::Email)
                .await?;
        }
        Ok(created)
    }

    /// The sales network at work: request 002 (a British buyer, nobody's territory) is
    /// forwarded by the manufacturer to its area manager; request 009 (routed to the Spanish
    /// distributor) is declined by it, privately, with a reason.
    async fn demo_network_steps(
        &self,
        n: usize,
        id: parley_domain::RequestId,
    ) -> Result<(), AppError> {
        match n {
            2 => {
                let claire = self.demo_member(MANUFACTURER.members[0].1).await?;
                let alpen = self.demo_member(NETWORK[1].members[0].1).await?;
                let Caller::Member(alpen) = alpen else {
                    return Ok(());
                };
                let forward = crate::handover::Forward {
                    party: None,
                    to: crate::handover::ForwardTo::Organization(alpen.organization_id),
                    note: "Jonas, this brewery is close to your customers in Bavaria.".to_owned(),
                };
                self.forward_request(&claire, id, forward).await?;
            }
            9 => {
                let lucia = self.demo_member(NETWORK[0].members[0].1).await?;
                let decline = crate::party_actions::Decline {
                    reason: "out_of_stock".to_owned(),
                    notify_buyer: true,
                    ..Default::default()
                };
                self.decline_request(&lucia, id, decline).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn demo_member(&self, email: &str) -> Result<Caller, AppError> {
        crate::auth::caller_by_email(self, email)
            .await?
            .ok_or_else(|| AppError::internal("demo member missing"))
    }

    async fn demo_handler(&self, id: parley_domain::RequestId) -> Result<Caller, AppError> {
        let mut conn = self.store.read().await?;
        let request = parley_store::requests::get(&mut conn, id).await?;
        let handler = request
            .handler
            .ok_or_else(|| AppError::internal("demo request has no handler"))?;
        Ok(Caller::Member(
            directory::member_by_id(&mut conn, handler).await?,
        ))
    }

    async fn demo_buyer(&self, id: parley_domain::BuyerId) -> Result<Caller, AppError> {
        let mut conn = self.store.read().await?;
        Ok(Caller::Buyer(directory::buyer_by_id(&mut conn, id).await?))
    }
}

fn demo_email(text: &str) -> Result<EmailAddress, AppError> {
    EmailAddress::parse(text).map_err(|e| AppError::internal(e.to_string()))
}
