//! What the database holds per table (indexes and, on SQLite, full-text shadow tables counted
//! with their table): how storage per request is measured (issue "Scale").

use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Bytes on disk per table, largest first, and the number of requests.
    pub async fn storage(&self) -> Result<(i64, Vec<(String, i64)>), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let requests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests")
            .fetch_one(&mut *conn)
            .await?;
        let rows = if crate::search::is_postgres(&conn) {
            sqlx::query(
                "SELECT CAST(c.relname AS TEXT) AS name, CAST(pg_total_relation_size(c.oid) AS BIGINT) AS bytes \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind = 'r' AND n.nspname = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await?
        } else {
            // Each b-tree's pages (`dbstat`), under the table it belongs to; FTS5 keeps its
            // index in shadow tables named after the virtual table.
            sqlx::query(
                "SELECT CASE WHEN d.name LIKE 'request_words%' THEN 'request_words' \
                   ELSE COALESCE(m.tbl_name, d.name) END AS name, \
                   CAST(SUM(d.pgsize) AS BIGINT) AS bytes \
                 FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name \
                 GROUP BY 1",
            )
            .fetch_all(&mut *conn)
            .await?
        };
        let mut tables = rows
            .iter()
            .map(|row| Ok((row.try_get("name")?, row.try_get("bytes")?)))
            .collect::<Result<Vec<(String, i64)>, StoreError>>()?;
        tables.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok((requests, tables))
    }
}
