//! The access matrix: every kind of actor against every action, written out as a table so a
//! change of rule shows up as a changed row.

use super::*;

struct World {
    request: RequestParties,
    manufacturer: OrganizationId,
    distributor: OrganizationId,
}

fn world() -> (World, Vec<(&'static str, Principal)>) {
    let buyer = BuyerId::new();
    let manufacturer = OrganizationId::new();
    let distributor = OrganizationId::new();
    let area_manager = OrganizationId::new();
    let forwardee = MemberId::new();
    let request = RequestParties {
        buyer,
        manufacturer,
        parties: vec![manufacturer, distributor],
        // A member of the area manager's organization (not itself a party) forwarded to on
        // behalf of the manufacturer.
        grants: vec![(forwardee, manufacturer)],
    };
    let actors = vec![
        ("buyer", Principal::Buyer(buyer)),
        ("other buyer", Principal::Buyer(BuyerId::new())),
        (
            "manufacturer member",
            Principal::Member {
                member: MemberId::new(),
                organization: manufacturer,
            },
        ),
        (
            "routed distributor member",
            Principal::Member {
                member: MemberId::new(),
                organization: distributor,
            },
        ),
        (
            "area manager not routed",
            Principal::Member {
                member: MemberId::new(),
                organization: area_manager,
            },
        ),
        (
            "manufacturer's forwardee",
            Principal::Member {
                member: forwardee,
                organization: area_manager,
            },
        ),
        (
            "other manufacturer",
            Principal::Member {
                member: MemberId::new(),
                organization: OrganizationId::new(),
            },
        ),
        ("anonymous", Principal::Anonymous),
    ];
    (
        World {
            request,
            manufacturer,
            distributor,
        },
        actors,
    )
}

#[test]
fn access_matrix() {
    let (w, actors) = world();
    let (m, d) = (w.manufacturer, w.distributor);
    let actions: Vec<(&str, Action)> = vec![
        ("view request", Action::ViewRequest),
        ("read history", Action::ReadHistory),
        ("display phone", Action::DisplayPhone),
        ("read M thread", Action::ReadThread(m)),
        ("read D thread", Action::ReadThread(d)),
        ("post M thread", Action::PostMessage(m)),
        ("post D thread", Action::PostMessage(d)),
        ("mark M read", Action::MarkRead(m)),
        ("mark D read", Action::MarkRead(d)),
        ("open M document", Action::OpenDocument(m)),
        ("open D document", Action::OpenDocument(d)),
        ("handle for M", Action::Handle(m)),
        ("handle for D", Action::Handle(d)),
        ("route", Action::Route),
        ("answer D quote", Action::AnswerQuote(d)),
        (
            "see M message",
            Action::SeeEvent {
                audience: Audience::PartyAndBuyer,
                party: Some(m),
            },
        ),
        (
            "see D message",
            Action::SeeEvent {
                audience: Audience::PartyAndBuyer,
                party: Some(d),
            },
        ),
        (
            "see M internal",
            Action::SeeEvent {
                audience: Audience::Party,
                party: Some(m),
            },
        ),
        (
            "see D internal",
            Action::SeeEvent {
                audience: Audience::Party,
                party: Some(d),
            },
        ),
        (
            "see status",
            Action::SeeEvent {
                audience: Audience::Sellers,
                party: Some(d),
            },
        ),
        (
            "see public",
            Action::SeeEvent {
                audience: Audience::Everyone,
                party: None,
            },
        ),
    ];
    // One row per actor, one column per action above: 1 = allowed.
    #[rustfmt::skip]
    let expected: [(&str, [u8; 21]); 8] = [
        ("buyer",                     [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1]),
        ("other buyer",               [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("manufacturer member",       [1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]),
        ("routed distributor member", [1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1]),
        ("area manager not routed",   [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("manufacturer's forwardee",  [1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]),
        ("other manufacturer",        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("anonymous",                 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ];
    let mut mismatches = Vec::new();
    for ((name, principal), (row_name, row)) in actors.iter().zip(expected.iter()) {
        assert_eq!(name, row_name, "table rows follow the actors");
        for ((action_name, action), allowed) in actions.iter().zip(row.iter()) {
            let got = can(principal, *action, &w.request);
            if got != (*allowed == 1) {
                mismatches.push(format!(
                    "{name} / {action_name}: expected {allowed}, got {got}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "access matrix mismatches:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn a_grant_for_a_party_without_a_thread_gives_nothing() {
    let (w, _) = world();
    let stranger_party = OrganizationId::new();
    let member = MemberId::new();
    let mut request = w.request.clone();
    request.grants.push((member, stranger_party));
    let principal = Principal::Member {
        member,
        organization: OrganizationId::new(),
    };
    assert!(!can(&principal, Action::ViewRequest, &request));
    assert!(!can(
        &principal,
        Action::ReadThread(stranger_party),
        &request
    ));
}

#[test]
fn party_events_without_a_party_are_hidden() {
    let (w, actors) = world();
    for (_, principal) in actors {
        let action = Action::SeeEvent {
            audience: Audience::Party,
            party: None,
        };
        assert!(!can(&principal, action, &w.request));
    }
}
