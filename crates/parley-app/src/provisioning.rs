//! Setting Parley up for real: the operator adds marketplaces and links exhibitors across
//! them (CLI); a marketplace's integration key creates and updates its exhibitors and their
//! people (API). A key only ever sees its own marketplace's exhibitors: every lookup goes
//! through that marketplace's own ids, so another's are simply not found.

use parley_domain::provisioning::{MemberInput, OrganizationInput, external_id, marketplace_slug};
use parley_domain::{
    LanguageCode, Marketplace, MarketplaceId, MemberId, Organization, OrganizationId,
};
use parley_store::provisioning as store;
pub use parley_store::provisioning::TeamMember;
use parley_store::{Connection, StoreError, directory};

use crate::{App, AppError, Caller};

mod people;
pub(crate) use people::{deactivate, keeps_an_admin, put_member};

/// An exhibitor as its marketplace sees it.
#[derive(Debug, Clone)]
pub struct Exhibitor {
    pub external_id: String,
    pub organization: Organization,
    pub language: LanguageCode,
    pub team: Vec<TeamMember>,
}

/// The most exhibitors on one page of the list.
pub const EXHIBITOR_PAGE_MAX: u32 = 100;

impl App {
    /// Adds a marketplace, or finds the one with this slug (its name unchanged). Returns it and
    /// whether it is new.
    pub async fn add_marketplace(
        &self,
        slug: &str,
        name: &str,
    ) -> Result<(Marketplace, bool), AppError> {
        let slug = marketplace_slug(slug).map_err(|e| AppError::Invalid(vec![e]))?;
        let name = parley_domain::text::one_line(name, parley_domain::text::NAME_MAX_CHARS)
            .map_err(|e| AppError::invalid("name", e.code(), e.to_string()))?;
        let fresh = Marketplace {
            id: MarketplaceId::new(),
            slug,
            name,
        };
        self.store
            .write(fresh, |tx, fresh| {
                Box::pin(async move {
                    if let Some(existing) = directory::marketplace_by_slug(tx, &fresh.slug).await? {
                        return Ok::<_, AppError>((existing, false));
                    }
                    directory::insert_marketplace(tx, fresh).await?;
                    Ok((fresh.clone(), true))
                })
            })
            .await
    }

    pub async fn marketplaces(&self) -> Result<Vec<Marketplace>, AppError> {
        let mut conn = self.store.read().await?;
        Ok(store::marketplaces(&mut conn).await?)
    }

    /// The operator's link: marketplace `slug` knows `organization` as `external`, so one
    /// manufacturer exhibiting on several marketplaces stays one organization.
    pub async fn link_exhibitor(
        &self,
        slug: &str,
        external: &str,
        organization: OrganizationId,
    ) -> Result<(), AppError> {
        let external = external_id(external).map_err(|e| AppError::Invalid(vec![e]))?;
        let mut conn = self.store.read().await?;
        let marketplace = directory::marketplace_by_slug(&mut conn, slug)
            .await?
            .ok_or_else(|| {
                AppError::invalid("marketplace", "unknown_marketplace", "No such marketplace.")
            })?;
        directory::organization(&mut conn, organization)
            .await
            .map_err(not_found("organization", "No such organization."))?;
        drop(conn);
        let data = (marketplace.id, external, organization);
        self.store
            .write(data, |tx, (marketplace, external, organization)| {
                Box::pin(async move {
                    match store::exhibitor(tx, *marketplace, external).await? {
                        Some(existing) if existing == *organization => Ok(()),
                        Some(_) => Err(AppError::Conflict("external_id_taken".to_owned())),
                        None => store::link_exhibitor(tx, *marketplace, external, *organization)
                            .await
                            .map_err(|e| match e {
                                StoreError::Conflict(_) => {
                                    AppError::Conflict("organization_already_linked".to_owned())
                                }
                                other => other.into(),
                            }),
                    }
                })
            })
            .await
    }

