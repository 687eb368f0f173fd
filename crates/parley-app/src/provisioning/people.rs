//! The people of an exhibitor: adding or updating one, taking one out (their credentials end
//! at once, their requests go back to an admin), and the rule that an organization keeps an
//! admin.

use parley_domain::provisioning::MemberInput;
use parley_domain::{Member, MemberId, MemberRole, OrganizationId};
use parley_store::provisioning as store;
use parley_store::{Connection, directory};

use super::{exhibitor_id, marketplace_of};
use crate::{App, AppError, Caller};

impl App {
    /// Takes a person out of the exhibitor its marketplace knows as `external`: their sign-in
    /// links, sessions, tokens and masked addresses stop working at once; the requests they
    /// handled go back to an admin of the organization (an event on each says so); their name
    /// stays on what they wrote.
    pub async fn remove_exhibitor_member(
        &self,
        caller: &Caller,
        external: &str,
        email: &str,
    ) -> Result<(), AppError> {
        let marketplace = marketplace_of(caller)?;
        let address = parley_domain::EmailAddress::parse(email).map_err(|_| AppError::NotFound)?;
        let actor = caller.actor();
        let data = (marketplace.id, external.to_owned(), address, actor);
        let ended = self
            .store
            .write(data, |tx, (marketplace, external, address, actor)| {
                Box::pin(async move {
                    let organization = exhibitor_id(tx, *marketplace, external).await?;
                    deactivate(tx, organization, address, actor).await
                })
            })
            .await?;
        self.forget_credentials(&ended);
        Ok(())
    }
}

/// Deactivates the member of `organization` with this address (see
/// [`App::remove_exhibitor_member`]).
pub(crate) async fn deactivate(
    tx: &mut Connection,
    organization: OrganizationId,
    address: &parley_domain::EmailAddress,
    actor: &parley_domain::Actor,
) -> Result<store::Ended, AppError> {
    let member = directory::member_by_email(&mut *tx, address)
        .await?
        .filter(|m| m.organization_id == organization)
        .ok_or(AppError::NotFound)?;
    let team = store::team(&mut *tx, organization).await?;
    let admin = team
        .iter()
        .find(|t| t.role == parley_domain::MemberRole::Admin && t.member.id != member.id)
        .map(|t| t.member.clone());
    let at = crate::now();
    let ended = store::deactivate(&mut *tx, &member, admin.as_ref().map(|a| a.id), at.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(admin) = admin {
        for request in &ended.requests_handed_back {
            let request = request
                .parse()
                .map_err(|_| AppError::internal("a stored request id is not an id"))?;
            let event = crate::events::new_event(
                request,
                Some(organization),
                parley_domain::EventKind::RequestHandedBack,
                actor.clone(),
                serde_json::json!({ "from": member.name, "to": admin.name }),
                at,
            );
            parley_store::events::append(&mut *tx, &event, None).await?;
        }
    }
    Ok(ended)
}

/// Creates or updates a person of `organization` (see [`App::put_exhibitor_member`]).
pub(crate) async fn put_member(
    tx: &mut Connection,
    organization: OrganizationId,
    input: &MemberInput,
    new_id: MemberId,
) -> Result<(OrganizationId, MemberId, bool), AppError> {
    let language = match input.language {
        Some(language) => language,
        None => store::organization_language(&mut *tx, organization).await?,
    };
    let time_zone = input.time_zone.as_deref();
    if let Some(existing) = directory::member_by_email(&mut *tx, &input.email).await? {
        if existing.organization_id != organization {
            return Err(AppError::Conflict("member_elsewhere".to_owned()));
        }
        store::set_profile(
            &mut *tx,
            existing.id,
            &input.name,
            language,
            input.role,
            time_zone,
        )
        .await?;
        keeps_an_admin(tx, organization).await?;
        return Ok((organization, existing.id, false));
    }
    if directory::buyer_by_email(&mut *tx, &input.email)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict("address_of_a_buyer".to_owned()));
    }
    let member = Member {
        id: new_id,
        organization_id: organization,
        name: input.name.clone(),
        email: input.email.clone(),
        phone: None,
        language,
    };
    // The first member of an organization is its admin, whatever role was asked.
    let has_admin = store::team(&mut *tx, organization)
        .await?
        .iter()
        .any(|t| t.role == MemberRole::Admin);
    let role = if has_admin {
        input.role
    } else {
        MemberRole::Admin
    };
    directory::insert_member(&mut *tx, &member).await?;
    store::set_profile(&mut *tx, member.id, &input.name, language, role, time_zone).await?;
    Ok((organization, member.id, true))
}

impl App {
    /// Forgets the cached callers and relay targets a deactivation ended, so they stop at once.
    pub(crate) fn forget_credentials(&self, ended: &store::Ended) {
        for hash in &ended.token_hashes {
            self.callers.forget(hash);
        }
        for token in &ended.address_tokens {
            self.relay_targets.forget(token);
        }
    }
}

/// Refuses a change that would leave the organization without an admin (the transaction
/// rolls back).
pub(crate) async fn keeps_an_admin(
    tx: &mut Connection,
    organization: OrganizationId,
) -> Result<(), AppError> {
    let team = store::team(tx, organization).await?;
    if team.iter().any(|t| t.role == MemberRole::Admin) {
        Ok(())
    } else {
        Err(AppError::Conflict("last_admin".to_owned()))
    }
}
