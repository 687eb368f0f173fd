//! The choices a list's filters offer, read from the same indexes as the lists.

use sqlx::Row;

use super::Owner;
use crate::{Connection, StoreError, dynamic_query};

/// The choices a list's filters offer: what occurs in the owner's requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub marketplaces: Vec<(String, String)>,
    pub products: Vec<(String, String)>,
    pub countries: Vec<String>,
}

pub async fn facets(conn: &mut Connection, owner: Owner) -> Result<Facets, StoreError> {
    let mut facets = Facets::default();
    for column in ["marketplace_id", "product_id", "buyer_country"] {
        let mut values = std::collections::BTreeSet::new();
        for (sql, value) in distinct_sql(owner, column) {
            let query = dynamic_query(sql).bind(value);
            for row in query.fetch_all(&mut *conn).await? {
                values.insert(row.try_get::<String, _>(0)?);
            }
        }
        let values: Vec<String> = values.into_iter().collect();
        match column {
            "marketplace_id" => facets.marketplaces = names(conn, "marketplaces", &values).await?,
            "product_id" => facets.products = names(conn, "products", &values).await?,
            _ => facets.countries = values,
        }
    }
    Ok(facets)
}

/// The queries whose rows are the distinct values of `column` in `owner`'s requests. A party's
/// are read from its list index one value at a time (a loose index scan: each step the next
/// value up), so the cost is the number of values, not of requests; a buyer's and a member's
/// grants are few. Each query binds one value, `$1`.
fn distinct_sql(owner: Owner, column: &str) -> Vec<(String, String)> {
    let party = format!(
        "WITH RECURSIVE v(x) AS ( \
           SELECT MIN({column}) FROM threads WHERE organization_id = $1 \
           UNION ALL \
           SELECT (SELECT MIN({column}) FROM threads \
                   WHERE organization_id = $1 AND {column} > v.x) \
           FROM v WHERE v.x IS NOT NULL) \
         SELECT x FROM v WHERE x IS NOT NULL"
    );
    match owner {
        Owner::Buyer(id) => vec![(
            format!("SELECT DISTINCT r.{column} FROM requests r WHERE r.buyer_id = $1"),
            id.to_string(),
        )],
        Owner::Party(id) => vec![(party, id.to_string())],
        Owner::PartyAndGrants {
            organization,
            member,
        } => vec![
            (party, organization.to_string()),
            (
                format!(
                    "SELECT DISTINCT gt.{column} FROM grants g JOIN threads gt \
                       ON gt.request_id = g.request_id AND gt.organization_id = g.party_id \
                     WHERE g.member_id = $1 AND g.revoked_at IS NULL"
                ),
                member.to_string(),
            ),
        ],
    }
}

/// `(id, name)` of the rows of `table` (marketplaces, products) with these ids, by name.
async fn names(
    conn: &mut Connection,
    table: &'static str,
    ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut query = dynamic_query(format!(
        "SELECT id, name FROM {table} WHERE id IN ({placeholders}) ORDER BY name, id"
    ));
    for id in ids {
        query = query.bind(id.clone());
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}
