//! Who may see a request: its threads and their parties with the live grants, read in one
//! query for the access policy, and with the card around the conversation for the request page.

use parley_domain::{
    Buyer, DeclineReason, Marketplace, Member, MemberId, Organization, OrganizationId,
    OrganizationKind, Outcome, Product, Request, RequestId, RequestParties, Thread,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{REQUEST_COLUMNS, request};
use crate::rows::{Columns, language, parse, time, variant};
use crate::{Connection, StoreError, dynamic_query};

/// A request with its threads and their parties: what the access policy and the request page
/// need, loaded in one query.
#[derive(Debug, Clone)]
pub struct Access {
    pub request: Request,
    /// Oldest first (the manufacturer's comes first).
    pub threads: Vec<Thread>,
    /// The party of each thread, in the same order.
    pub organizations: Vec<Organization>,
    pub parties: RequestParties,
}

const ACCESS_COLUMNS: &str = "t.id AS thread_id, t.organization_id, \
    t.created_at AS thread_created_at, t.contacted_at, t.declined_at, t.decline_reason, \
    t.outcome, o.kind AS org_kind, o.name AS org_name, o.country AS org_country";

const ACCESS_FROM: &str = "requests r JOIN threads t ON t.request_id = r.id \
    JOIN organizations o ON o.id = t.organization_id";

pub async fn access(conn: &mut Connection, id: RequestId) -> Result<Access, StoreError> {
    let rows = sqlx::query(ACCESS_SQL.as_str())
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut access = access_from_rows(&rows)?;
    access.parties.grants = grants_of(conn, id).await?;
    Ok(access)
}

/// The access query, built once from the column lists it shares with the request page's.
static ACCESS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {REQUEST_COLUMNS}, {ACCESS_COLUMNS} FROM {ACCESS_FROM} \
         WHERE r.id = $1 ORDER BY t.created_at, t.id"
    )
});

const GRANTS_SQL: &str =
    "SELECT member_id, party_id FROM grants WHERE request_id = $1 AND revoked_at IS NULL";

/// [`access`] on a direct SQLite connection: the same queries and mapping, without a round
/// trip to sqlx's connection thread (see `direct`).
pub(crate) fn access_direct(
    conn: &rusqlite::Connection,
    id: RequestId,
) -> Result<Access, StoreError> {
    let id = id.to_string();
    let mut statement = conn.prepare_cached(&ACCESS_SQL)?;
    let mut rows = statement.query([&id])?;
    let mut builder = AccessBuilder::default();
    while let Some(row) = rows.next()? {
        builder.push(row)?;
    }
    let mut access = builder.finish()?;
    let mut statement = conn.prepare_cached(GRANTS_SQL)?;
    let mut rows = statement.query([&id])?;
    while let Some(row) = rows.next()? {
        access.parties.grants.push(grant(row)?);
    }
    Ok(access)
}

fn grant(row: &impl Columns) -> Result<(MemberId, OrganizationId), StoreError> {
    Ok((
        parse(&row.text("member_id")?, "member id")?,
        parse(&row.text("party_id")?, "org")?,
    ))
}

/// The live grants of a request: (member, party they act for).
pub async fn grants_of(
    conn: &mut Connection,
    id: RequestId,
) -> Result<Vec<(MemberId, OrganizationId)>, StoreError> {
    sqlx::query(GRANTS_SQL)
        .bind(id.to_string())
        .fetch_all(conn)
        .await?
        .iter()
        .map(grant)
        .collect()
}

/// [`access`] and [`Card`] in one query, for the request page. `phone_key` is the dedupe key of
/// the viewer's “displayed the number” event.
pub async fn access_with_card(
    conn: &mut Connection,
    id: RequestId,
    phone_key: Option<&str>,
) -> Result<(Access, Card), StoreError> {
    let rows = dynamic_query(format!(
        "SELECT {REQUEST_COLUMNS}, {ACCESS_COLUMNS}, \
           m.slug AS m_slug, m.name AS m_name, p.name AS p_name, p.reference AS p_reference, p.line AS p_line, \
           mo.kind AS mo_kind, mo.name AS mo_name, mo.country AS mo_country, \
           r.buyer_name AS b_name, r.buyer_company AS b_company, r.buyer_country AS b_country, \
           b.language AS b_language, b.email AS b_email, r.buyer_phone AS b_phone, \
           r.buyer_time_zone AS b_time_zone, \
           h.organization_id AS h_org, h.name AS h_name, h.email AS h_email, \
           h.phone AS h_phone, h.language AS h_language, \
           (SELECT COUNT(*) FROM events e WHERE e.dedupe_key = $2) AS phone_shown \
         FROM {ACCESS_FROM} JOIN marketplaces m ON m.id = r.marketplace_id \
           JOIN products p ON p.id = r.product_id \
           JOIN organizations mo ON mo.id = r.manufacturer_id \
           JOIN buyers b ON b.id = r.buyer_id \
           LEFT JOIN members h ON h.id = r.handler_member_id \
         WHERE r.id = $1 ORDER BY t.created_at, t.id"
    ))
    .bind(id.to_string())
    .bind(phone_key)
    .fetch_all(&mut *conn)
    .await?;
    let mut access = access_from_rows(&rows)?;
    access.parties.grants = grants_of(conn, id).await?;
    let card = card_from_row(&rows[0], &access.request)?;
    Ok((access, card))
}

