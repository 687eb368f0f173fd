//! The email relay's use cases: masked addresses, and an emailed reply entering the same path
//! as a web reply.
//!
//! A masked address belongs to one participant of one thread: mail to it must come from that
//! participant (envelope and From), and lands in that thread as theirs. Parley writes to the
//! participant from the same address, so a reply from their mailbox comes back here. The
//! address is a random token (120 bits): it says nothing about the thread or the person, and
//! the other side never sees it.

pub use crate::held::{SenderAuthMode, SenderCheck};
pub use crate::inbound::{DocumentTooLarge, InboundEmail};
use parley_domain::{Channel, EmailOrigin, RequestId, ThreadId};
pub use parley_store::Arrival;
use parley_store::outbox::{self, Mail};
use parley_store::relay::{self, Holder, HolderKind, RelayAddress};
use parley_store::{Connection, StoreError};

use crate::mail::conversation::Notice;
use crate::messages::Draft;
use crate::{App, AppError, Caller, now};

/// 15 random bytes in lower-case base32: 24 characters, valid in any mailbox local part.
pub(crate) fn new_address_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 15];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    Ok(base32(&bytes))
}

/// Gives each notice the token its masked address gets if the recipient has none yet (drawn
/// here because write units may run twice and must not fail on randomness).
pub(crate) fn with_tokens(mut notices: Vec<Notice>) -> Result<Vec<Notice>, AppError> {
    for notice in &mut notices {
        notice.new_token = new_address_token()?;
    }
    Ok(notices)
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Queues `notices`, each from its recipient's masked address (issued now when new). Runs
/// inside the caller's transaction, so the mail exists exactly when what it announces does.
/// Two statements in the usual case (the thread's addresses, then the mail), whatever the
/// number of recipients: this runs on every message.
pub(crate) async fn enqueue_notices(
    tx: &mut Connection,
    relay_domain: &str,
    notices: &[Notice],
    at: i64,
) -> Result<(), StoreError> {
    let mut mails = Vec::with_capacity(notices.len());
    let mut batch = Gathering::default();
    let mut threads: Vec<&str> = notices.iter().map(|n| n.thread_id.as_str()).collect();
    threads.sort_unstable();
    threads.dedup();
    for thread in threads {
        let mut known = relay::of_thread(&mut *tx, thread).await?;
        let mut new = Vec::new();
        for notice in notices.iter().filter(|n| n.thread_id == thread) {
            let email = notice.holder_email.to_lowercase();
            let holds = |a: &RelayAddress| a.holder_kind == notice.holder_kind && a.email == email;
            let token = match known.iter_mut().find(|a| holds(a)) {
                Some(address) if address.revoked_at.is_none() => address.token.clone(),
                // Taken out of copy, then put back: a new token (the old one stays dead).
                Some(address) => {
                    relay::reissue(&mut *tx, &address.token, &notice.new_token, at).await?;
                    address.token.clone_from(&notice.new_token);
                    address.revoked_at = None;
                    notice.new_token.clone()
                }
                None => {
                    let address = RelayAddress {
                        token: notice.new_token.clone(),
                        thread_id: notice.thread_id.clone(),
                        request_id: notice.request_id.clone(),
                        holder_kind: notice.holder_kind,
                        holder_id: notice.holder_id.clone(),
                        email,
                        created_at: at,
                        revoked_at: None,
                    };
                    known.push(address.clone());
                    new.push(address);
                    notice.new_token.clone()
                }
            };
            let mut mail = notice.mail.clone();
            mail.from_address = Some(format!("{token}@{relay_domain}"));
            if mail.kind == "new_message" {
                mail.gather_key = Some(format!("{}|{thread}", mail.recipient));
                gather(&mut *tx, &mut batch, mail, at).await?;
            } else {
                mails.push(mail);
            }
        }
        relay::insert_many(&mut *tx, &new).await?;
    }
    mails.extend(batch.mails);
    outbox::enqueue_many(&mut *tx, &mails).await
}

/// How long after a new-message mail to one recipient in one conversation the next ones are
/// gathered into a single digest.
pub const GATHER_MS: i64 = 2 * 60 * 1000;

/// New-message mails of one call, by gather key: where each key's latest is, and how many
/// notices it gathers.
#[derive(Default)]
struct Gathering {
    mails: Vec<Mail>,
    latest: std::collections::HashMap<String, (usize, i64)>,
}

/// Queues a new-message mail, gathered (a burst of messages is announced twice, not once each):
/// the first to a recipient in a conversation goes at once; one within [`GATHER_MS`] of it
/// waits until then, and any more before it leaves become that digest.
async fn gather(
    tx: &mut Connection,
    batch: &mut Gathering,
    mut mail: Mail,
    at: i64,
) -> Result<(), StoreError> {
    let key = mail.gather_key.clone().unwrap_or_default();
    if let Some(&(index, count)) = batch.latest.get(&key) {
        let earlier = &mut batch.mails[index];
        if let Some(due) = earlier.due_at {
            crate::mail::notice::gathered(&mut mail, count + 1);
            mail.due_at = Some(due);
            *earlier = mail;
            batch.latest.insert(key, (index, count + 1));
        } else {
            mail.due_at = Some(earlier.created_at + GATHER_MS);
            batch.latest.insert(key, (batch.mails.len(), 1));
            batch.mails.push(mail);
        }
        return Ok(());
    }
    match outbox::latest_gathered(&mut *tx, &key, at - GATHER_MS, at).await? {
        Some((waiting_id, _, true, count)) => {
            crate::mail::notice::gathered(&mut mail, count + 1);
            outbox::regather(&mut *tx, &waiting_id, &mail).await?;
        }
        Some((_, sent_at, false, _)) => {
            mail.due_at = Some(sent_at + GATHER_MS);
            batch.latest.insert(key, (batch.mails.len(), 1));
            batch.mails.push(mail);
        }
        None => {
            batch.latest.insert(key, (batch.mails.len(), 1));
            batch.mails.push(mail);
        }
    }
    Ok(())
}

/// A masked address that accepts mail, and who holds it: what RCPT TO found.
#[derive(Debug, Clone)]
pub struct RelayTarget {
    pub address: RelayAddress,
    /// Who the mail is written as: the buyer, the member, or for a person in copy the member
    /// who copied them (a CC has exactly the access of who added them).
    pub caller: Caller,
}

impl RelayTarget {
    /// Whether mail from `sender` may be delivered here: only the holder writes to their
    /// address (compared without case, as mailbox providers do).
    #[must_use]
    pub fn accepts_sender(&self, sender: &str) -> bool {
        !sender.is_empty() && sender.eq_ignore_ascii_case(&self.address.email)
    }
}

/// What became of an emailed reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Stored {
        message_id: String,
    },
    /// The same Message-ID from the same sender was stored before: nothing new.
    Duplicate,
    /// An automatic reply (out of office…): noted in the history of the party it answered,
    /// not passed on.
    Automatic,
    /// Its sender could not be verified (DMARC, enforced): kept aside for the address's holder
    /// to release or delete.
    Held,
}

