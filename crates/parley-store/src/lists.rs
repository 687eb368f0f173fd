//! Lists of requests: a buyer's own, or those in which an organization is a party, with
//! filters and keyset pages, and the choices those filters offer.

use parley_domain::search::SearchQuery;
use parley_domain::{
    BuyerId, CountryCode, MarketplaceId, MemberId, OrganizationId, PartyStatus, ProductId, Request,
    RequestId,
};
use sqlx::Row;

use crate::requests::{REQUEST_COLUMNS, request};
use crate::{Connection, StoreError, dynamic_query};

mod facets;
pub use facets::{Facets, facets};

/// Where a page of a list starts: after the request `id`, at `at` in the list's order (the
/// time it was received; in a search, the number it was given on arrival).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
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
    /// Messages from the other side the caller's side has not read.
    pub unread: bool,
    /// Where the next page starts, should this row end a page.
    pub cursor: Cursor,
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
    /// Words the request is found by (see `parley_domain::search`).
    pub words: Option<SearchQuery>,
}

/// One branch of a list: the requests it yields (`rid`), their place in the list (`at`) and the
/// caller's status on them (`st`), already narrowed and in page order, at most a page of them.
/// Each reads one index range newest first (see migrations 0024, 0028), so a page costs its own
/// rows whatever the size of the list. A search orders by the number each request got on arrival
/// (`words_key`, the full-text index's key): a party's branch then reads the matches newest
/// first straight from that index and stops after a page of its own (migration 0025).
struct Branch {
    /// `FROM … WHERE` up to the owner's condition.
    from: String,
    /// The list's order: the time received, or in a search the arrival number.
    order: String,
    /// The columns of the time, request id, status and filters (`{c}` the column's name), and
    /// of the thread whose unread messages the row shows (none for a buyer).
    time: &'static str,
    thread: &'static str,
    id: &'static str,
    status: &'static str,
    column: &'static str,
    /// Whether the branch reads the full-text index itself (a party's list in a search); the
    /// others (a buyer's requests, a member's grants: few) check each row's words.
    reads_matches: bool,
}

impl Branch {
    fn sql(&self, conditions: &str, search: bool, postgres: bool) -> String {
        // In a search the arrival numbers are unique, and a bound on the index's own key is
        // what lets FTS5 start at the cursor and hand its rows over in order. The list indexes
        // end with the time (migration 0028): SQLite bounds their range by the row value's
        // first term itself (given the bound as well, its planner chose a skip-scan: 50 ms
        // instead of 0.2), PostgreSQL only with the bound spelled out.
        let bound = if search || postgres {
            format!("{} <= $2 AND ", self.order)
        } else {
            String::new()
        };
        let order = if search {
            format!("{} DESC", self.order)
        } else {
            format!("{} DESC, {} DESC", self.order, self.id)
        };
        format!(
            "SELECT * FROM (SELECT {id} AS rid, {at} AS at, {status} AS st, {thread} AS tid \
               {from} \
               AND {bound}({at}, {id}) < ($2, $3){conditions} \
             ORDER BY {order} LIMIT $4) b",
            id = self.id,
            at = self.order,
            thread = self.thread,
            status = self.status,
            from = self.from,
        )
    }
}

