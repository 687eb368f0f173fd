//! Marketplaces and the exhibitors they provision: which organization a marketplace's own id
//! names, the organization's default language, and each member's role and time zone.

use parley_domain::{
    LanguageCode, Marketplace, MarketplaceId, Member, MemberId, MemberRole, Organization,
    OrganizationId,
};
use sqlx::Row;

use crate::directory::{MEMBER_COLUMNS, member};
use crate::rows::{language, parse, variant};
use crate::{Connection, StoreError, dynamic_query, now_millis};

/// Every marketplace, by slug.
pub async fn marketplaces(conn: &mut Connection) -> Result<Vec<Marketplace>, StoreError> {
    let rows = sqlx::query("SELECT id, slug, name FROM marketplaces ORDER BY slug")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Marketplace {
                id: parse(&row.try_get::<String, _>("id")?, "marketplace id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
            })
        })
        .collect()
}

/// The organization `marketplace` knows as `external_id`.
pub async fn exhibitor(
    conn: &mut Connection,
    marketplace: MarketplaceId,
    external_id: &str,
) -> Result<Option<OrganizationId>, StoreError> {
    sqlx::query(
        "SELECT organization_id FROM marketplace_organizations \
         WHERE marketplace_id = $1 AND external_id = $2",
    )
    .bind(marketplace.to_string())
    .bind(external_id)
    .fetch_optional(conn)
    .await?
    .map(|row| {
        parse(
            &row.try_get::<String, _>("organization_id")?,
            "organization id",
        )
    })
    .transpose()
}

/// Names `organization` `external_id` on `marketplace` (named conflicts when either is
/// already taken there).
pub async fn link_exhibitor(
    conn: &mut Connection,
    marketplace: MarketplaceId,
    external_id: &str,
    organization: OrganizationId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO marketplace_organizations \
           (marketplace_id, external_id, organization_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(marketplace.to_string())
    .bind(external_id)
    .bind(organization.to_string())
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of `marketplace`'s exhibitors by external id, after `after`.
pub async fn exhibitors(
    conn: &mut Connection,
    marketplace: MarketplaceId,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<(String, OrganizationId)>, StoreError> {
    let rows = sqlx::query(
        "SELECT external_id, organization_id FROM marketplace_organizations \
         WHERE marketplace_id = $1 AND external_id > $2 ORDER BY external_id LIMIT $3",
    )
    .bind(marketplace.to_string())
    .bind(after.unwrap_or(""))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("external_id")?,
                parse(
                    &row.try_get::<String, _>("organization_id")?,
                    "organization id",
                )?,
            ))
        })
        .collect()
}

/// Sets an organization's name, country and default language.
pub async fn update_organization(
    conn: &mut Connection,
    organization: &Organization,
    default_language: LanguageCode,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE organizations SET name = $1, country = $2, language = $3 WHERE id = $4")
        .bind(&organization.name)
        .bind(organization.country.map(|c| c.to_string()))
        .bind(default_language.code())
        .bind(organization.id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The language of an organization's people when they do not say (English when unset).
pub async fn organization_language(
    conn: &mut Connection,
    organization: OrganizationId,
) -> Result<LanguageCode, StoreError> {
    let row = sqlx::query("SELECT language FROM organizations WHERE id = $1")
        .bind(organization.to_string())
        .fetch_one(conn)
        .await?;
    match row.try_get::<Option<String>, _>("language")? {
        Some(code) => language(&code),
        None => Ok(LanguageCode::En),
    }
}

/// A member with what only their organization's team management sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub member: Member,
    pub role: MemberRole,
    pub time_zone: Option<String>,
}

/// Sets a member's name, language, role and time zone (and makes a deactivated member active
/// again: their marketplace sent them anew).
pub async fn set_profile(
    conn: &mut Connection,
    id: MemberId,
    name: &str,
    language: LanguageCode,
    role: MemberRole,
    time_zone: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE members SET name = $1, language = $2, role = $3, time_zone = $4, \
         deactivated_at = NULL WHERE id = $5",
    )
    .bind(name)
    .bind(language.code())
    .bind(role.as_str())
    .bind(time_zone)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// An organization's people, with their roles, oldest first.
pub async fn team(
    conn: &mut Connection,
    organization: OrganizationId,
) -> Result<Vec<TeamMember>, StoreError> {
    let rows = dynamic_query(format!(
        "SELECT {MEMBER_COLUMNS}, role, time_zone FROM members \
         WHERE organization_id = $1 AND deactivated_at IS NULL ORDER BY created_at, id"
    ))
    .bind(organization.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TeamMember {
                member: member(row)?,
                role: variant(MemberRole::parse(&row.try_get::<String, _>("role")?))?,
                time_zone: row.try_get("time_zone")?,
            })
        })
        .collect()
}