impl App {
    /// The relay domain's address for `local_part`, when it exists and is not revoked.
    pub async fn relay_target(&self, local_part: &str) -> Result<RelayTarget, AppError> {
        let token = local_part.trim().to_ascii_lowercase();
        if token.len() != 24 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(AppError::NotFound);
        }
        // Mail for one conversation comes in runs: the address is looked up once per few
        // seconds, not at every RCPT (revoking here drops it from the cache at once).
        if let Some(target) = self.relay_targets.get(&token) {
            return Ok(target);
        }
        let mut conn = self.store.read().await?;
        match relay::target(&mut conn, &token).await? {
            Some((address, holder)) if address.revoked_at.is_none() => {
                let target = RelayTarget {
                    address,
                    caller: match holder {
                        Holder::Buyer(buyer) => Caller::Buyer(buyer),
                        Holder::Member(member) => Caller::Member(member),
                    },
                };
                self.relay_targets.put(token, target.clone());
                Ok(target)
            }
            _ => Err(AppError::NotFound),
        }
    }

    /// Revokes a masked address; mail to it is refused from now on.
    pub async fn revoke_relay_address(&self, token: &str) -> Result<bool, AppError> {
        let token = token.trim().to_ascii_lowercase();
        let at = now().0;
        self.relay_targets.forget(&token);
        Ok(self
            .store
            .write(token, move |tx, token| {
                Box::pin(relay::revoke(tx, token, at))
            })
            .await?)
    }

    /// An emailed reply on its way, from its `DATA` until it is stored within
    /// [`Arrival::within`]: replies arriving together then share their sync to disk.
    #[must_use]
    pub fn email_arriving(&self) -> Arrival {
        self.store.email_arriving()
    }

    /// How far the conversations lag behind the relay's answers (`None` where emailed
    /// replies are written straight into them).
    #[must_use]
    pub fn intake_lag(&self) -> Option<parley_store::metrics::IntakeLag> {
        self.store.intake_lag()
    }

    /// Records an emailed reply in the address's thread, through the same use case as a web
    /// reply (access policy, validation, events, notifications). The sender must be the
    /// address's holder.
    #[tracing::instrument(skip_all, fields(thread = %target.address.thread_id))]
    pub async fn receive_email(
        &self,
        target: &RelayTarget,
        email: InboundEmail,
    ) -> Result<Received, AppError> {
        if !target.accepts_sender(&email.from) {
            return Err(AppError::Forbidden(
                "sender is not the holder of this address",
            ));
        }
        let address = &target.address;
        self.limits.relayed(&address.email, &address.thread_id)?;
        if email.automatic {
            return self.note_automatic_reply(target, email.raw.len()).await;
        }
        if self.settings.sender_auth == SenderAuthMode::Enforce
            && email
                .authentication
                .as_ref()
                .is_some_and(|c| c.dmarc_rejects)
        {
            return self.hold_reply(target, email).await;
        }
        self.post_email(target, email).await
    }

    /// Posts an emailed reply whose sender passed the checks (or was released by its holder).
    pub(crate) async fn post_email(
        &self,
        target: &RelayTarget,
        email: InboundEmail,
    ) -> Result<Received, AppError> {
        let address = &target.address;
        let corrupt = |_| AppError::internal("relay address with a bad id");
        let request_id: RequestId = address.request_id.parse().map_err(corrupt)?;
        let thread: ThreadId = address.thread_id.parse().map_err(corrupt)?;
        // What the other side reads never shows a real address: the sender's becomes their
        // name, any other one is hidden (FAQ a). The raw email keeps them, for the sender's
        // own side only (see `documents::email_original`).
        let known = [parley_mail::KnownAddress {
            email: address.email.to_lowercase(),
            name: target.caller.actor().name,
        }];
        let mask =
            |text: &str| parley_mail::mask_addresses(text, &known, &self.settings.relay_domain);
        let attached = !email.documents.is_empty() || !email.set_aside.is_empty();
        let body = if email.reply_text.trim().is_empty() && attached {
            // A mail with only an attachment still says something: the attachment.
            "📎".to_owned()
        } else {
            mask(&email.reply_text)
        };
        let sender = (address.holder_kind == HolderKind::Cc).then(|| address.email.clone());
        let draft = Draft {
            body,
            sender,
            cc: String::new(),
            party: None,
            thread: Some(thread),
            documents: email.documents,
            quote: None,
        };
        let origin = EmailOrigin {
            full_body: mask(&email.full_text),
            message_id: email.message_id,
        };
        match self
            .send(
                &target.caller,
                request_id,
                draft,
                Channel::Email,
                Some((origin, email.raw)),
            )
            .await
        {
            Ok(view) => {
                if !email.set_aside.is_empty() {
                    let notice = crate::mail::plain::attachments_set_aside(
                        &target.caller,
                        &email.set_aside,
                        now().0,
                    );
                    self.store
                        .write(notice, |tx, notice| Box::pin(outbox::enqueue(tx, notice)))
                        .await?;
                }
                Ok(Received::Stored {
                    message_id: view.message.id.to_string(),
                })
            }
            Err(AppError::Conflict(name)) if name == parley_store::messages::EMAIL_REPEAT => {
                Ok(Received::Duplicate)
            }
            Err(other) => Err(other),
        }
    }

    /// The live masked addresses of a request (the demo prints them for trying the relay).
    pub async fn relay_addresses_of(
        &self,
        request_id: RequestId,
    ) -> Result<Vec<RelayAddress>, AppError> {
        let mut conn = self.store.read().await?;
        Ok(relay::of_request(&mut conn, &request_id.to_string()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_24_base32_characters_and_differ() {
        let a = new_address_token().expect("token");
        let b = new_address_token().expect("token");
        assert_eq!(a.len(), 24);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(&c))
        );
        assert_ne!(a, b);
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }
}
