//! Requests and their threads (one per seller-side party); who may see them in `access`.

use parley_domain::{Product, Request, RequestId, RequestStatus, Thread, ThreadId, Timestamp};

use crate::rows::{Columns, language, parse, time, variant};
use crate::statement::Statement;
use crate::{Connection, StoreError, dynamic_query};

mod access;
pub(crate) use access::access_direct;
pub use access::{Access, Card, access, access_with_card, grants_of};

pub(crate) const REQUEST_COLUMNS: &str = "r.id, r.marketplace_id, r.buyer_id, r.product_id, \
    r.manufacturer_id, r.external_ref, r.message, r.language, r.handler_member_id, r.status, \
    r.created_at, r.answered_at";

pub(crate) fn request(row: &impl Columns) -> Result<Request, StoreError> {
    Ok(Request {
        id: parse(&row.text("id")?, "request id")?,
        marketplace_id: parse(&row.text("marketplace_id")?, "marketplace")?,
        buyer_id: parse(&row.text("buyer_id")?, "buyer id")?,
        product_id: parse(&row.text("product_id")?, "product id")?,
        manufacturer_id: parse(&row.text("manufacturer_id")?, "org id")?,
        external_ref: row.opt_text("external_ref")?,
        message: row.text("message")?,
        language: language(&row.text("language")?)?,
        handler: row
            .opt_text("handler_member_id")?
            .map(|id| parse(&id, "member id"))
            .transpose()?,
        status: variant(RequestStatus::parse(&row.text("status")?))?,
        created_at: time(row.int("created_at")?),
        answered_at: row.opt_int("answered_at")?.map(time),
    })
}

/// Records the buyer's time zone their marketplace sent with the request.
pub async fn set_buyer_time_zone(
    conn: &mut Connection,
    id: RequestId,
    zone: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE requests SET buyer_time_zone = $1 WHERE id = $2")
        .bind(zone)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Inserts a request with the buyer's details as the marketplace sent them for it (`buyer`: the
/// buyer row's id is not read; see migration 0015), and the words it is found by.
pub async fn insert(
    conn: &mut Connection,
    request: &Request,
    buyer: &parley_domain::Buyer,
    product: &Product,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO requests (id, marketplace_id, buyer_id, product_id, manufacturer_id, \
           external_ref, message, language, handler_member_id, status, created_at, answered_at, \
           buyer_name, buyer_company, buyer_phone, buyer_country, words_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, {})",
        crate::search::new_key_sql(conn)
    );
    dynamic_query(sql)
        .bind(request.id.to_string())
        .bind(request.marketplace_id.to_string())
        .bind(request.buyer_id.to_string())
        .bind(request.product_id.to_string())
        .bind(request.manufacturer_id.to_string())
        .bind(request.external_ref.clone())
        .bind(&request.message)
        .bind(request.language.code())
        .bind(request.handler.map(|id| id.to_string()))
        .bind(request.status.as_str())
        .bind(request.created_at.0)
        .bind(request.answered_at.map(|t| t.0))
        .bind(&buyer.name)
        .bind(buyer.company.clone())
        .bind(buyer.phone.clone())
        .bind(buyer.country.to_string())
        .execute(&mut *conn)
        .await?;
    let words = parley_domain::search::request_words(
        &buyer.name,
        buyer.company.as_deref(),
        buyer.email.as_str(),
        &product.name,
        &product.reference,
        &request.message,
    );
    crate::search::index(conn, request.id, &words).await
}

pub async fn get(conn: &mut Connection, id: RequestId) -> Result<Request, StoreError> {
    let row = dynamic_query(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.id = $1"
    ))
    .bind(id.to_string())
    .fetch_one(conn)
    .await?;
    request(&row)
}

pub async fn by_external_ref(
    conn: &mut Connection,
    marketplace: parley_domain::MarketplaceId,
    external_ref: &str,
) -> Result<Option<Request>, StoreError> {
    dynamic_query(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests r WHERE r.marketplace_id = $1 AND r.external_ref = $2"
    ))
    .bind(marketplace.to_string())
    .bind(external_ref)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(request)
    .transpose()
}

/// Records the first answer of the seller side; later answers change nothing.
pub async fn mark_answered(
    conn: &mut Connection,
    id: RequestId,
    at: Timestamp,
) -> Result<bool, StoreError> {
    Ok(mark_answered_statement(id, at).execute(conn).await? > 0)
}

pub(crate) fn mark_answered_statement(id: RequestId, at: Timestamp) -> Statement<'static> {
    Statement::new(
        "UPDATE requests SET status = $1, answered_at = $2 WHERE id = $3 AND answered_at IS NULL",
        vec![
            RequestStatus::Answered.as_str().into(),
            at.0.into(),
            id.to_string().into(),
        ],
    )
}

pub async fn insert_thread(conn: &mut Connection, thread: &Thread) -> Result<(), StoreError> {
    let (id, party, request) = (
        thread.id.to_string(),
        thread.party.to_string(),
        thread.request_id.to_string(),
    );
    sqlx::query(
        // What the lists sort and filter by is copied from the request (migration 0024); the
        // ratings count another party's thread, and the manufacturer's while it is the only
        // party (migration 0029).
        "INSERT INTO threads (id, request_id, organization_id, created_at, contacted_at, \
           request_created_at, marketplace_id, product_id, buyer_country, rated_for) \
         SELECT $1, r.id, $2, $3, $4, r.created_at, r.marketplace_id, r.product_id, \
           r.buyer_country, \
           CASE WHEN $2 <> r.manufacturer_id OR NOT EXISTS (SELECT 1 FROM threads x \
             WHERE x.request_id = r.id AND x.organization_id <> r.manufacturer_id) \
           THEN r.manufacturer_id END \
         FROM requests r WHERE r.id = $5",
    )
    .bind(&id)
    .bind(&party)
    .bind(thread.created_at.0)
    .bind(thread.contacted_at.map(|t| t.0))
    .bind(&request)
    .execute(&mut *conn)
    .await?;
    // Another party's thread: the manufacturer's own no longer counts in its ratings.
    sqlx::query(
        "UPDATE threads SET rated_for = NULL \
         WHERE request_id = $1 AND rated_for = organization_id AND organization_id <> $2",
    )
    .bind(&request)
    .bind(&party)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the party of `thread` contacted the buyer; `false` if it already had.
pub async fn mark_contacted(
    conn: &mut Connection,
    thread: ThreadId,
    at: Timestamp,
) -> Result<bool, StoreError> {
    Ok(mark_contacted_statement(thread, at).execute(conn).await? > 0)
}

pub(crate) fn mark_contacted_statement(thread: ThreadId, at: Timestamp) -> Statement<'static> {
    Statement::new(
        "UPDATE threads SET contacted_at = $1 WHERE id = $2 AND contacted_at IS NULL",
        vec![at.0.into(), thread.to_string().into()],
    )
}
