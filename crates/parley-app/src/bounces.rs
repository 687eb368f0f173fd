//! Bounces. Every mail leaves with a return path naming it (`bounce-<id>@<relay domain>`, VERP),
//! so a bounce says which mail failed without reading its words. The relay hands what comes to
//! such an address here: a failed delivery marks the mail bounced with the remote server's
//! reply (its retries stop), tells the party whose message it carried ("not delivered to the
//! buyer: mailbox unknown (550 5.1.1)"), and a second hard bounce marks the address
//! undeliverable until its holder writes from it again.

use parley_domain::{AuthorKind, EventKind, MessageId};
use parley_mail::bounce::{Bounce, parse_bounce};
use parley_store::{bounces, events, messages};
use serde_json::json;

use crate::events::new_event;
use crate::{App, AppError, now};

const PREFIX: &str = "bounce-";

/// The return path of mail `mail_id` on `domain`.
#[must_use]
pub fn return_path(mail_id: &str, domain: &str) -> String {
    format!("{PREFIX}{}@{domain}", mail_id.replace('-', ""))
}

/// The mail id a return path's local part names, if it is one.
#[must_use]
pub fn mail_id_of(local_part: &str) -> Option<String> {
    let hex = local_part.strip_prefix(PREFIX)?.to_ascii_lowercase();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// What went wrong, in a word the history can say (`mailbox_unknown`, `mailbox_full`…).
fn reason(bounce: &Bounce) -> &'static str {
    let status = bounce.status.as_deref().unwrap_or_default();
    match status.get(2..) {
        Some("1.1" | "1.0" | "1.6") => "mailbox_unknown",
        Some("1.2") | Some("4.4") => "domain_unknown",
        Some("2.2") => "mailbox_full",
        Some("2.1") => "mailbox_disabled",
        Some(rest) if rest.starts_with("7.") => "refused",
        _ if bounce.permanent => "refused",
        _ => "temporary",
    }
}

/// What became of a mail to a return path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BounceOutcome {
    /// The mail is marked bounced; `undeliverable`: its address is now marked so.
    Noted { undeliverable: bool },
    /// Not a failure report (a delay notice, a reply by a person), or the mail bounced already
    /// or is unknown: nothing changes.
    Ignored,
}

impl App {
    /// Notes what came to the return path of mail `mail_id`.
    pub async fn receive_bounce(
        &self,
        mail_id: &str,
        raw: &[u8],
    ) -> Result<BounceOutcome, AppError> {
        let Some(bounce) = parse_bounce(raw).filter(|b| b.failed) else {
            return Ok(BounceOutcome::Ignored);
        };
        let code = bounce.code();
        let words = bounce
            .diagnostic
            .clone()
            .unwrap_or_else(|| "no reason given".to_owned());
        let error = parley_domain::text::clean_line(&format!("bounced: {words}"))
            .chars()
            .take(500)
            .collect::<String>();
        let (id, at) = (mail_id.to_owned(), now());
        let reason = reason(&bounce);
        let permanent = bounce.permanent;
        let outcome = self
            .store
            .write((id, error, code), move |tx, (id, error, code)| {
                Box::pin(async move {
                    let Some(bounced) = bounces::mark_bounced(tx, id, error, at.0).await? else {
                        return Ok::<_, AppError>(BounceOutcome::Ignored);
                    };
                    let undeliverable = permanent
                        && bounces::hard_bounce(tx, &bounced.recipient, error, at.0).await?;
                    // A notice carried a message: its party hears that it did not arrive.
                    if let Some(message) = bounced
                        .message_id
                        .as_deref()
                        .and_then(|m| m.parse::<MessageId>().ok())
                    {
                        let message = messages::get(tx, message).await?;
                        let party = parley_store::requests::access(tx, message.request_id)
                            .await?
                            .threads
                            .iter()
                            .find(|t| t.id == message.thread_id)
                            .map(|t| t.party);
                        let to = match message.author_kind {
                            AuthorKind::Member => "buyer",
                            _ => "seller",
                        };
                        let event = new_event(
                            message.request_id,
                            party,
                            EventKind::MailBounced,
                            parley_domain::Actor {
                                kind: AuthorKind::System,
                                id: None,
                                name: "Parley".to_owned(),
                            },
                            json!({ "to": to, "reason": reason, "code": code,
                                    "message_id": message.id, "kind": bounced.kind }),
                            at,
                        );
                        events::append(tx, &event, None).await?;
                    }
                    Ok(BounceOutcome::Noted { undeliverable })
                })
            })
            .await?;
        tracing::info!(mail = %mail_id, ?outcome, "relay: a bounce");
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_path_names_its_mail_and_nothing_else_parses() {
        let id = "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";
        let path = return_path(id, "reply.parley.localhost");
        assert_eq!(
            path,
            "bounce-0193a2b45c6d7e8f9a0b1c2d3e4f5a6b@reply.parley.localhost"
        );
        let local = path.split('@').next().unwrap_or_default();
        assert_eq!(mail_id_of(local).as_deref(), Some(id));
        assert_eq!(mail_id_of("bounce-xyz"), None);
        assert_eq!(mail_id_of("abcdefabcdefabcdefabcdef"), None);
    }
}