/// The branches of `owner`'s list (`{grantee}` the member's placeholder, `{words}` where a
/// search reads its matches and `{and match}` the condition on them, placed by the caller), and
/// the owner's id for `$1`.
fn branches(owner: Owner, search: bool) -> (Vec<Branch>, String, Option<String>) {
    let party = || {
        let (from, order) = if search {
            (
                // CROSS JOIN: SQLite keeps this order (its planner would otherwise start from
                // a selective filter's index and probe the full-text index once per row: 51 s
                // instead of 1.6 s for a common word with a filter that excludes all at 1M).
                "FROM {words} CROSS JOIN requests wr CROSS JOIN threads t \
                 WHERE wr.words_key = request_words.rowid AND t.request_id = wr.id \
                   AND t.organization_id = $1{and match}",
                "request_words.rowid",
            )
        } else {
            (
                "FROM threads t WHERE t.organization_id = $1",
                "t.request_created_at",
            )
        };
        Branch {
            from: from.to_owned(),
            order: order.to_owned(),
            time: "t.request_created_at",
            thread: "t.id",
            id: "t.request_id",
            status: "t.party_status",
            column: "t.{c}",
            reads_matches: search,
        }
    };
    let key_of = |id: &str| format!("(SELECT kr.words_key FROM requests kr WHERE kr.id = {id})");
    match owner {
        Owner::Buyer(id) => (
            vec![Branch {
                from: "FROM requests r WHERE r.buyer_id = $1".to_owned(),
                order: if search { "r.words_key" } else { "r.created_at" }.to_owned(),
                time: "r.created_at",
                thread: "NULL",
                id: "r.id",
                status: "r.status",
                column: "r.{c}",
                reads_matches: false,
            }],
            id.to_string(),
            None,
        ),
        Owner::Party(id) => (vec![party()], id.to_string(), None),
        // Requests granted to the member where their organization has no thread of its own,
        // with the status of the party that granted them (the first, should several have).
        Owner::PartyAndGrants {
            organization,
            member,
        } => (
            vec![
                party(),
                Branch {
                    from: "FROM grants g JOIN threads gt \
                             ON gt.request_id = g.request_id AND gt.organization_id = g.party_id \
                           WHERE g.member_id = {grantee} AND g.revoked_at IS NULL \
                             AND NOT EXISTS (SELECT 1 FROM threads ot \
                               WHERE ot.request_id = g.request_id AND ot.organization_id = $1) \
                             AND gt.id = (SELECT ft.id FROM grants fg JOIN threads ft \
                               ON ft.request_id = fg.request_id AND ft.organization_id = fg.party_id \
                               WHERE fg.request_id = g.request_id AND fg.member_id = g.member_id \
                                 AND fg.revoked_at IS NULL ORDER BY ft.created_at, ft.id LIMIT 1)"
                        .to_owned(),
                    order: if search {
                        key_of("g.request_id")
                    } else {
                        "g.request_created_at".to_owned()
                    },
                    time: "g.request_created_at",
                    thread: "gt.id",
                    id: "g.request_id",
                    status: "gt.party_status",
                    column: "gt.{c}",
                    reads_matches: false,
                },
            ],
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
    let (branches, owner_id, grantee) = branches(owner, filter.words.is_some());
    let (after_at, after_id) =
        cursor.map_or((i64::MAX, String::new()), |c| (c.at, c.id.to_string()));
    // Only the filters in use become SQL, each value bound once under its own placeholder
    // (every branch names the same ones): the planner sees plain predicates on indexed columns.
    let mut numbers: Vec<(&str, i64)> = Vec::new();
    let mut texts: Vec<(&str, String)> = Vec::new();
    if let Some(at) = filter.from {
        numbers.push((">=", at));
    }
    if let Some(at) = filter.until {
        numbers.push(("<", at));
    }
    for (column, value) in [
        (
            "marketplace_id",
            filter.marketplace.map(|id| id.to_string()),
        ),
        ("product_id", filter.product.map(|id| id.to_string())),
        ("buyer_country", filter.country.map(|c| c.to_string())),
        ("{status}", filter.status.map(|s| s.as_str().to_owned())),
    ] {
        if let Some(value) = value {
            texts.push((column, value));
        }
    }
    let search = filter
        .words
        .as_ref()
        .map(|words| crate::search::match_sql(conn, words, 5 + numbers.len() + texts.len()));
    // Where a party's branch reads the matches from: the index itself, in key order (it stops
    // after a page of the party's); or, on PostgreSQL when the words are rare, their keys read
    // first from the GIN index, as a list of numbers. PostgreSQL estimates any word missing
    // from its statistics at ~1,300 requests, and for those walked the keys (550 ms for a
    // word in no request) or merge-joined all requests (600 ms for an address).
    let postgres = crate::search::is_postgres(conn);
    let few = match &filter.words {
        Some(words) if postgres => crate::search::few_matches(conn, words).await?,
        _ => None,
    };
    if few.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new()); // no request has these words, in any branch
    }
    let (words_from, and_match) = match (few, &search) {
        // Numbers read from the database, not input.
        (Some(keys), _) => (
            format!(
                "(VALUES {}) request_words (rowid)",
                keys.iter()
                    .map(|k| format!("({k})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            String::new(),
        ),
        (None, Some((condition, _))) => ("request_words".to_owned(), format!(" AND {condition}")),
        (None, None) => (String::new(), String::new()),
    };
    let grantee_at = 5 + numbers.len() + texts.len() + usize::from(search.is_some());
    let union = branches
        .iter()
        .map(|branch| {
            let mut conditions = String::new();
            for (n, (operator, _)) in numbers.iter().enumerate() {
                conditions += &format!(" AND {} {operator} ${}", branch.time, 5 + n);
            }
            for (n, (column, _)) in texts.iter().enumerate() {
                let column = match *column {
                    "{status}" => branch.status.to_owned(),
                    name => branch.column.replace("{c}", name),
                };
                conditions += &format!(" AND {column} = ${}", 5 + numbers.len() + n);
            }
            if let Some((condition, _)) = &search
                && !branch.reads_matches
            {
                // The row's words by their key: one index probe, then the match.
                conditions += &format!(
                    " AND EXISTS (SELECT 1 FROM request_words WHERE request_words.rowid = \
                       (SELECT wr.words_key FROM requests wr WHERE wr.id = {}) AND {condition})",
                    branch.id
                );
            }
            // Spam leaves a seller's lists: only asking for it shows it.
            if filter.status.is_none() && !matches!(owner, Owner::Buyer(_)) {
                conditions += &format!(" AND {} <> 'spam'", branch.status);
            }
            branch
                .sql(&conditions, search.is_some(), postgres)
                .replace("{grantee}", &format!("${grantee_at}"))
                .replace("{words}", &words_from)
                .replace("{and match}", &and_match)
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    // Unread: for a seller, the buyer's messages in the row's thread not read on their side;
    // for a buyer, sellers' messages in the request not read yet (each a few index probes).
    let unread = match owner {
        Owner::Buyer(_) => {
            "EXISTS (SELECT 1 FROM threads ut JOIN messages um ON um.thread_id = ut.id \
               WHERE ut.request_id = r.id AND um.author_kind = 'member' AND um.read_at IS NULL)"
        }
        _ => {
            "EXISTS (SELECT 1 FROM messages um WHERE um.thread_id = s.tid \
               AND um.author_kind = 'buyer' AND um.read_at IS NULL)"
        }
    };
    let sql = format!(
        "SELECT {REQUEST_COLUMNS}, CAST(CASE WHEN {unread} THEN 1 ELSE 0 END AS BIGINT) AS unread, \
           r.buyer_name AS buyer_name, r.buyer_company AS buyer_company, \
           r.buyer_country AS buyer_country, p.name AS product_name, m.name AS marketplace_name, \
           s.st AS party_status, so.name AS seller_name, s.at AS list_at \
         FROM ({union}) s JOIN requests r ON r.id = s.rid \
           JOIN products p ON p.id = r.product_id \
           JOIN marketplaces m ON m.id = r.marketplace_id \
           JOIN organizations so ON so.id = r.manufacturer_id \
         ORDER BY s.at DESC, s.rid DESC LIMIT $4"
    );
    // A search is planned for its words each time (an unnamed statement): PostgreSQL's
    // generic plan cannot tell a rare word from a common one, and walked a million keys for
    // a word in no request (2 s) where the GIN index answers at once.
    let mut query = dynamic_query(sql)
        .persistent(search.is_none())
        .bind(owner_id)
        .bind(after_at)
        .bind(after_id)
        .bind(i64::from(limit));
    for (_, number) in numbers {
        query = query.bind(number);
    }
    for (_, text) in texts {
        query = query.bind(text);
    }
    if let Some((_, text)) = search {
        query = query.bind(text);
    }
    if let Some(member) = grantee {
        query = query.bind(member);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let request = request(row)?;
            Ok(Listed {
                cursor: Cursor {
                    at: row.try_get("list_at")?,
                    id: request.id,
                },
                request,
                buyer_name: row.try_get("buyer_name")?,
                buyer_company: row.try_get("buyer_company")?,
                buyer_country: row.try_get("buyer_country")?,
                product_name: row.try_get("product_name")?,
                marketplace_name: row.try_get("marketplace_name")?,
                seller_name: row.try_get("seller_name")?,
                unread: row.try_get::<i64, _>("unread")? != 0,
                status: crate::rows::variant(PartyStatus::parse(
                    &row.try_get::<String, _>("party_status")?,
                ))?,
            })
        })
        .collect()
}