fn access_from_rows(rows: &[AnyRow]) -> Result<Access, StoreError> {
    let mut builder = AccessBuilder::default();
    for row in rows {
        builder.push(row)?;
    }
    builder.finish()
}

/// An [`Access`] read row by row (a row per thread, the request's columns on each).
#[derive(Default)]
struct AccessBuilder {
    request: Option<Request>,
    threads: Vec<Thread>,
    organizations: Vec<Organization>,
}

impl AccessBuilder {
    fn push(&mut self, row: &impl Columns) -> Result<(), StoreError> {
        let request = match &self.request {
            Some(request) => request,
            None => self.request.insert(request(row)?),
        };
        let party: OrganizationId = parse(&row.text("organization_id")?, "org")?;
        self.threads.push(Thread {
            id: parse(&row.text("thread_id")?, "thread id")?,
            request_id: request.id,
            party,
            created_at: time(row.int("thread_created_at")?),
            contacted_at: row.opt_int("contacted_at")?.map(time),
            declined_at: row.opt_int("declined_at")?.map(time),
            decline_reason: row
                .opt_text("decline_reason")?
                .map(|r| variant(DeclineReason::parse(&r)))
                .transpose()?,
            outcome: row
                .opt_text("outcome")?
                .map(|o| variant(Outcome::parse(&o)))
                .transpose()?,
        });
        self.organizations.push(Organization {
            id: party,
            kind: variant(OrganizationKind::parse(&row.text("org_kind")?))?,
            name: row.text("org_name")?,
            country: row
                .opt_text("org_country")?
                .as_deref()
                .map(crate::rows::country)
                .transpose()?,
        });
        Ok(())
    }

    fn finish(self) -> Result<Access, StoreError> {
        let request = self.request.ok_or(StoreError::NotFound)?;
        let parties = RequestParties {
            buyer: request.buyer_id,
            manufacturer: request.manufacturer_id,
            parties: self.threads.iter().map(|t| t.party).collect(),
            grants: Vec::new(),
        };
        Ok(Access {
            request,
            threads: self.threads,
            organizations: self.organizations,
            parties,
        })
    }
}

/// What the request page shows around the conversation, in one query.
#[derive(Debug, Clone)]
pub struct Card {
    pub marketplace: Marketplace,
    pub product: Product,
    pub manufacturer: Organization,
    pub buyer: Buyer,
    /// Whether the event with the viewer's phone dedupe key exists (they displayed the number).
    pub phone_shown: bool,
    /// The member handling the request.
    pub handler: Option<Member>,
    /// The buyer's IANA time zone, as their marketplace sent it with this request.
    pub buyer_time_zone: Option<String>,
}

fn card_from_row(row: &AnyRow, request: &Request) -> Result<Card, StoreError> {
    let handler = match (request.handler, row.try_get::<Option<String>, _>("h_org")?) {
        (Some(id), Some(org)) => Some(Member {
            id,
            organization_id: parse(&org, "org")?,
            name: row.try_get("h_name")?,
            email: crate::rows::email(&row.try_get::<String, _>("h_email")?)?,
            phone: row.try_get("h_phone")?,
            language: language(&row.try_get::<String, _>("h_language")?)?,
        }),
        _ => None,
    };
    Ok(Card {
        handler,
        buyer_time_zone: row.try_get("b_time_zone")?,
        phone_shown: row.try_get::<i64, _>("phone_shown")? > 0,
        marketplace: Marketplace {
            id: request.marketplace_id,
            slug: row.try_get("m_slug")?,
            name: row.try_get("m_name")?,
        },
        product: Product {
            id: request.product_id,
            manufacturer_id: request.manufacturer_id,
            name: row.try_get("p_name")?,
            reference: row.try_get("p_reference")?,
            line: row.try_get("p_line")?,
        },
        manufacturer: Organization {
            id: request.manufacturer_id,
            kind: variant(OrganizationKind::parse(
                &row.try_get::<String, _>("mo_kind")?,
            ))?,
            name: row.try_get("mo_name")?,
            country: row
                .try_get::<Option<String>, _>("mo_country")?
                .as_deref()
                .map(crate::rows::country)
                .transpose()?,
        },
        buyer: Buyer {
            id: request.buyer_id,
            name: row.try_get("b_name")?,
            company: row.try_get("b_company")?,
            country: crate::rows::country(&row.try_get::<String, _>("b_country")?)?,
            language: language(&row.try_get::<String, _>("b_language")?)?,
            email: crate::rows::email(&row.try_get::<String, _>("b_email")?)?,
            phone: row.try_get("b_phone")?,
        },
    })
}
