//! The words requests are found by (migration 0025): written with each request, and how a
//! list asks for them on each backend (FTS5 on SQLite, a `tsvector` on PostgreSQL, both over
//! words `parley_domain::search` already folded).

use parley_domain::RequestId;
use parley_domain::search::SearchQuery;
use sqlx::Row;

use crate::{Connection, StoreError, dynamic_query};

/// Whether `conn` talks to PostgreSQL (the few statements that differ by backend).
pub(crate) fn is_postgres(conn: &Connection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// The SQL of a new request's `words_key`: SQLite has one writer, so the next number is free;
/// PostgreSQL's concurrent writers each draw from a sequence.
pub(crate) fn new_key_sql(conn: &Connection) -> &'static str {
    if is_postgres(conn) {
        "nextval('requests_words_key_seq')"
    } else {
        "(SELECT COALESCE(MAX(words_key), 0) + 1 FROM requests)"
    }
}

/// The SQL of `words` bound at `$n` as the index stores them.
pub(crate) fn words_sql(conn: &Connection, n: usize) -> String {
    if is_postgres(conn) {
        format!("to_tsvector('simple', ${n})")
    } else {
        format!("${n}")
    }
}

/// Indexes the words of the request `id` (just inserted with its `words_key`).
pub(crate) async fn index(
    conn: &mut Connection,
    id: RequestId,
    words: &str,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO request_words (rowid, words) \
         SELECT words_key, {} FROM requests WHERE id = $1",
        words_sql(conn, 2)
    );
    dynamic_query(sql)
        .bind(id.to_string())
        .bind(words)
        .execute(conn)
        .await?;
    Ok(())
}

/// A search as one backend's full-text syntax: the condition on `request_words` and the text
/// bound to it. Every token is letters and digits only (folded), so quoting is enough.
pub(crate) fn match_sql(conn: &Connection, query: &SearchQuery, n: usize) -> (String, String) {
    if is_postgres(conn) {
        let text = query
            .phrases()
            .iter()
            .map(|phrase| {
                let tokens: Vec<String> = phrase.iter().map(|t| format!("'{t}'")).collect();
                format!("({})", tokens.join(" <-> "))
            })
            .collect::<Vec<_>>()
            .join(" & ");
        (
            format!("request_words.words @@ to_tsquery('simple', ${n})"),
            text,
        )
    } else {
        let text = query
            .phrases()
            .iter()
            .map(|phrase| format!("\"{}\"", phrase.join(" ")))
            .collect::<Vec<_>>()
            .join(" AND ");
        (format!("request_words MATCH ${n}"), text)
    }
}

/// Above this many matching requests (in all organizations) a PostgreSQL search walks the
/// matches newest first; below, it starts from them.
const FEW_MATCHES: usize = 500;

/// The keys of the requests the search matches, when there are at most [`FEW_MATCHES`] (for a
/// common word the scan stops after one more; a rare one the GIN index answers at once).
pub(crate) async fn few_matches(
    conn: &mut Connection,
    query: &SearchQuery,
) -> Result<Option<Vec<i64>>, StoreError> {
    let (condition, text) = match_sql(conn, query, 1);
    let sql = format!(
        "SELECT rowid FROM request_words WHERE {condition} LIMIT {}",
        FEW_MATCHES + 1
    );
    let keys = dynamic_query(sql)
        .persistent(false)
        .bind(text)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((keys.len() <= FEW_MATCHES).then_some(keys))
}

/// Indexes the requests made before migration 0025, a batch at a time, then forgets that any
/// were pending. Runs when the store opens; a crash midway starts over from what is left.
pub(crate) async fn backfill(pool: &sqlx::AnyPool) -> Result<(), StoreError> {
    const BATCH: i64 = 2_000;
    let mut conn = pool.acquire().await?;
    let pending: Option<i64> = sqlx::query_scalar("SELECT pending FROM request_words_backfill")
        .fetch_optional(&mut *conn)
        .await?;
    if pending.is_none() {
        return Ok(());
    }
    // Oldest first, so the numbers follow the order the requests came in (a search's order).
    let (mut after_at, mut after_id) = (i64::MIN, String::new());
    loop {
        let rows = sqlx::query(
            "SELECT r.id, r.buyer_name, r.buyer_company, b.email, p.name, p.reference, r.message, \
               r.created_at, r.words_key \
             FROM requests r JOIN buyers b ON b.id = r.buyer_id \
               JOIN products p ON p.id = r.product_id \
             WHERE (r.created_at, r.id) > ($1, $2) ORDER BY r.created_at, r.id LIMIT $3",
        )
        .bind(after_at)
        .bind(after_id.clone())
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        (after_at, after_id) = (last.try_get(7)?, last.try_get(0)?);
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for row in &rows {
            if row.try_get::<Option<i64>, _>(8)?.is_some() {
                continue; // indexed before a crash ended an earlier run
            }
            let id: String = row.try_get(0)?;
            let company: Option<String> = row.try_get(2)?;
            let words = parley_domain::search::request_words(
                &row.try_get::<String, _>(1)?,
                company.as_deref(),
                &row.try_get::<String, _>(3)?,
                &row.try_get::<String, _>(4)?,
                &row.try_get::<String, _>(5)?,
                &row.try_get::<String, _>(6)?,
            );
            let set_key = format!(
                "UPDATE requests SET words_key = {} WHERE id = $1",
                new_key_sql(&tx)
            );
            dynamic_query(set_key)
                .bind(id.clone())
                .execute(&mut *tx)
                .await?;
            index(&mut tx, crate::rows::parse(&id, "request id")?, &words).await?;
        }
        tx.commit().await?;
    }
    sqlx::query("DELETE FROM request_words_backfill")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