    /// Creates or updates the exhibitor its marketplace knows as `external`. Returns it and
    /// whether it was created.
    pub async fn put_exhibitor(
        &self,
        caller: &Caller,
        external: &str,
        input: OrganizationInput,
    ) -> Result<(Exhibitor, bool), AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let external = external_id(external).map_err(|e| AppError::Invalid(vec![e]))?;
        let fresh = Organization {
            id: OrganizationId::new(),
            kind: input.kind,
            name: input.name.clone(),
            country: input.country,
        };
        let data = (marketplace, external.clone(), fresh, input.language);
        let (id, created) = self
            .store
            .write(data, |tx, (marketplace, external, fresh, language)| {
                Box::pin(async move {
                    match store::exhibitor(tx, *marketplace, external).await? {
                        Some(id) => {
                            let organization = Organization {
                                id,
                                ..fresh.clone()
                            };
                            store::update_organization(tx, &organization, *language).await?;
                            Ok::<_, AppError>((id, false))
                        }
                        None => {
                            directory::insert_organization(tx, fresh).await?;
                            store::update_organization(tx, fresh, *language).await?;
                            store::link_exhibitor(tx, *marketplace, external, fresh.id).await?;
                            Ok((fresh.id, true))
                        }
                    }
                })
            })
            .await?;
        let mut conn = self.store.read().await?;
        Ok((exhibitor_of(&mut conn, external, id).await?, created))
    }

    /// The exhibitor its marketplace knows as `external`, with its people.
    pub async fn exhibitor(&self, caller: &Caller, external: &str) -> Result<Exhibitor, AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let mut conn = self.store.read().await?;
        let id = store::exhibitor(&mut conn, marketplace, external)
            .await?
            .ok_or(AppError::NotFound)?;
        exhibitor_of(&mut conn, external.to_owned(), id).await
    }

    /// The caller's exhibitors by external id, after `after` (keyset pages).
    pub async fn exhibitors(
        &self,
        caller: &Caller,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Exhibitor>, AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let mut conn = self.store.read().await?;
        let page = store::exhibitors(
            &mut conn,
            marketplace,
            after,
            limit.clamp(1, EXHIBITOR_PAGE_MAX),
        )
        .await?;
        let mut exhibitors = Vec::with_capacity(page.len());
        for (external, id) in page {
            exhibitors.push(exhibitor_of(&mut conn, external, id).await?);
        }
        Ok(exhibitors)
    }

    /// Creates or updates a person of the exhibitor its marketplace knows as `external`.
    /// An address that belongs to another organization is refused: people never move
    /// between organizations by accident (that is the operator's decision).
    pub async fn put_exhibitor_member(
        &self,
        caller: &Caller,
        external: &str,
        input: MemberInput,
    ) -> Result<(TeamMember, bool), AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let new_id = MemberId::new();
        let data = (marketplace, external.to_owned(), input, new_id);
        let (organization, member, created) = self
            .store
            .write(data, |tx, (marketplace, external, input, new_id)| {
                Box::pin(async move {
                    let organization = exhibitor_id(tx, *marketplace, external).await?;
                    put_member(tx, organization, input, *new_id).await
                })
            })
            .await?;
        let mut conn = self.store.read().await?;
        let team = store::team(&mut conn, organization).await?;
        let entry = team
            .into_iter()
            .find(|t| t.member.id == member)
            .ok_or(AppError::NotFound)?;
        Ok((entry, created))
    }
}

async fn exhibitor_id(
    tx: &mut Connection,
    marketplace: MarketplaceId,
    external: &str,
) -> Result<OrganizationId, AppError> {
    store::exhibitor(tx, marketplace, external)
        .await?
        .ok_or(AppError::NotFound)
}

async fn exhibitor_of(
    conn: &mut Connection,
    external_id: String,
    id: OrganizationId,
) -> Result<Exhibitor, AppError> {
    Ok(Exhibitor {
        external_id,
        organization: directory::organization(&mut *conn, id).await?,
        language: store::organization_language(&mut *conn, id).await?,
        team: store::team(&mut *conn, id).await?,
    })
}

/// The marketplace whose integration key calls; anyone else may not provision.
pub(crate) fn marketplace_of(caller: &Caller) -> Result<&Marketplace, AppError> {
    match caller {
        Caller::Marketplace(marketplace) => Ok(marketplace),
        _ => Err(AppError::Forbidden(
            "only a marketplace's integration key provisions",
        )),
    }
}

fn not_found(field: &'static str, message: &'static str) -> impl Fn(StoreError) -> AppError {
    move |error| match error {
        StoreError::NotFound => AppError::invalid(field, "not_found", message),
        other => other.into(),
    }
}
