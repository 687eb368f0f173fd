//! Lists of requests: “My results” for sellers and “My requests” for buyers, with filters and
//! keyset pages.

use parley_domain::search::SearchQuery;
use parley_domain::{CountryCode, FieldError, PartyStatus, Timestamp};
use parley_store::lists::{self as store_lists, Cursor, Filter, Owner};

/// The choices a list's filters offer (marketplaces, products and countries that occur).
pub use parley_store::lists::Facets;

use crate::{App, AppError, Caller};

/// A request as a list row shows it (with the buyer's, product's and marketplace's names).
pub use parley_store::lists::Listed as RequestSummary;

/// One page of a list, and where the next starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The filters as typed (query parameters); empty means “any”.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, included.
    pub to: String,
    pub marketplace: String,
    pub product: String,
    /// ISO country code of the buyer.
    pub country: String,
    /// The caller's party's status: `new`, `answered`, `declined`, `won` or `lost` (a buyer:
    /// `new` or `answered`).
    pub status: String,
    /// Words to search for: the buyer's name, company or email address (or its domain), the
    /// product's name or reference, words of the request.
    pub q: String,
}

const DAY_MS: i64 = 86_400_000;

/// The longest search accepted (a search box, not a document).
const MAX_SEARCH_CHARS: usize = 200;

impl ListQuery {
    /// The filters given, as `(name, value)` in a fixed order (query strings, file names).
    #[must_use]
    pub fn in_use(&self) -> Vec<(&'static str, &str)> {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("country", &self.country),
            ("from", &self.from),
            ("to", &self.to),
            ("product", &self.product),
            ("marketplace", &self.marketplace),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| (key, value.as_str()))
        .collect()
    }

    fn parse(&self) -> Result<Filter, AppError> {
        let mut errors = Vec::new();
        let mut problem = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                code: format!("{field}_invalid"),
                message: message.to_owned(),
            });
        };
        let given = |text: &str| {
            Some(text.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let mut filter = Filter::default();
        if let Some(text) = given(&self.from) {
            match Timestamp::parse_date(&text) {
                Some(day) => filter.from = Some(day.0),
                None => problem("from", "Enter the first day as YYYY-MM-DD."),
            }
        }
        if let Some(text) = given(&self.to) {
            match Timestamp::parse_date(&text) {
                Some(day) => filter.until = Some(day.0 + DAY_MS),
                None => problem("to", "Enter the last day as YYYY-MM-DD."),
            }
        }
        if let Some(text) = given(&self.marketplace) {
            match text.parse() {
                Ok(id) => filter.marketplace = Some(id),
                Err(_) => problem("marketplace", "Choose a marketplace from the list."),
            }
        }
        if let Some(text) = given(&self.product) {
            match text.parse() {
                Ok(id) => filter.product = Some(id),
                Err(_) => problem("product", "Choose a product from the list."),
            }
        }
        if let Some(text) = given(&self.country) {
            match CountryCode::parse(&text) {
                Ok(country) => filter.country = Some(country),
                Err(_) => problem("country", "Choose a country from the list."),
            }
        }
        if let Some(text) = given(&self.status) {
            match PartyStatus::parse(&text) {
                Ok(status) => filter.status = Some(status),
                Err(_) => problem("status", "Choose a status from the list."),
            }
        }
        if let Some(text) = given(&self.q) {
            if text.chars().count() > MAX_SEARCH_CHARS {
                problem("q", "Search with fewer words (200 characters at most).");
            } else {
                // Punctuation alone searches for nothing: the list is not narrowed.
                filter.words = SearchQuery::parse(&text);
            }
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

fn encode_cursor(cursor: Cursor) -> String {
    format!("{}_{}", cursor.at, cursor.id)
}

fn decode_cursor(text: &str) -> Result<Cursor, AppError> {
    let invalid = || AppError::invalid("after", "cursor_invalid", "The page cursor is not valid.");
    let (millis, id) = text.split_once('_').ok_or_else(invalid)?;
    Ok(Cursor {
        at: millis.parse().map_err(|_| invalid())?,
        id: id.parse().map_err(|_| invalid())?,
    })
}

/// Whose requests the caller sees: a buyer's own; a member's organization's, and those the
/// member was given (forwarded to them or copied), which costs one more query only for members
/// who hold grants.
async fn owner_of(caller: &Caller, conn: &mut parley_store::Connection) -> Result<Owner, AppError> {
    match caller {
        Caller::Buyer(buyer) => Ok(Owner::Buyer(buyer.id)),
        Caller::Member(member) => Ok(if store_lists::has_grants(conn, member.id).await? {
            Owner::PartyAndGrants {
                organization: member.organization_id,
                member: member.id,
            }
        } else {
            Owner::Party(member.organization_id)
        }),
        Caller::Marketplace(_) => Err(AppError::Forbidden("marketplace keys only create requests")),
    }
}

impl App {
    /// The caller's requests matching `query`, newest first, `limit` at a time (at most 100).
    /// A seller sees the requests in which their organization is a party; a buyer their own.
    pub async fn list_requests(
        &self,
        caller: &Caller,
        query: &ListQuery,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<RequestSummary>, AppError> {
        if matches!(caller, Caller::Marketplace(_)) {
            return Err(AppError::Forbidden("marketplace keys only create requests"));
        }
        let filter = query.parse()?;
        let cursor = after.map(decode_cursor).transpose()?;
        let limit = limit.clamp(1, 100);
        let mut conn = self.store.read().await?;
        let owner = owner_of(caller, &mut conn).await?;
        let rows = store_lists::list(&mut conn, owner, &filter, cursor, limit).await?;
        let next = (rows.len() == limit as usize)
            .then(|| rows.last().map(|row| encode_cursor(row.cursor)))
            .flatten();
        Ok(Page { items: rows, next })
    }

    /// The choices the list's filters offer the caller.
    pub async fn list_facets(&self, caller: &Caller) -> Result<Facets, AppError> {
        let mut conn = self.store.read().await?;
        let owner = owner_of(caller, &mut conn).await?;
        Ok(store_lists::facets(&mut conn, owner).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = parley_domain::RequestId::new();
        let cursor = decode_cursor(&format!("1700000000000_{id}")).expect("valid");
        assert_eq!(cursor.id, id);
        assert_eq!(cursor.at, 1_700_000_000_000);
        assert!(decode_cursor("nonsense").is_err());
        assert!(decode_cursor("12_notanid").is_err());
    }

    #[test]
    fn filters_parse_and_report_each_bad_field() {
        let query = ListQuery {
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            country: "fr".into(),
            status: "new".into(),
            ..ListQuery::default()
        };
        let filter = query.parse().expect("valid");
        assert_eq!(
            filter.until.map(|u| u - filter.from.unwrap_or(0)),
            Some(30 * DAY_MS)
        );
        assert_eq!(filter.country.map(|c| c.to_string()), Some("FR".into()));
        let bad = ListQuery {
            from: "yesterday".into(),
            marketplace: "x".into(),
            status: "sold".into(),
            ..ListQuery::default()
        };
        let Err(AppError::Invalid(errors)) = bad.parse() else {
            panic!("invalid filters");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from", "marketplace", "status"]);
    }
}
