//! Whom a buyer's reply goes to, when several sellers wrote (one thread each): by default the
//! party that last wrote to the buyer, else the one the request was last routed to (its
//! handler), each named plainly ("Jonas Weber — Alpen Vertrieb, your contact").

use parley_app::requests::RequestDetail;
use parley_domain::{AuthorKind, Event, EventKind};

use super::Tr;

/// The buyer's choices, the default first: (party id, label).
pub fn choices(tr: &Tr, detail: &RequestDetail, history: &[Event]) -> Vec<(String, String)> {
    // The history is newest first: the first message a seller sent is the latest.
    let last_writer = history.iter().find_map(|event| {
        (event.kind == EventKind::MessageSent && event.actor.kind == AuthorKind::Member)
            .then_some(())?;
        let party = event.party?;
        detail
            .threads
            .iter()
            .any(|t| t.party.id == party)
            .then(|| (party, event.actor.name.clone()))
    });
    let default = last_writer
        .as_ref()
        .map(|(party, _)| *party)
        .or_else(|| detail.threads.last().map(|t| t.party.id));
    let mut choices: Vec<(String, String)> = detail
        .threads
        .iter()
        .map(|t| {
            let label = match &last_writer {
                Some((party, person)) if *party == t.party.id => tr.t2(
                    "form-to-contact",
                    ("name", person),
                    ("party", &t.party.name),
                ),
                _ => t.party.name.clone(),
            };
            (t.party.id.to_string(), label)
        })
        .collect();
    if let Some(default) = default.map(|d| d.to_string())
        && let Some(at) = choices.iter().position(|(id, _)| *id == default)
    {
        let chosen = choices.remove(at);
        choices.insert(0, chosen);
    }
    choices
}
