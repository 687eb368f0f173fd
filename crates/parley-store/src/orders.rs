//! Payments of quotes, orders and reviews.

use parley_domain::{BuyerId, OrganizationId, QuoteId, RequestId, Timestamp};
use sqlx::Row;

use crate::{Connection, StoreError};

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub provider: String,
    pub session_id: String,
    pub paid: bool,
    pub amount_minor: i64,
    pub currency: String,
}

/// Records a started checkout (a new one replaces an unpaid one).
pub async fn start_payment(
    conn: &mut Connection,
    quote: QuoteId,
    payment: &Payment,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO payments (quote_id, provider, session_id, status, amount_minor, currency, \
           created_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6) \
         ON CONFLICT (quote_id) DO UPDATE SET session_id = excluded.session_id \
         WHERE payments.status = 'pending'",
    )
    .bind(quote.to_string())
    .bind(&payment.provider)
    .bind(&payment.session_id)
    .bind(payment.amount_minor)
    .bind(&payment.currency)
    .bind(at.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn payment(conn: &mut Connection, quote: QuoteId) -> Result<Option<Payment>, StoreError> {
    let row = sqlx::query(
        "SELECT provider, session_id, status, amount_minor, currency FROM payments \
         WHERE quote_id = $1",
    )
    .bind(quote.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(Payment {
            provider: row.try_get("provider")?,
            session_id: row.try_get("session_id")?,
            paid: row.try_get::<String, _>("status")? == "paid",
            amount_minor: row.try_get("amount_minor")?,
            currency: row.try_get("currency")?,
        })
    })
    .transpose()
}

/// Claims a provider event; `false` when it was applied before.
pub async fn claim_event(
    conn: &mut Connection,
    event_id: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO payment_events (event_id, received_at) VALUES ($1, $2) \
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(at.0)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Marks the quote's payment paid (recording it if the checkout row is missing).
pub async fn mark_paid(
    conn: &mut Connection,
    quote: QuoteId,
    payment: &Payment,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO payments (quote_id, provider, session_id, status, amount_minor, currency, \
           created_at, paid_at) VALUES ($1, $2, $3, 'paid', $4, $5, $6, $6) \
         ON CONFLICT (quote_id) DO UPDATE SET status = 'paid', paid_at = excluded.paid_at, \
           session_id = excluded.session_id",
    )
    .bind(quote.to_string())
    .bind(&payment.provider)
    .bind(&payment.session_id)
    .bind(payment.amount_minor)
    .bind(&payment.currency)
    .bind(at.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub quote: QuoteId,
    pub request: RequestId,
    pub online: bool,
    pub billing: String,
    pub delivery: String,
    pub created_at: Timestamp,
}

/// Records the order; a second order on the same quote is a conflict (`orders_pkey`).
pub async fn insert_order(conn: &mut Connection, order: &Order) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO orders (quote_id, request_id, payment, billing, delivery, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(order.quote.to_string())
    .bind(order.request.to_string())
    .bind(if order.online { "online" } else { "offline" })
    .bind(&order.billing)
    .bind(&order.delivery)
    .bind(order.created_at.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The quotes of a request that have an order.
pub async fn ordered_quotes(
    conn: &mut Connection,
    request: RequestId,
) -> Result<Vec<QuoteId>, StoreError> {
    sqlx::query("SELECT quote_id FROM orders WHERE request_id = $1")
        .bind(request.to_string())
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| crate::rows::parse(&row.try_get::<String, _>("quote_id")?, "quote id"))
        .collect()
}

/// A buyer's review of a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub request: RequestId,
    pub party: OrganizationId,
    pub buyer: BuyerId,
    pub rating: u8,
    pub comment: String,
    pub created_at: Timestamp,
}

/// Records a review; a second one for the same party and request is a conflict.
pub async fn insert_review(conn: &mut Connection, review: &Review) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reviews (request_id, party_id, buyer_id, rating, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(review.request.to_string())
    .bind(review.party.to_string())
    .bind(review.buyer.to_string())
    .bind(i64::from(review.rating))
    .bind(&review.comment)
    .bind(review.created_at.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The reviews a buyer left on a request.
pub async fn reviews_by(
    conn: &mut Connection,
    request: RequestId,
    buyer: BuyerId,
) -> Result<Vec<Review>, StoreError> {
    sqlx::query(
        "SELECT party_id, rating, comment, created_at FROM reviews \
         WHERE request_id = $1 AND buyer_id = $2 ORDER BY created_at",
    )
    .bind(request.to_string())
    .bind(buyer.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(Review {
            request,
            party: crate::rows::parse(&row.try_get::<String, _>("party_id")?, "org")?,
            buyer,
            rating: u8::try_from(row.try_get::<i64, _>("rating")?)
                .map_err(|_| StoreError::Corrupt("rating".to_owned()))?,
            comment: row.try_get("comment")?,
            created_at: Timestamp(row.try_get("created_at")?),
        })
    })
    .collect()
}

/// Each party's (count, sum of ratings) on the manufacturer's requests.
pub async fn review_totals(
    conn: &mut Connection,
    manufacturer: OrganizationId,
) -> Result<Vec<(OrganizationId, i64, i64)>, StoreError> {
    sqlx::query(
        "SELECT v.party_id, COUNT(*) AS n, CAST(SUM(v.rating) AS BIGINT) AS total FROM reviews v \
         JOIN requests r ON r.id = v.request_id WHERE r.manufacturer_id = $1 GROUP BY v.party_id",
    )
    .bind(manufacturer.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok((
            crate::rows::parse(&row.try_get::<String, _>("party_id")?, "org")?,
            row.try_get("n")?,
            row.try_get("total")?,
        ))
    })
    .collect()
}
