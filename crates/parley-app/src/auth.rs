//! API bearer tokens: created for a member, a buyer or a marketplace integration, stored hashed.

use parley_domain::{BuyerId, EmailAddress, MarketplaceId, MemberId};
use parley_store::directory;
use parley_store::tokens::{self, TokenOwner};

use crate::files::sha256_hex;
use crate::{App, AppError, Caller};

/// The member, buyer or marketplace a stored token or session belongs to.
pub(crate) async fn caller_of(
    conn: &mut parley_store::Connection,
    owner: TokenOwner,
) -> Result<Caller, AppError> {
    let corrupt = |_| AppError::internal("token owner id is not an id");
    Ok(match owner {
        TokenOwner::Member(id) => {
            let id: MemberId = id.parse().map_err(corrupt)?;
            // A deactivated member's remaining credentials open nothing.
            if !parley_store::provisioning::is_active(conn, id).await? {
                return Err(AppError::Unauthenticated);
            }
            Caller::Member(directory::member_by_id(conn, id).await?)
        }
        TokenOwner::Buyer(id) => {
            let id: BuyerId = id.parse().map_err(corrupt)?;
            Caller::Buyer(directory::buyer_by_id(conn, id).await?)
        }
        TokenOwner::Marketplace(id) => {
            let id: MarketplaceId = id.parse().map_err(corrupt)?;
            Caller::Marketplace(directory::marketplace_by_id(conn, id).await?)
        }
    })
}

/// The member, else the buyer, with the address typed in `email`; `None` when nobody has it.
pub(crate) async fn caller_by_email(app: &App, email: &str) -> Result<Option<Caller>, AppError> {
    let address = EmailAddress::parse(email)
        .map_err(|e| AppError::invalid("email", "email_invalid", e.to_string()))?;
    let mut conn = app.store.read().await?;
    if let Some(member) = directory::member_by_email(&mut conn, &address).await? {
        if !parley_store::provisioning::is_active(&mut conn, member.id).await? {
            return Ok(None);
        }
        return Ok(Some(Caller::Member(member)));
    }
    Ok(directory::buyer_by_email(&mut conn, &address)
        .await?
        .map(Caller::Buyer))
}

/// Every token starts with this, so leaked tokens are easy to spot by secret scanners.
const TOKEN_PREFIX: &str = "prl_";

/// A new random token: 160 bits from the OS generator.
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

impl App {
    /// Creates a token for the member or buyer with this email. Returns the token (shown once)
    /// and who it is for.
    pub async fn create_token(
        &self,
        email: &str,
        label: &str,
    ) -> Result<(String, Caller), AppError> {
        let caller = caller_by_email(self, email).await?.ok_or_else(|| {
            AppError::invalid(
                "email",
                "unknown_email",
                format!("No member or buyer has the address {}.", email.trim()),
            )
        })?;
        let owner = match &caller {
            Caller::Member(m) => TokenOwner::Member(m.id.to_string()),
            Caller::Buyer(b) => TokenOwner::Buyer(b.id.to_string()),
            Caller::Marketplace(m) => TokenOwner::Marketplace(m.id.to_string()),
        };
        let token = self.store_token(&owner, label).await?;
        Ok((token, caller))
    }

    /// Creates an integration key for the marketplace with this slug.
    pub async fn create_marketplace_key(
        &self,
        slug: &str,
        label: &str,
    ) -> Result<String, AppError> {
        let mut conn = self.store.read().await?;
        let marketplace = directory::marketplace_by_slug(&mut conn, slug)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "marketplace",
                    "unknown_marketplace",
                    format!("No marketplace “{slug}”."),
                )
            })?;
        drop(conn);
        self.store_token(&TokenOwner::Marketplace(marketplace.id.to_string()), label)
            .await
    }

    async fn store_token(&self, owner: &TokenOwner, label: &str) -> Result<String, AppError> {
        let token = new_token()?;
        let (hash, owner, label) = (
            sha256_hex(token.as_bytes()),
            owner.clone(),
            label.to_owned(),
        );
        self.store
            .write((hash, owner, label), |tx, (hash, owner, label)| {
                Box::pin(tokens::insert(tx, hash, owner, label))
            })
            .await?;
        Ok(token)
    }

    /// Revokes a token; later calls with it are refused.
    pub async fn revoke_token(&self, token: &str) -> Result<bool, AppError> {
        let hash = sha256_hex(token.trim().as_bytes());
        self.callers.forget(&hash);
        Ok(self
            .store
            .write(hash, |tx, hash| Box::pin(tokens::revoke(tx, hash)))
            .await?)
    }

    /// Who a bearer token speaks for.
    pub async fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        let token = token.trim();
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(AppError::Unauthenticated);
        }
        let hash = sha256_hex(token.as_bytes());
        if let Some(caller) = self.callers.get(&hash) {
            return Ok(caller);
        }
        let mut conn = self.store.read().await?;
        let owner = tokens::owner(&mut conn, &hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let caller = caller_of(&mut conn, owner).await?;
        self.callers.put(hash, caller.clone());
        Ok(caller)
    }
}
