//! Lists of requests: a buyer's own, or those in which an organization is a party, with
//! filters and keyset pages, and the choices those filters offer.

use parley_domain::{
    BuyerId, CountryCode, MarketplaceId, MemberId, OrganizationId, PartyStatus, ProductId, Request,
    RequestId, Timestamp,
};
use sqlx::Row;

use crate::requests::{REQUEST_COLUMNS, request};
use crate::{Connection, StoreError, dynamic_query};

/// Which requests a page of a list starts after (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: Timestamp,
    pub id: RequestId,
}

/// Whether the member holds any live grant (their list then includes granted requests).
pub async fn has_grants(conn: &mut Connection, member: MemberId) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM grants WHERE member_id = $1 AND revoked_at IS NULL LIMIT 1",
    )
    .bind(member.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Whose requests to list.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// The buyer's own requests.
    Buyer(BuyerId),
    /// The requests in which the organization is a party.
    Party(OrganizationId),
    /// Those, and the requests the member was given access to (forwarded, in copy).
    PartyAndGrants {
        organization: OrganizationId,
        member: MemberId,
    },
}

/// A request as lists show it: with the names a row needs, so a page is one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub request: Request,
    pub buyer_name: String,
    pub buyer_company: Option<String>,
    pub buyer_country: String,
    pub product_name: String,
    pub marketplace_name: String,
    /// The manufacturer it was sent to (what a buyer's list names).
    pub seller_name: String,
    /// Where it stands for the caller's party (a buyer: new or answered).
    pub status: PartyStatus,
}

/// Which requests a list shows, beyond whose they are. Every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Received at or after (Unix ms).
    pub from: Option<i64>,
    /// Received before (Unix ms).
    pub until: Option<i64>,
    pub marketplace: Option<MarketplaceId>,
    pub product: Option<ProductId>,
    pub country: Option<CountryCode>,
    /// The caller's party's status (a buyer's lists: new or answered).
    pub status: Option<PartyStatus>,
}

/// A thread's status, from its columns (`{t}` the thread's alias): the outcome, else declined,
/// else answered once the party contacted the buyer, else new.
fn party_status_of(t: &str) -> String {
    format!(
        "CASE WHEN {t}.outcome IS NOT NULL THEN {t}.outcome \
         WHEN {t}.declined_at IS NOT NULL AND {t}.decline_reason = 'spam' THEN 'spam' \
         WHEN {t}.declined_at IS NOT NULL THEN 'declined' \
         WHEN {t}.contacted_at IS NOT NULL THEN 'answered' ELSE 'new' END"
    )
}

/// The SQL of the status a list shows for `owner`: the buyer's request status; the party's
/// thread; for a member with grants, their organization's thread, else the thread of the party
/// that granted them access (`{grantee}` numbered by the caller).
fn status_sql(owner: Owner) -> String {
    match owner {
        Owner::Buyer(_) => "r.status".to_owned(),
        Owner::Party(_) => party_status_of("t"),
        Owner::PartyAndGrants { .. } => format!(
            "COALESCE((SELECT {own} FROM threads ot \
               WHERE ot.request_id = r.id AND ot.organization_id = $1), \
             (SELECT {granted} FROM grants g JOIN threads gt \
               ON gt.request_id = g.request_id AND gt.organization_id = g.party_id \
               WHERE g.request_id = r.id AND g.member_id = {{grantee}} AND g.revoked_at IS NULL \
               ORDER BY gt.created_at LIMIT 1))",
            own = party_status_of("ot"),
            granted = party_status_of("gt"),
        ),
    }
}

/// The FROM clause, the owner's condition (with `$1`), its value, and for a member with grants
/// the member id, whose placeholder `{grantee}` the caller numbers.
fn owner_sql(owner: Owner) -> (&'static str, &'static str, String, Option<String>) {
    match owner {
        Owner::Buyer(id) => ("requests r", "r.buyer_id = $1", id.to_string(), None),
        Owner::Party(id) => (
            "threads t JOIN requests r ON r.id = t.request_id",
            "t.organization_id = $1",
            id.to_string(),
            None,
        ),
        Owner::PartyAndGrants {
            organization,
            member,
        } => (
            "(SELECT request_id FROM threads WHERE organization_id = $1 \
              UNION SELECT request_id FROM grants WHERE member_id = {grantee} \
                AND revoked_at IS NULL) t JOIN requests r ON r.id = t.request_id",
            "1 = 1",
            organization.to_string(),
            Some(member.to_string()),
        ),
    }
}

