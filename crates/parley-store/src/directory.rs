//! Marketplaces, organizations and their members, sales-network links, buyers and products.

use parley_domain::{
    Buyer, BuyerId, EmailAddress, Marketplace, MarketplaceId, Member, MemberId, NetworkLink,
    Organization, OrganizationId, OrganizationKind, Product,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{country, email, emails, emails_json, language, parse, variant};
use crate::{Connection, StoreError, dynamic_query, now_millis};

pub async fn insert_marketplace(
    conn: &mut Connection,
    marketplace: &Marketplace,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO marketplaces (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(marketplace.id.to_string())
        .bind(&marketplace.slug)
        .bind(&marketplace.name)
        .bind(now_millis())
        .execute(conn)
        .await?;
    Ok(())
}

fn marketplace(row: &AnyRow) -> Result<Marketplace, StoreError> {
    Ok(Marketplace {
        id: parse(&row.try_get::<String, _>("id")?, "marketplace id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
    })
}

pub async fn marketplace_by_slug(
    conn: &mut Connection,
    slug: &str,
) -> Result<Option<Marketplace>, StoreError> {
    sqlx::query("SELECT id, slug, name FROM marketplaces WHERE slug = $1")
        .bind(slug)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(marketplace)
        .transpose()
}

pub async fn marketplace_by_id(
    conn: &mut Connection,
    id: MarketplaceId,
) -> Result<Marketplace, StoreError> {
    let row = sqlx::query("SELECT id, slug, name FROM marketplaces WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    marketplace(&row)
}

pub async fn insert_organization(
    conn: &mut Connection,
    org: &Organization,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO organizations (id, kind, name, country, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org.id.to_string())
    .bind(org.kind.as_str())
    .bind(&org.name)
    .bind(org.country.map(|c| c.to_string()))
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn organization(
    conn: &mut Connection,
    id: OrganizationId,
) -> Result<Organization, StoreError> {
    let row = sqlx::query("SELECT id, kind, name, country FROM organizations WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    Ok(Organization {
        id: parse(&row.try_get::<String, _>("id")?, "organization id")?,
        kind: variant(OrganizationKind::parse(&row.try_get::<String, _>("kind")?))?,
        name: row.try_get("name")?,
        country: row
            .try_get::<Option<String>, _>("country")?
            .as_deref()
            .map(country)
            .transpose()?,
    })
}

pub async fn insert_member(conn: &mut Connection, member: &Member) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO members (id, organization_id, name, email, phone, language, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(member.id.to_string())
    .bind(member.organization_id.to_string())
    .bind(&member.name)
    .bind(member.email.as_str())
    .bind(member.phone.clone())
    .bind(member.language.code())
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the language tag a member's language was chosen from (see migration 0017).
pub async fn set_language_tag(
    conn: &mut Connection,
    member: MemberId,
    tag: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE members SET language_tag = $1 WHERE id = $2")
        .bind(tag)
        .bind(member.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a member into another organization, with their name and language as now given (a
/// person Parley knew only as someone in copy becomes a network member's contact).
pub async fn move_member(conn: &mut Connection, member: &Member) -> Result<(), StoreError> {
    sqlx::query("UPDATE members SET organization_id = $1, name = $2, language = $3 WHERE id = $4")
        .bind(member.organization_id.to_string())
        .bind(&member.name)
        .bind(member.language.code())
        .bind(member.id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) const MEMBER_COLUMNS: &str = "id, organization_id, name, email, phone, language";

pub(crate) fn member(row: &AnyRow) -> Result<Member, StoreError> {
    Ok(Member {
        id: parse(&row.try_get::<String, _>("id")?, "member id")?,
        organization_id: parse(&row.try_get::<String, _>("organization_id")?, "org id")?,
        name: row.try_get("name")?,
        email: email(&row.try_get::<String, _>("email")?)?,
        phone: row.try_get("phone")?,
        language: language(&row.try_get::<String, _>("language")?)?,
    })
}

pub async fn member_by_id(conn: &mut Connection, id: MemberId) -> Result<Member, StoreError> {
    let row = dynamic_query(format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    member(&row)
}

pub async fn member_by_email(
    conn: &mut Connection,
    address: &EmailAddress,
) -> Result<Option<Member>, StoreError> {
    dynamic_query(format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE email = $1"
    ))
    .bind(address.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(member)
    .transpose()
}

pub async fn members_of(
    conn: &mut Connection,
    organization: OrganizationId,
) -> Result<Vec<Member>, StoreError> {
    dynamic_query(format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE organization_id = $1 ORDER BY created_at, id"
    ))
    .bind(organization.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(member)
    .collect()
}

pub async fn upsert_network_link(
    conn: &mut Connection,
    link: &NetworkLink,
) -> Result<(), StoreError> {
    let territories: Vec<String> = link.territories.iter().map(ToString::to_string).collect();
    sqlx::query(
        "INSERT INTO network_links \
           (manufacturer_id, member_org_id, territories, contacts, auto_cc, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (manufacturer_id, member_org_id) DO UPDATE SET \
           territories = excluded.territories, contacts = excluded.contacts, \
           auto_cc = excluded.auto_cc",
    )
    .bind(link.manufacturer_id.to_string())
    .bind(link.member_org_id.to_string())
    .bind(territories.join(","))
    .bind(emails_json(&link.contacts))
    .bind(emails_json(&link.auto_cc))
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn network_of(
    conn: &mut Connection,
    manufacturer: OrganizationId,
) -> Result<Vec<NetworkLink>, StoreError> {
    let rows = sqlx::query(
        "SELECT manufacturer_id, member_org_id, territories, contacts, auto_cc \
         FROM network_links WHERE manufacturer_id = $1 ORDER BY created_at, member_org_id",
    )
    .bind(manufacturer.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(NetworkLink {
                manufacturer_id: parse(&row.try_get::<String, _>("manufacturer_id")?, "org")?,
                member_org_id: parse(&row.try_get::<String, _>("member_org_id")?, "org")?,
                territories: variant(parley_domain::territory::parse_territory(
                    &row.try_get::<String, _>("territories")?,
                ))?,
                contacts: emails(&row.try_get::<String, _>("contacts")?)?,
                auto_cc: emails(&row.try_get::<String, _>("auto_cc")?)?,
            })
        })
        .collect()
}

const BUYER_COLUMNS: &str = "id, name, company, country, language, email, phone";

fn buyer(row: &AnyRow) -> Result<Buyer, StoreError> {
    Ok(Buyer {
        id: parse(&row.try_get::<String, _>("id")?, "buyer id")?,
        name: row.try_get("name")?,
        company: row.try_get("company")?,
        country: country(&row.try_get::<String, _>("country")?)?,
        language: language(&row.try_get::<String, _>("language")?)?,
        email: email(&row.try_get::<String, _>("email")?)?,
        phone: row.try_get("phone")?,
    })
}

/// Inserts the buyer, or updates the profile of the buyer with the same email, and returns the
/// stored buyer.
/// The buyer with `new`'s email, created from `new` when there is none. An existing buyer is
/// left as it is: what one marketplace sends never changes what another sent (each request
/// keeps the details sent with it).
pub async fn upsert_buyer(conn: &mut Connection, new: &Buyer) -> Result<Buyer, StoreError> {
    let row = dynamic_query(format!(
        "INSERT INTO buyers (id, name, company, country, language, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (email) DO UPDATE SET email = buyers.email \
         RETURNING {BUYER_COLUMNS}"
    ))
    .bind(new.id.to_string())
    .bind(&new.name)
    .bind(new.company.clone())
    .bind(new.country.to_string())
    .bind(new.language.code())
    .bind(new.email.as_str())
    .bind(new.phone.clone())
    .bind(now_millis())
    .fetch_one(conn)
    .await?;
    buyer(&row)
}

pub async fn buyer_by_id(conn: &mut Connection, id: BuyerId) -> Result<Buyer, StoreError> {
    let row = dynamic_query(format!("SELECT {BUYER_COLUMNS} FROM buyers WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    buyer(&row)
}

pub async fn buyer_by_email(
    conn: &mut Connection,
    address: &EmailAddress,
) -> Result<Option<Buyer>, StoreError> {
    dynamic_query(format!(
        "SELECT {BUYER_COLUMNS} FROM buyers WHERE email = $1"
    ))
    .bind(address.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(buyer)
    .transpose()
}

fn product(row: &AnyRow) -> Result<Product, StoreError> {
    Ok(Product {
        id: parse(&row.try_get::<String, _>("id")?, "product id")?,
        manufacturer_id: parse(&row.try_get::<String, _>("manufacturer_id")?, "org id")?,
        name: row.try_get("name")?,
        reference: row.try_get("reference")?,
        line: row.try_get("line")?,
    })
}

/// The product line stored for the manufacturer's product `reference`: `None` when there is no
/// such product, `Some(None)` when it has no line.
pub async fn product_line(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    reference: &str,
) -> Result<Option<Option<String>>, StoreError> {
    let row =
        sqlx::query("SELECT line FROM products WHERE manufacturer_id = $1 AND reference = $2")
            .bind(manufacturer.to_string())
            .bind(reference)
            .fetch_optional(conn)
            .await?;
    row.map(|row| row.try_get("line").map_err(StoreError::from))
        .transpose()
}

/// Inserts the product, or renames the manufacturer's product with the same reference, and
/// returns the stored product.
pub async fn upsert_product(conn: &mut Connection, new: &Product) -> Result<Product, StoreError> {
    let row = sqlx::query(
        "INSERT INTO products (id, manufacturer_id, name, reference, line, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (manufacturer_id, reference) DO UPDATE SET name = excluded.name, \
           line = COALESCE(excluded.line, products.line) \
         RETURNING id, manufacturer_id, name, reference, line",
    )
    .bind(new.id.to_string())
    .bind(new.manufacturer_id.to_string())
    .bind(&new.name)
    .bind(&new.reference)
    .bind(new.line.clone())
    .bind(now_millis())
    .fetch_one(conn)
    .await?;
    product(&row)
}
