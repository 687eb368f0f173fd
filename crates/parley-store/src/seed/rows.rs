//! Rows gathered per table and written as multi-row inserts.

use crate::statement::Param;
use crate::{Connection, StoreError, dynamic_query};

/// The tables, in the order their rows are written (references first), with their columns.
const TABLES: &[(&str, &[&str])] = &[
    (
        "organizations",
        &["id", "kind", "name", "country", "created_at"],
    ),
    (
        "members",
        &[
            "id",
            "organization_id",
            "name",
            "email",
            "language",
            "role",
            "created_at",
        ],
    ),
    (
        "products",
        &[
            "id",
            "manufacturer_id",
            "name",
            "reference",
            "line",
            "created_at",
        ],
    ),
    (
        "network_links",
        &[
            "manufacturer_id",
            "member_org_id",
            "territories",
            "contacts",
            "auto_cc",
            "created_at",
        ],
    ),
    (
        "buyers",
        &[
            "id",
            "name",
            "company",
            "country",
            "language",
            "email",
            "created_at",
        ],
    ),
    (
        "requests",
        &[
            "id",
            "marketplace_id",
            "buyer_id",
            "product_id",
            "manufacturer_id",
            "message",
            "language",
            "handler_member_id",
            "status",
            "created_at",
            "answered_at",
            "buyer_name",
            "buyer_company",
            "buyer_country",
            "words_key",
        ],
    ),
    // The words as `rowid`, `words`: PostgreSQL's column is a `tsvector` (see `search`).
    ("request_words", &["rowid", "words"]),
    (
        "threads",
        &[
            "id",
            "request_id",
            "organization_id",
            "created_at",
            "contacted_at",
            "declined_at",
            "decline_reason",
            "outcome",
            "outcome_at",
            "request_created_at",
            "marketplace_id",
            "product_id",
            "buyer_country",
            "rated_for",
        ],
    ),
    (
        "messages",
        &[
            "id",
            "thread_id",
            "request_id",
            "author_kind",
            "author_id",
            "sender_email",
            "cc",
            "body",
            "language",
            "channel",
            "created_at",
            "read_at",
        ],
    ),
    (
        "events",
        &[
            "id",
            "request_id",
            "party_id",
            "kind",
            "audience",
            "actor_kind",
            "actor_id",
            "actor_name",
            "data",
            "created_at",
        ],
    ),
];

/// The most values one statement binds: a few hundred rows of a table share one prepared
/// statement (larger ones cost more to prepare than they save; measured on SQLite).
const MAX_PARAMS: usize = 1_000;

/// Values waiting to be written, per table of [`TABLES`].
#[derive(Default)]
pub(super) struct Rows {
    values: Vec<Vec<Param<'static>>>,
}

pub(super) fn text(value: impl Into<String>) -> Param<'static> {
    Param::from(value.into())
}

pub(super) fn int(value: i64) -> Param<'static> {
    Param::from(value)
}

pub(super) fn maybe_int(value: Option<i64>) -> Param<'static> {
    Param::from(value)
}

pub(super) fn maybe_text(value: Option<&str>) -> Param<'static> {
    Param::from(value.map(str::to_owned))
}

impl Rows {
    /// One row of `table`, its values in the order of its columns.
    pub(super) fn add(&mut self, table: &str, row: Vec<Param<'static>>) {
        let index = TABLES
            .iter()
            .position(|(name, _)| *name == table)
            .expect("a seeded table");
        debug_assert_eq!(row.len(), TABLES[index].1.len(), "{table}");
        if self.values.len() < TABLES.len() {
            self.values.resize_with(TABLES.len(), Vec::new);
        }
        self.values[index].extend(row);
    }

    /// Writes everything gathered, table by table, on a direct SQLite connection: one prepared
    /// single-row insert per table.
    pub(super) fn write_direct(&self, conn: &rusqlite::Connection) -> Result<(), StoreError> {
        for (index, values) in self.values.iter().enumerate() {
            let (table, columns) = TABLES[index];
            let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                placeholders.join(", ")
            );
            let mut statement = conn.prepare_cached(&sql)?;
            for row in values.chunks(columns.len()) {
                statement.execute(rusqlite::params_from_iter(row.iter()))?;
            }
        }
        Ok(())
    }

    /// Writes everything gathered, table by table.
    pub(super) async fn flush(&mut self, conn: &mut Connection) -> Result<(), StoreError> {
        for (index, values) in self.values.iter_mut().enumerate() {
            let (table, columns) = TABLES[index];
            let per_row = columns.len();
            for chunk in std::mem::take(values).chunks((MAX_PARAMS / per_row) * per_row) {
                let rows = chunk.len() / per_row;
                let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
                for row in 0..rows {
                    sql.push_str(if row == 0 { "(" } else { ", (" });
                    for column in 0..per_row {
                        if column > 0 {
                            sql.push_str(", ");
                        }
                        let n = row * per_row + column + 1;
                        sql.push_str(&if table == "request_words" && column == 1 {
                            crate::search::words_sql(conn, n)
                        } else {
                            format!("${n}")
                        });
                    }
                    sql.push(')');
                }
                let mut query = dynamic_query(sql);
                for value in chunk {
                    query = match value {
                        Param::Text(text) => query.bind(text.as_ref().map(|t| t.to_string())),
                        Param::Int(value) => query.bind(*value),
                        Param::Blob(bytes) => query.bind(bytes.map(<[u8]>::to_vec)),
                    };
                }
                query.execute(&mut *conn).await?;
            }
        }
        Ok(())
    }
}
