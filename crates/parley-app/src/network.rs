//! "My sales network" (guide, FAQ e): a manufacturer's distributors and area managers, their
//! territories, contacts and auto-CC addresses, how new requests are routed, and the response
//! ratings of each member and of the whole network (FAQ a).

use parley_domain::rating::Rating;
use parley_domain::{
    EmailAddress, LanguageCode, Member, MemberId, NetworkLink, Organization, OrganizationId,
    OrganizationKind, Timestamp,
};
use parley_store::network::{self, Routing};
use parley_store::{Connection, directory};

use crate::{App, AppError, Caller, now};

mod form;
use form::{add_contact, field, one_line_field, parse_auto_cc, parse_territories};

/// One member of the network, as the page shows it.
#[derive(Debug, Clone)]
pub struct NetworkMember {
    pub organization: Organization,
    pub link: NetworkLink,
    pub people: Vec<Member>,
    pub rating: Rating,
}

/// The "My sales network" page.
#[derive(Debug, Clone)]
pub struct NetworkOverview {
    pub manufacturer: Organization,
    pub members: Vec<NetworkMember>,
    pub routing: Routing,
    /// The manufacturer's own rating (requests it kept), and the network's (members only).
    pub own_rating: Rating,
    pub network_rating: Rating,
    /// When the ratings were summed (they may be up to a minute old).
    pub ratings_computed_at: Timestamp,
    pub window_days: u32,
}

/// A new network member, as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct NewNetworkMember {
    pub name: String,
    /// `distributor` or `area_manager`.
    pub kind: String,
    pub country: String,
    /// Countries or regions, comma-separated.
    pub territories: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_language: String,
    /// Comma- or line-separated addresses.
    pub auto_cc: String,
}

/// A routing rule for one product line.
#[derive(Debug, Clone)]
pub enum RuleTarget {
    /// Territory routing again (the rule is removed).
    Territory,
    /// The manufacturer keeps the line's requests.
    Manufacturer,
    /// One network member gets them.
    Member(OrganizationId),
}