/// A page of requests, newest first, after `cursor`, narrowed by `filter`.
pub async fn list(
    conn: &mut Connection,
    owner: Owner,
    filter: &Filter,
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<Vec<Listed>, StoreError> {
    let (from, owner_filter, owner_id, grantee) = owner_sql(owner);
    let (after_ms, after_id) = cursor.map_or((i64::MAX, String::new()), |c| {
        (c.created_at.0, c.id.to_string())
    });
    // Only the filters in use become SQL, each with its own placeholder: the planner sees
    // plain predicates, and every value is bound.
    let mut conditions = String::new();
    let mut texts: Vec<String> = Vec::new();
    let mut numbers: Vec<i64> = Vec::new();
    let mut next = 4;
    let mut placeholder = || {
        next += 1;
        format!("${next}")
    };
    if let Some(at) = filter.from {
        conditions.push_str(&format!(" AND r.created_at >= {}", placeholder()));
        numbers.push(at);
    }
    if let Some(at) = filter.until {
        conditions.push_str(&format!(" AND r.created_at < {}", placeholder()));
        numbers.push(at);
    }
    let status = status_sql(owner);
    let (from, status) = match grantee {
        Some(member) => {
            let grantee = placeholder();
            texts.push(member);
            (
                from.replace("{grantee}", &grantee),
                status.replace("{grantee}", &grantee),
            )
        }
        None => (from.to_owned(), status),
    };
    // Spam leaves the lists: only asking for it shows it.
    if filter.status.is_none() && !matches!(owner, Owner::Buyer(_)) {
        conditions.push_str(&format!(" AND {status} <> 'spam'"));
    }
    for (column, value) in [
        (
            "r.marketplace_id",
            filter.marketplace.map(|id| id.to_string()),
        ),
        ("r.product_id", filter.product.map(|id| id.to_string())),
        ("r.buyer_country", filter.country.map(|c| c.to_string())),
        (
            status.as_str(),
            filter.status.map(|s| s.as_str().to_owned()),
        ),
    ] {
        if let Some(value) = value {
            conditions.push_str(&format!(" AND {column} = {}", placeholder()));
            texts.push(value);
        }
    }
    let sql = format!(
        "SELECT {REQUEST_COLUMNS}, r.buyer_name AS buyer_name, r.buyer_company AS buyer_company, \
           r.buyer_country AS buyer_country, p.name AS product_name, m.name AS marketplace_name, \
           {status} AS party_status, so.name AS seller_name \
         FROM {from} JOIN products p ON p.id = r.product_id \
           JOIN marketplaces m ON m.id = r.marketplace_id \
           JOIN organizations so ON so.id = r.manufacturer_id \
         WHERE {owner_filter} \
         AND (r.created_at < $2 OR (r.created_at = $2 AND r.id < $3)){conditions} \
         ORDER BY r.created_at DESC, r.id DESC LIMIT $4"
    );
    let mut query = dynamic_query(sql)
        .bind(owner_id)
        .bind(after_ms)
        .bind(after_id)
        .bind(i64::from(limit));
    // Placeholders were numbered dates first, then texts: bind in the same order.
    for number in numbers {
        query = query.bind(number);
    }
    for text in texts {
        query = query.bind(text);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            Ok(Listed {
                request: request(row)?,
                buyer_name: row.try_get("buyer_name")?,
                buyer_company: row.try_get("buyer_company")?,
                buyer_country: row.try_get("buyer_country")?,
                product_name: row.try_get("product_name")?,
                marketplace_name: row.try_get("marketplace_name")?,
                seller_name: row.try_get("seller_name")?,
                status: crate::rows::variant(PartyStatus::parse(
                    &row.try_get::<String, _>("party_status")?,
                ))?,
            })
        })
        .collect()
}

/// The choices a list's filters offer: what occurs in the owner's requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub marketplaces: Vec<(String, String)>,
    pub products: Vec<(String, String)>,
    pub countries: Vec<String>,
}

pub async fn facets(conn: &mut Connection, owner: Owner) -> Result<Facets, StoreError> {
    let (from, owner_filter, owner_id, grantee) = owner_sql(owner);
    let from = from.replace("{grantee}", "$2");
    let mut facets = Facets::default();
    for (target, sql) in [
        (
            0,
            format!(
                "SELECT DISTINCT m.id, m.name FROM {from} \
                 JOIN marketplaces m ON m.id = r.marketplace_id WHERE {owner_filter} ORDER BY m.name"
            ),
        ),
        (
            1,
            format!(
                "SELECT DISTINCT p.id, p.name FROM {from} \
                 JOIN products p ON p.id = r.product_id WHERE {owner_filter} ORDER BY p.name"
            ),
        ),
        (
            2,
            format!(
                "SELECT DISTINCT r.buyer_country, r.buyer_country FROM {from} \
                 WHERE {owner_filter} ORDER BY r.buyer_country"
            ),
        ),
    ] {
        let mut query = dynamic_query(sql).bind(owner_id.clone());
        if let Some(member) = &grantee {
            query = query.bind(member.clone());
        }
        let rows = query.fetch_all(&mut *conn).await?;
        for row in &rows {
            let pair = (row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?);
            match target {
                0 => facets.marketplaces.push(pair),
                1 => facets.products.push(pair),
                _ => facets.countries.push(pair.0),
            }
        }
    }
    Ok(facets)
}
