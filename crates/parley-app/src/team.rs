//! "My team": the people of one organization. Everyone sees the team; its admins invite a
//! colleague (who gets a sign-in link by email), change roles and take people out (the same
//! deactivation as a marketplace's, see [`crate::provisioning`]). An organization always keeps
//! one admin.

use parley_domain::provisioning::MemberInput;
use parley_domain::{MemberId, Organization, OrganizationKind, policy};
use parley_store::directory;
use parley_store::provisioning::{self as store, TeamMember};

use crate::provisioning::{deactivate, keeps_an_admin, put_member};
use crate::{App, AppError, Caller};

/// An organization and its people, as one of them sees it.
#[derive(Debug, Clone)]
pub struct Team {
    pub organization: Organization,
    pub members: Vec<TeamMember>,
    /// Whether the caller may invite, change roles and take people out.
    pub may_manage: bool,
}

impl App {
    pub async fn team(&self, caller: &Caller) -> Result<Team, AppError> {
        let Caller::Member(me) = caller else {
            return Err(AppError::Forbidden("only sellers have a team"));
        };
        let mut conn = self.store.read().await?;
        let organization = directory::organization(&mut conn, me.organization_id).await?;
        if organization.kind == OrganizationKind::External {
            return Err(AppError::Forbidden(
                "people outside any organization have no team",
            ));
        }
        let members = store::team(&mut conn, organization.id).await?;
        let may_manage = members
            .iter()
            .any(|t| t.member.id == me.id && policy::manages_team(t.role));
        Ok(Team {
            organization,
            members,
            may_manage,
        })
    }

    /// Invites a colleague (a sign-in link goes to their address) or changes one's name,
    /// language, role and time zone. Returns them and whether they are new.
    pub async fn put_colleague(
        &self,
        caller: &Caller,
        input: MemberInput,
    ) -> Result<(TeamMember, bool), AppError> {
        let team = self.managed_team(caller).await?;
        let organization = team.organization.id;
        let email = input.email.clone();
        let data = (organization, input, MemberId::new());
        let (_, member, created) = self
            .store
            .write(data, |tx, (organization, input, new_id)| {
                Box::pin(put_member(tx, *organization, input, *new_id))
            })
            .await?;
        if created {
            self.create_sign_in_link(email.as_str(), "/requests")
                .await?;
        }
        let mut conn = self.store.read().await?;
        let entry = store::team(&mut conn, organization)
            .await?
            .into_iter()
            .find(|t| t.member.id == member)
            .ok_or(AppError::NotFound)?;
        Ok((entry, created))
    }

    /// Takes a colleague out of the organization (see
    /// [`App::remove_exhibitor_member`] for what that ends).
    pub async fn remove_colleague(&self, caller: &Caller, email: &str) -> Result<(), AppError> {
        let team = self.managed_team(caller).await?;
        let address = parley_domain::EmailAddress::parse(email).map_err(|_| AppError::NotFound)?;
        let data = (team.organization.id, address, caller.actor());
        let ended = self
            .store
            .write(data, |tx, (organization, address, actor)| {
                Box::pin(async move {
                    let ended = deactivate(tx, *organization, address, actor).await?;
                    keeps_an_admin(tx, *organization).await?;
                    Ok::<_, AppError>(ended)
                })
            })
            .await?;
        self.forget_credentials(&ended);
        Ok(())
    }

    async fn managed_team(&self, caller: &Caller) -> Result<Team, AppError> {
        let team = self.team(caller).await?;
        if team.may_manage {
            Ok(team)
        } else {
            Err(AppError::Forbidden(
                "only an admin of the organization manages its team",
            ))
        }
    }
}