impl App {
    /// The caller's manufacturer, when they may manage its network (members of the
    /// manufacturer only; everyone else gets `NotFound`).
    async fn managed_network(
        &self,
        caller: &Caller,
        conn: &mut Connection,
    ) -> Result<Organization, AppError> {
        let Caller::Member(member) = caller else {
            return Err(AppError::NotFound);
        };
        let organization = directory::organization(conn, member.organization_id).await?;
        if parley_domain::policy::manages_network(organization.kind) {
            Ok(organization)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The "My sales network" page: members, routing, and ratings over the requests received
    /// in the last `days` days (all when `None`).
    pub async fn network_overview(
        &self,
        caller: &Caller,
        days: Option<u32>,
    ) -> Result<NetworkOverview, AppError> {
        let mut conn = self.store.read().await?;
        let manufacturer = self.managed_network(caller, &mut conn).await?;
        let links = directory::network_of(&mut conn, manufacturer.id).await?;
        let routing = network::routing(&mut conn, manufacturer.id).await?;
        let mut members = Vec::with_capacity(links.len());
        for link in links {
            let organization = directory::organization(&mut conn, link.member_org_id).await?;
            let people = directory::members_of(&mut conn, link.member_org_id).await?;
            members.push((organization, link, people));
        }
        drop(conn);
        let ratings = self.network_ratings(manufacturer.id, days).await?;
        let members = members
            .into_iter()
            .map(|(organization, link, people)| NetworkMember {
                rating: ratings.of(organization.id),
                organization,
                link,
                people,
            })
            .collect();
        Ok(NetworkOverview {
            own_rating: ratings.of(manufacturer.id),
            network_rating: ratings.network.clone(),
            ratings_computed_at: ratings.computed_at,
            manufacturer,
            members,
            routing,
            window_days: self.settings.response_window_days,
        })
    }

    /// Adds a distributor or area manager to the caller's network, with its first contact.
    pub async fn add_network_member(
        &self,
        caller: &Caller,
        input: NewNetworkMember,
    ) -> Result<OrganizationId, AppError> {
        let mut conn = self.store.read().await?;
        let manufacturer = self.managed_network(caller, &mut conn).await?;
        drop(conn);
        let mut errors = Vec::new();
        let name = one_line_field(&mut errors, "name", &input.name, "Give the member's name.");
        let kind = match OrganizationKind::parse(input.kind.trim()) {
            Ok(kind @ (OrganizationKind::Distributor | OrganizationKind::AreaManager)) => {
                Some(kind)
            }
            _ => {
                field(
                    &mut errors,
                    "kind",
                    "kind_invalid",
                    "Choose distributor or area manager.",
                );
                None
            }
        };
        let country = match input.country.trim() {
            "" => None,
            text => parley_domain::CountryCode::parse(text)
                .map_err(|e| field(&mut errors, "country", "country_invalid", e.to_string()))
                .ok(),
        };
        let territories = parse_territories(&input.territories, &mut errors);
        let contact_name = one_line_field(
            &mut errors,
            "contact_name",
            &input.contact_name,
            "Give the contact's name.",
        );
        let contact_email = EmailAddress::parse(&input.contact_email)
            .map_err(|e| field(&mut errors, "contact_email", "email_invalid", e.to_string()))
            .ok();
        // Any language tag: mail goes in the nearest language Parley writes, else English.
        let language = match input.contact_language.trim() {
            "" => Some((LanguageCode::En, "en".to_owned())),
            text => LanguageCode::nearest(text).or_else(|| {
                field(
                    &mut errors,
                    "contact_language",
                    "language_invalid",
                    format!("“{text}” is not a language tag (like nl or nl-BE)."),
                );
                None
            }),
        };
        let auto_cc = parse_auto_cc(&input.auto_cc, &mut errors);
        let (Some(kind), Some(contact_email), Some((language, language_tag))) =
            (kind, contact_email, language)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let organization = Organization {
            id: OrganizationId::new(),
            kind,
            name,
            country,
        };
        let contact = Member {
            id: MemberId::new(),
            organization_id: organization.id,
            name: contact_name,
            email: contact_email.clone(),
            phone: None,
            language,
        };
        let link = NetworkLink {
            manufacturer_id: manufacturer.id,
            member_org_id: organization.id,
            territories,
            contacts: vec![contact_email],
            auto_cc,
        };
        let id = organization.id;
        self.store
            .write(
                (organization, contact, link, language_tag),
                |tx, (organization, contact, link, language_tag)| {
                    Box::pin(async move {
                        directory::insert_organization(&mut *tx, organization).await?;
                        let contact = add_contact(&mut *tx, contact).await?;
                        directory::set_language_tag(&mut *tx, contact, language_tag).await?;
                        directory::upsert_network_link(&mut *tx, link).await?;
                        Ok::<_, AppError>(())
                    })
                },
            )
            .await?;
        Ok(id)
    }

    /// Changes a network member's territories and auto-CC addresses.
    pub async fn update_network_member(
        &self,
        caller: &Caller,
        member_org: OrganizationId,
        territories: &str,
        auto_cc: &str,
    ) -> Result<(), AppError> {
        let mut conn = self.store.read().await?;
        let manufacturer = self.managed_network(caller, &mut conn).await?;
        let mut link = directory::network_of(&mut conn, manufacturer.id)
            .await?
            .into_iter()
            .find(|l| l.member_org_id == member_org)
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let mut errors = Vec::new();
        link.territories = parse_territories(territories, &mut errors);
        link.auto_cc = parse_auto_cc(auto_cc, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(self
            .store
            .write(link, |tx, link| {
                Box::pin(directory::upsert_network_link(tx, link))
            })
            .await?)
    }

    /// Takes a member out of the network: new requests no longer go to it; its past
    /// conversations stay its own.
    pub async fn remove_network_member(
        &self,
        caller: &Caller,
        member_org: OrganizationId,
    ) -> Result<(), AppError> {
        let mut conn = self.store.read().await?;
        let manufacturer = self.managed_network(caller, &mut conn).await?;
        drop(conn);
        let removed = self
            .store
            .write((manufacturer.id, member_org), |tx, (m, o)| {
                Box::pin(network::remove_link(tx, *m, *o))
            })
            .await?;
        if removed {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Turns routing to the network on or off.
    pub async fn set_routing_enabled(
        &self,
        caller: &Caller,
        enabled: bool,
    ) -> Result<(), AppError> {
        let mut conn = self.store.read().await?;
        let manufacturer = self.managed_network(caller, &mut conn).await?;
        drop(conn);
        Ok(self
            .store
            .write(manufacturer.id, move |tx, id| {
                Box::pin(network::set_routing_enabled(tx, *id, enabled))
            })
            .await?)
    }

    /// Sets where a product line's requests go.
    pub async fn set_routing_rule(
        &self,
        caller: &Caller,
        line: &str,
        target: RuleTarget,
    ) -> Result<(), AppError> {
        let line = line.trim().to_owned();
        if line.is_empty() {
            return Err(AppError::invalid(
                "product_line",
                "required",
                "Name the product line.",
            ));
        }
        let mut conn = self.store.read().await?;
        let manufacturer = self.managed_network(caller, &mut conn).await?;
        if let RuleTarget::Member(org) = target
            && !directory::network_of(&mut conn, manufacturer.id)
                .await?
                .iter()
                .any(|l| l.member_org_id == org)
        {
            return Err(AppError::invalid(
                "target",
                "not_in_network",
                "This organization is not in the sales network.",
            ));
        }
        drop(conn);
        let at: Timestamp = now();
        self.store
            .write(
                (manufacturer.id, line, target),
                move |tx, (m, line, target)| {
                    Box::pin(async move {
                        match target {
                            RuleTarget::Territory => {
                                network::remove_routing_rule(tx, *m, line).await?;
                            }
                            RuleTarget::Manufacturer => {
                                network::set_routing_rule(tx, *m, line, None, at).await?;
                            }
                            RuleTarget::Member(org) => {
                                network::set_routing_rule(tx, *m, line, Some(*org), at).await?;
                            }
                        }
                        Ok::<_, parley_store::StoreError>(())
                    })
                },
            )
            .await?;
        Ok(())
    }
}
