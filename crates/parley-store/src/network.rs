//! The sales network's records: access grants on requests, a party's decline and outcome, the
//! request's handler, routing settings and rules, and the raw figures of response ratings.

use parley_domain::{
    DeclineReason, GrantKind, MemberId, OrganizationId, Outcome, RequestId, ThreadId, Timestamp,
};
use sqlx::Row;

use crate::rows::parse;
use crate::{Connection, StoreError};

/// One access grant: `member` acts for `party` on `request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub request: RequestId,
    pub member: MemberId,
    pub party: OrganizationId,
    pub kind: GrantKind,
    pub granted_by: Option<MemberId>,
    pub request_created_at: Timestamp,
    pub created_at: Timestamp,
}

/// Records a grant; `false` when the member already had one for this party (a second forward
/// or copy changes nothing, and a revoked grant comes back).
pub async fn grant(conn: &mut Connection, grant: &Grant) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO grants (request_id, member_id, party_id, kind, granted_by, \
           request_created_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (request_id, member_id, party_id) DO UPDATE SET revoked_at = NULL \
         WHERE grants.revoked_at IS NOT NULL",
    )
    .bind(grant.request.to_string())
    .bind(grant.member.to_string())
    .bind(grant.party.to_string())
    .bind(grant.kind.as_str())
    .bind(grant.granted_by.map(|m| m.to_string()))
    .bind(grant.request_created_at.0)
    .bind(grant.created_at.0)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// A person in copy of a request: who, for which party, since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub member: parley_domain::Member,
    pub party: OrganizationId,
    pub since: Timestamp,
}

/// The people in copy of a request (live grants of kind `cc`), oldest first.
pub async fn copies_of(
    conn: &mut Connection,
    request: RequestId,
) -> Result<Vec<Copied>, StoreError> {
    let columns = crate::directory::MEMBER_COLUMNS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    crate::dynamic_query(format!(
        "SELECT {columns}, g.party_id AS g_party, g.created_at AS g_created_at \
         FROM grants g JOIN members m ON m.id = g.member_id \
         WHERE g.request_id = $1 AND g.kind = 'cc' AND g.revoked_at IS NULL \
         ORDER BY g.created_at, m.id"
    ))
    .bind(request.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(Copied {
            member: crate::directory::member(row)?,
            party: parse(&row.try_get::<String, _>("g_party")?, "party id")?,
            since: Timestamp(row.try_get("g_created_at")?),
        })
    })
    .collect()
}

/// Takes `member` out of copy of `request` for `party`; `false` when they were not in copy.
pub async fn revoke_copy(
    conn: &mut Connection,
    request: RequestId,
    member: MemberId,
    party: OrganizationId,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE grants SET revoked_at = $1 \
         WHERE request_id = $2 AND member_id = $3 AND party_id = $4 AND kind = 'cc' \
           AND revoked_at IS NULL",
    )
    .bind(at.0)
    .bind(request.to_string())
    .bind(member.to_string())
    .bind(party.to_string())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Withdraws a member's grants on a request; `false` when they had none.
pub async fn revoke_grants(
    conn: &mut Connection,
    request: RequestId,
    member: MemberId,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE grants SET revoked_at = $1 \
         WHERE request_id = $2 AND member_id = $3 AND revoked_at IS NULL",
    )
    .bind(at.0)
    .bind(request.to_string())
    .bind(member.to_string())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Makes `member` the request's handler.
pub async fn set_handler(
    conn: &mut Connection,
    request: RequestId,
    member: MemberId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE requests SET handler_member_id = $1 WHERE id = $2")
        .bind(member.to_string())
        .bind(request.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the party's decline; `false` if the thread was already declined.
pub async fn decline(
    conn: &mut Connection,
    thread: ThreadId,
    reason: DeclineReason,
    note: Option<&str>,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE threads SET declined_at = $1, decline_reason = $2, decline_note = $3 \
         WHERE id = $4 AND declined_at IS NULL",
    )
    .bind(at.0)
    .bind(reason.as_str())
    .bind(note)
    .bind(thread.to_string())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Records whether the party concluded a sale (the latest mark stands).
pub async fn set_outcome(
    conn: &mut Connection,
    thread: ThreadId,
    outcome: Outcome,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE threads SET outcome = $1, outcome_at = $2 WHERE id = $3")
        .bind(outcome.as_str())
        .bind(at.0)
        .bind(thread.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// How a manufacturer routes new requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Routing {
    /// Routing to the network at all (off: every request stays with the manufacturer).
    pub enabled: bool,
    /// Per product line: the network member that gets its requests, or `None` when the
    /// manufacturer keeps them. Lines without a rule are routed by territory.
    pub rules: Vec<(String, Option<OrganizationId>)>,
}

impl Routing {
    /// The rule for a product line, if one exists (compared without case).
    #[must_use]
    pub fn rule_for(&self, line: &str) -> Option<Option<OrganizationId>> {
        self.rules
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(line))
            .map(|(_, target)| *target)
    }
}

pub async fn routing(
    conn: &mut Connection,
    manufacturer: OrganizationId,
) -> Result<Routing, StoreError> {
    let enabled: i64 =
        sqlx::query_scalar("SELECT routing_enabled FROM organizations WHERE id = $1")
            .bind(manufacturer.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    let rules = sqlx::query(
        "SELECT product_line, target_org_id FROM routing_rules WHERE manufacturer_id = $1 \
         ORDER BY product_line",
    )
    .bind(manufacturer.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get::<String, _>("product_line")?,
            row.try_get::<Option<String>, _>("target_org_id")?
                .map(|id| parse(&id, "org"))
                .transpose()?,
        ))
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Routing {
        enabled: enabled != 0,
        rules,
    })
}

pub async fn set_routing_enabled(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    enabled: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE organizations SET routing_enabled = $1 WHERE id = $2")
        .bind(i64::from(enabled))
        .bind(manufacturer.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the rule for a product line (`target` `None`: the manufacturer keeps its requests).
pub async fn set_routing_rule(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    line: &str,
    target: Option<OrganizationId>,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO routing_rules (manufacturer_id, product_line, target_org_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (manufacturer_id, product_line) \
         DO UPDATE SET target_org_id = excluded.target_org_id",
    )
    .bind(manufacturer.to_string())
    .bind(line)
    .bind(target.map(|t| t.to_string()))
    .bind(at.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the rule of a product line (its requests go back to territory routing).
pub async fn remove_routing_rule(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    line: &str,
) -> Result<bool, StoreError> {
    let result =
        sqlx::query("DELETE FROM routing_rules WHERE manufacturer_id = $1 AND product_line = $2")
            .bind(manufacturer.to_string())
            .bind(line)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() > 0)
}

/// Removes a network member from a manufacturer's network (its past threads stay).
pub async fn remove_link(
    conn: &mut Connection,
    manufacturer: OrganizationId,
    member_org: OrganizationId,
) -> Result<bool, StoreError> {
    let result =
        sqlx::query("DELETE FROM network_links WHERE manufacturer_id = $1 AND member_org_id = $2")
            .bind(manufacturer.to_string())
            .bind(member_org.to_string())
            .execute(conn)
            .await?;
    Ok(result.rows_affected() > 0)
}
