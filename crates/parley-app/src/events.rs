//! Building history events.

use parley_domain::{Actor, Event, EventId, EventKind, OrganizationId, RequestId, Timestamp};

/// A new event of `kind`, with the audience its kind calls for.
pub(crate) fn new_event(
    request: RequestId,
    party: Option<OrganizationId>,
    kind: EventKind,
    actor: Actor,
    data: serde_json::Value,
    at: Timestamp,
) -> Event {
    Event {
        id: EventId::new(),
        request_id: request,
        party,
        kind,
        audience: kind.audience(),
        actor,
        data,
        created_at: at,
    }
}
