//! Automatic replies (out-of-office notices, autoresponders) that reach a masked address: one
//! history event for the party they answered, never a message of the conversation, never
//! forwarded to the other side, never answered (no loops).

use parley_domain::{EventKind, RequestId, ThreadId};
use parley_store::events;
use serde_json::json;

use crate::events::new_event;
use crate::relay::{Received, RelayTarget};
use crate::{App, AppError, now};

impl App {
    pub(crate) async fn note_automatic_reply(
        &self,
        target: &RelayTarget,
        size: usize,
    ) -> Result<Received, AppError> {
        let address = &target.address;
        let corrupt = |_| AppError::internal("relay address with a bad id");
        let request: RequestId = address.request_id.parse().map_err(corrupt)?;
        let thread: ThreadId = address.thread_id.parse().map_err(corrupt)?;
        let mut conn = self.store.read().await?;
        let access = parley_store::requests::access(&mut conn, request).await?;
        drop(conn);
        let party = access
            .threads
            .iter()
            .find(|t| t.id == thread)
            .map(|t| t.party)
            .ok_or(AppError::NotFound)?;
        let actor = target.caller.actor();
        let event = new_event(
            request,
            Some(party),
            EventKind::AutomaticReplyReceived,
            actor.clone(),
            json!({ "from": actor.name, "bytes": size }),
            now(),
        );
        self.store
            .write(event, |tx, event| {
                Box::pin(async move {
                    events::append(tx, event, None).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await?;
        Ok(Received::Automatic)
    }
}
