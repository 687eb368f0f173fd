//! Sender authentication of emailed replies, and the replies it holds.
//!
//! The relay checks SPF, DKIM and DMARC (the SMTP adapter, with mail-auth) and keeps the
//! results at the top of the original. When the From domain publishes DMARC `p=reject` or
//! `quarantine` and the reply fails it, the domain itself says the mail is not from who it
//! claims: with `enforce` it is held, not posted. Only the masked address's holder sees it —
//! the reply was written in their name — and releases it (it then takes the path of any
//! emailed reply) or deletes it. They are told by email, once while replies wait.

use parley_domain::RequestId;
use parley_domain::policy::{Action, can};
use parley_store::held;
pub use parley_store::held::HeldReply;
use parley_store::outbox;

use crate::inbound::InboundEmail;
use crate::relay::{Received, RelayTarget};
use crate::{App, AppError, Caller, now};

/// What the relay does with sender authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SenderAuthMode {
    /// Nothing checked (no DNS lookups).
    Off,
    /// Checked and recorded with the original; nothing held.
    #[default]
    Monitor,
    /// Checked, recorded, and replies failing their domain's DMARC policy held.
    Enforce,
}

impl std::str::FromStr for SenderAuthMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "monitor" => Ok(Self::Monitor),
            "enforce" => Ok(Self::Enforce),
            other => Err(format!(
                "sender authentication must be off, monitor or enforce, not {other}"
            )),
        }
    }
}

/// What sender authentication found for one email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderCheck {
    /// The `Authentication-Results` header's value (also written at the top of the original).
    pub results: String,
    /// The From domain publishes DMARC `p=reject` or `quarantine`, and neither SPF nor DKIM
    /// passed aligned with it.
    pub dmarc_rejects: bool,
}

/// The first words of a held reply, to recognise it by.
const PREVIEW_CHARS: usize = 300;

impl App {
    /// Keeps an emailed reply aside for its address's holder, and tells them.
    pub(crate) async fn hold_reply(
        &self,
        target: &RelayTarget,
        email: InboundEmail,
    ) -> Result<Received, AppError> {
        let address = &target.address;
        let results = email
            .authentication
            .as_ref()
            .map(|check| check.results.clone())
            .unwrap_or_default();
        let held = HeldReply {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: address.request_id.clone(),
            thread_id: address.thread_id.clone(),
            token: address.token.clone(),
            holder_key: target.caller.viewer_key(),
            sender: email.from.clone(),
            subject: email
                .subject
                .as_deref()
                .map(parley_domain::text::clean_line)
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect(),
            preview: email
                .reply_text
                .trim()
                .chars()
                .take(PREVIEW_CHARS)
                .collect(),
            results,
            received_at: now().0,
        };
        tracing::warn!(
            held = %held.id,
            thread = %held.thread_id,
            "relay: reply held, its sender could not be verified (DMARC)"
        );
        let notice = crate::mail::plain::reply_held(
            &self.settings,
            &target.caller,
            &held.request_id,
            held.received_at,
        );
        self.store
            .write((held, email.raw, notice), |tx, (held, raw, notice)| {
                Box::pin(async move {
                    // One notice while replies wait: a forger sending many tells them once.
                    let first = held::of_holder(&mut *tx, &held.request_id, &held.holder_key)
                        .await?
                        .is_empty();
                    held::insert(&mut *tx, held, raw).await?;
                    if first {
                        outbox::enqueue(&mut *tx, notice).await?;
                    }
                    Ok::<_, parley_store::StoreError>(())
                })
            })
            .await?;
        Ok(Received::Held)
    }

    /// The replies of a request held for the caller (written in their name).
    pub async fn held_replies(
        &self,
        caller: &Caller,
        request: RequestId,
    ) -> Result<Vec<HeldReply>, AppError> {
        let mut conn = self.store.read().await?;
        let rows = held::of_holder(&mut conn, &request.to_string(), &caller.viewer_key()).await?;
        if rows.is_empty() {
            return Ok(rows);
        }
        let access = parley_store::requests::access(&mut conn, request).await?;
        let principal = caller.principal();
        Ok(rows
            .into_iter()
            .filter(|row| {
                access
                    .threads
                    .iter()
                    .find(|t| t.id.to_string() == row.thread_id)
                    .is_some_and(|t| can(&principal, Action::PostMessage(t.party), &access.parties))
            })
            .collect())
    }

    /// One of [`App::held_replies`] with its original, or `NotFound`.
    async fn held_reply(
        &self,
        caller: &Caller,
        request: RequestId,
        id: &str,
    ) -> Result<(HeldReply, Vec<u8>), AppError> {
        let visible = self.held_replies(caller, request).await?;
        if !visible.iter().any(|row| row.id == id) {
            return Err(AppError::NotFound);
        }
        let mut conn = self.store.read().await?;
        held::with_raw(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Posts a held reply in its conversation, as if it had just arrived from a verified
    /// sender (its holder vouches for it), and forgets it as held.
    pub async fn release_held_reply(
        &self,
        caller: &Caller,
        request: RequestId,
        id: &str,
    ) -> Result<Received, AppError> {
        let (row, raw) = self.held_reply(caller, request, id).await?;
        // Revoked since: it can no longer be posted (any other failure stays what it is).
        let target = match self.relay_target(&row.token).await {
            Err(AppError::NotFound) => Err(AppError::Conflict("address_revoked".to_owned())),
            other => other,
        }?;
        let parsed = parley_mail::parse_email(&raw)
            .map_err(|e| AppError::internal(format!("a held reply no longer parses: {e}")))?;
        let email =
            InboundEmail::from_parsed(parsed, row.sender, raw, self.settings.max_document_bytes)
                .map_err(|e| {
                    AppError::internal(format!("a held reply's document: {}", e.filename))
                })?;
        // A release that stopped after posting is finished by the next: the same Message-ID
        // is then a duplicate, and the row goes.
        let received = self.post_email(&target, email).await?;
        self.forget_held(row.id).await?;
        Ok(received)
    }

    /// Deletes a held reply unread by anyone else.
    pub async fn delete_held_reply(
        &self,
        caller: &Caller,
        request: RequestId,
        id: &str,
    ) -> Result<(), AppError> {
        let (row, _) = self.held_reply(caller, request, id).await?;
        self.forget_held(row.id).await
    }

    async fn forget_held(&self, id: String) -> Result<(), AppError> {
        self.store
            .write(id, |tx, id| Box::pin(held::remove(tx, id)))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::SenderAuthMode;

    #[test]
    fn modes_are_read_from_configuration() {
        assert_eq!("off".parse(), Ok(SenderAuthMode::Off));
        assert_eq!(" Monitor ".parse(), Ok(SenderAuthMode::Monitor));
        assert_eq!("ENFORCE".parse(), Ok(SenderAuthMode::Enforce));
        assert!("reject".parse::<SenderAuthMode>().is_err());
        assert_eq!(SenderAuthMode::default(), SenderAuthMode::Monitor);
    }
}