/// Whether a member may still act (not deactivated).
pub async fn is_active(conn: &mut Connection, id: MemberId) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT deactivated_at FROM members WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<Option<i64>, _>("deactivated_at")?.is_none())
}

/// What a deactivation ended, so caches can forget it at once.
#[derive(Debug, Default)]
pub struct Ended {
    /// Hashes of the member's API tokens.
    pub token_hashes: Vec<String>,
    /// The member's masked addresses.
    pub address_tokens: Vec<String>,
    /// The requests they handled, now handled by `to`.
    pub requests_handed_back: Vec<String>,
}

/// Deactivates a member: their sign-in links, sessions and API tokens end, their masked
/// addresses are revoked, and the requests they handled go to `handler` (an admin of the
/// organization) when there is one. `None` when the member was already deactivated.
pub async fn deactivate(
    conn: &mut Connection,
    member: &Member,
    handler: Option<MemberId>,
    at: i64,
) -> Result<Option<Ended>, StoreError> {
    let id = member.id.to_string();
    let changed = sqlx::query(
        "UPDATE members SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL",
    )
    .bind(at)
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(None);
    }
    let column = |rows: Vec<sqlx::any::AnyRow>, name: &str| -> Result<Vec<String>, StoreError> {
        rows.iter()
            .map(|row| row.try_get(name).map_err(StoreError::from))
            .collect()
    };
    let token_hashes = column(
        sqlx::query(
            "SELECT token_hash FROM api_tokens \
             WHERE principal_kind = 'member' AND principal_id = $1 AND revoked_at IS NULL",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?,
        "token_hash",
    )?;
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 \
         WHERE principal_kind = 'member' AND principal_id = $2 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(&id)
    .execute(&mut *conn)
    .await?;
    for table in ["web_sessions", "sign_in_links"] {
        dynamic_query(format!(
            "DELETE FROM {table} WHERE principal_kind = 'member' AND principal_id = $1"
        ))
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    }
    let address_tokens = column(
        sqlx::query(
            "SELECT token FROM relay_addresses \
             WHERE email = $1 AND holder_kind IN ('member', 'cc') AND revoked_at IS NULL",
        )
        .bind(member.email.as_str())
        .fetch_all(&mut *conn)
        .await?,
        "token",
    )?;
    sqlx::query(
        "UPDATE relay_addresses SET revoked_at = $1 \
         WHERE email = $2 AND holder_kind IN ('member', 'cc') AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(member.email.as_str())
    .execute(&mut *conn)
    .await?;
    let mut requests_handed_back = Vec::new();
    if let Some(handler) = handler {
        requests_handed_back = column(
            sqlx::query("SELECT id FROM requests WHERE handler_member_id = $1")
                .bind(&id)
                .fetch_all(&mut *conn)
                .await?,
            "id",
        )?;
        sqlx::query("UPDATE requests SET handler_member_id = $1 WHERE handler_member_id = $2")
            .bind(handler.to_string())
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(Ended {
        token_hashes,
        address_tokens,
        requests_handed_back,
    }))
}
