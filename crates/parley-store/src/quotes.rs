//! Quotes: versions per thread, the buyer's answer.

use parley_domain::quote::{Quote, QuoteStatus, QuoteTerms};
use parley_domain::{Currency, Money, QuoteId, ThreadId, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{parse, variant};
use crate::{Connection, StoreError, dynamic_query};

const COLUMNS: &str = "id, request_id, thread_id, message_id, document_id, version, status, \
    online_payment, currency, amount_minor, shipping_minor, tax_minor, valid_until, reference, \
    description, decided_at, decision_comment, created_at";

fn quote(row: &AnyRow) -> Result<Quote, StoreError> {
    let terms = match row.try_get::<Option<String>, _>("currency")? {
        Some(code) if row.try_get::<i64, _>("online_payment")? != 0 => {
            let currency = variant(Currency::parse(&code))?;
            let money = |column: &str| -> Result<Option<Money>, StoreError> {
                Ok(row
                    .try_get::<Option<i64>, _>(column)?
                    .map(|minor| Money::from_minor(minor, currency)))
            };
            Some(QuoteTerms {
                amount: money("amount_minor")?
                    .ok_or_else(|| StoreError::Corrupt("quote without amount".into()))?,
                shipping: money("shipping_minor")?,
                tax: money("tax_minor")?,
                valid_until: Timestamp(row.try_get::<Option<i64>, _>("valid_until")?.unwrap_or(0)),
                reference: row
                    .try_get::<Option<String>, _>("reference")?
                    .unwrap_or_default(),
                description: row
                    .try_get::<Option<String>, _>("description")?
                    .unwrap_or_default(),
            })
        }
        _ => None,
    };
    Ok(Quote {
        id: parse(&row.try_get::<String, _>("id")?, "quote id")?,
        request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
        thread_id: parse(&row.try_get::<String, _>("thread_id")?, "thread id")?,
        message_id: parse(&row.try_get::<String, _>("message_id")?, "message id")?,
        document_id: parse(&row.try_get::<String, _>("document_id")?, "document id")?,
        version: row.try_get("version")?,
        status: variant(QuoteStatus::parse(&row.try_get::<String, _>("status")?))?,
        terms,
        decided_at: row.try_get::<Option<i64>, _>("decided_at")?.map(Timestamp),
        decision_comment: row.try_get("decision_comment")?,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}

/// Records a new quote in its thread: the next version, and the thread's quote still
/// awaiting an answer superseded. Returns the stored quote (with its version) and how many it
/// superseded.
pub async fn insert_version(
    conn: &mut Connection,
    new: &Quote,
) -> Result<(Quote, u64), StoreError> {
    let superseded = sqlx::query(
        "UPDATE quotes SET status = 'superseded' WHERE thread_id = $1 AND status = 'sent'",
    )
    .bind(new.thread_id.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let terms = new.terms.as_ref();
    let row = dynamic_query(format!(
        "INSERT INTO quotes (id, request_id, thread_id, message_id, document_id, version, status, \
           online_payment, currency, amount_minor, shipping_minor, tax_minor, valid_until, \
           reference, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, \
           (SELECT COALESCE(MAX(version), 0) + 1 FROM quotes WHERE thread_id = $3), 'sent', \
           $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING {COLUMNS}"
    ))
    .bind(new.id.to_string())
    .bind(new.request_id.to_string())
    .bind(new.thread_id.to_string())
    .bind(new.message_id.to_string())
    .bind(new.document_id.to_string())
    .bind(i64::from(terms.is_some()))
    .bind(terms.map(|t| t.amount.currency().code()))
    .bind(terms.map(|t| t.amount.minor()))
    .bind(terms.and_then(|t| t.shipping).map(Money::minor))
    .bind(terms.and_then(|t| t.tax).map(Money::minor))
    .bind(terms.map(|t| t.valid_until.0))
    .bind(terms.map(|t| t.reference.clone()))
    .bind(terms.map(|t| t.description.clone()))
    .bind(new.created_at.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok((quote(&row)?, superseded))
}

pub async fn get(conn: &mut Connection, id: QuoteId) -> Result<Quote, StoreError> {
    let row = dynamic_query(format!("SELECT {COLUMNS} FROM quotes WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    quote(&row)
}

/// The quotes of these threads, newest version first.
pub async fn of_threads(
    conn: &mut Connection,
    threads: &[ThreadId],
) -> Result<Vec<Quote>, StoreError> {
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::messages::placeholders(1, threads.len());
    let mut query = dynamic_query(format!(
        "SELECT {COLUMNS} FROM quotes WHERE thread_id IN ({list}) ORDER BY version DESC"
    ));
    for thread in threads {
        query = query.bind(thread.to_string());
    }
    query.fetch_all(conn).await?.iter().map(quote).collect()
}

/// Records the buyer's answer; `false` when the quote no longer awaits one (answered, or
/// superseded meanwhile).
pub async fn decide(
    conn: &mut Connection,
    id: QuoteId,
    status: QuoteStatus,
    comment: Option<&str>,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE quotes SET status = $1, decided_at = $2, decision_comment = $3 \
         WHERE id = $4 AND status = 'sent'",
    )
    .bind(status.as_str())
    .bind(at.0)
    .bind(comment)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}
