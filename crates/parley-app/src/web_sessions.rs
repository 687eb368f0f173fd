//! Password-less sign-in for the web pages: one-time links sent by email, then a session
//! cookie. Links and sessions are stored as hashes, so the database never holds a usable secret.

use std::time::Duration;

use parley_store::tokens::TokenOwner;
use parley_store::{outbox, sessions};

use crate::auth::{caller_by_email, caller_of, new_token};
use crate::files::sha256_hex;
use crate::{App, AppError, Caller, now};

/// How long a sign-in link works (once).
pub const LINK_TTL: Duration = Duration::from_secs(30 * 60);
/// How long a browser stays signed in.
pub const SESSION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub caller: Caller,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// The caller manages a sales network (a manufacturer's member): the menu offers it.
    pub manages_network: bool,
    /// The caller belongs to an organization (not a person outside any, reached by a forward
    /// or a copy): the menu offers My team.
    pub has_team: bool,
}

/// Keeps only a path of this site, so a link can never redirect elsewhere: an absolute path
/// (`/` then not `/` or `\`) written only with the characters RFC 3986 allows in a path, a
/// query and a fragment, `%` only before two hex digits. Anything else gives `/`. Browsers
/// drop tabs and line breaks from URLs (`/\t/evil.example` becomes `//evil.example`, another
/// site) and a line break in a `Location` header is an error: neither gets through.
#[must_use]
pub fn local_path(next: &str) -> String {
    let next = next.trim_matches(' ');
    let bytes = next.as_bytes();
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?#%".contains(&b);
    let percent_ok = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    let safe = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| allowed(*b))
        && percent_ok;
    if safe {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

impl App {
    /// A sign-in link asked through the form from `client` (when known): counted against the
    /// limits per address and per client address, then [`App::create_sign_in_link`].
    pub async fn request_sign_in_link(
        &self,
        email: &str,
        next: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<Option<(String, Caller)>, AppError> {
        self.limits.sign_in(email, client)?;
        self.create_sign_in_link(email, next).await
    }

    /// Mints a one-time sign-in link token for the member or buyer with this address, leading
    /// to `next`. `None` when nobody has the address (callers must answer the same way either
    /// way, so the form tells nobody who is registered).
    pub async fn create_sign_in_link(
        &self,
        email: &str,
        next: &str,
    ) -> Result<Option<(String, Caller)>, AppError> {
        let Some(caller) = caller_by_email(self, email).await? else {
            return Ok(None);
        };
        let owner = match &caller {
            Caller::Member(m) => TokenOwner::Member(m.id.to_string()),
            Caller::Buyer(b) => TokenOwner::Buyer(b.id.to_string()),
            Caller::Marketplace(_) => return Ok(None),
        };
        let token = new_token()?;
        let at = now().0;
        let mail = crate::mail::plain::sign_in_link(&self.settings, &caller, &token, at);
        let link = (
            sha256_hex(token.as_bytes()),
            owner,
            local_path(next),
            at,
            mail,
        );
        self.store
            .write(link, |tx, (hash, owner, next, at, mail)| {
                Box::pin(async move {
                    let expires = *at + millis(LINK_TTL);
                    sessions::insert_link(tx, hash, owner, next, *at, expires).await?;
                    // The link and its email commit together: no link without its mail.
                    outbox::enqueue(tx, mail).await
                })
            })
            .await?;
        Ok(Some((token, caller)))
    }

    /// Uses a sign-in link: opens a session and returns its token and where to go. Used,
    /// expired and unknown links are all `NotFound`.
    pub async fn redeem_sign_in_link(&self, link: &str) -> Result<(String, String), AppError> {
        let session = new_token()?;
        let csrf = new_token()?;
        let at = now().0;
        let input = (
            sha256_hex(link.trim().as_bytes()),
            sha256_hex(session.as_bytes()),
            csrf,
            at,
        );
        let next = self
            .store
            .write(input, |tx, (link, session, csrf, at)| {
                Box::pin(async move {
                    let Some((owner, next)) = sessions::use_link(tx, link, *at).await? else {
                        return Err(AppError::NotFound);
                    };
                    let expires = *at + millis(SESSION_TTL);
                    sessions::insert_session(tx, session, &owner, csrf, *at, expires).await?;
                    Ok(next)
                })
            })
            .await?;
        Ok((session, next))
    }

    /// The session of a cookie; `Unauthenticated` when unknown or expired.
    pub async fn web_session(&self, token: &str) -> Result<WebSession, AppError> {
        let mut conn = self.store.read().await?;
        let (owner, csrf) = sessions::session(&mut conn, &sha256_hex(token.as_bytes()), now().0)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let caller = caller_of(&mut conn, owner).await?;
        let kind = match &caller {
            Caller::Member(member) => Some(
                parley_store::directory::organization(&mut conn, member.organization_id)
                    .await?
                    .kind,
            ),
            _ => None,
        };
        Ok(WebSession {
            caller,
            csrf,
            manages_network: kind.is_some_and(parley_domain::policy::manages_network),
            has_team: kind.is_some_and(|kind| kind != parley_domain::OrganizationKind::External),
        })
    }

    /// Ends a session.
    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let input = (sha256_hex(token.as_bytes()), now().0);
        self.store
            .write(input, |tx, (hash, at)| {
                Box::pin(sessions::delete_session(tx, hash, *at))
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn links_only_lead_inside_parley() {
        assert_eq!(local_path("/requests/1"), "/requests/1");
        assert_eq!(local_path("//evil.example/x"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path("/\t/evil.example/phish"), "/");
        assert_eq!(
            local_path("/%09/evil.example"),
            "/%09/evil.example",
            "encoded: a path here"
        );
        for bad in [
            "/x\n",
            "/x\r\nSet-Cookie: a=b",
            "/x\u{b}",
            "/x\u{0}",
            "/é",
            "/x y",
            "/x%zz",
            "/x%4",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
        assert_eq!(
            local_path("/requests?open=forward#handle"),
            "/requests?open=forward#handle"
        );
    }
}
