//! Storage tests, each run on SQLite and on PostgreSQL: named constraints become domain
//! errors, the history is append-only, "once" events are deduplicated, migrations re-run.

use parley_domain::{
    Actor, AuthorKind, EmailAddress, EventId, EventKind, LanguageCode, Member, MemberId,
    Organization, OrganizationId, OrganizationKind, RequestId, Timestamp,
};
use parley_store::{Store, StoreError, directory, events, lists, requests};

use parley_test_support::{Db, both};

/// A migrated store on a fresh database of kind `db` (in `dir` for SQLite).
async fn open(db: Db, dir: &tempfile::TempDir) -> Store {
    let store = Store::connect(&db.fresh_url(dir.path()).await)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    store
}

async fn organization(store: &Store) -> OrganizationId {
    let org = Organization {
        id: OrganizationId::new(),
        kind: OrganizationKind::Manufacturer,
        name: "Hydrotech".into(),
        country: None,
    };
    let id = org.id;
    store
        .write(org, |tx, org| {
            Box::pin(directory::insert_organization(tx, org))
        })
        .await
        .expect("insert");
    id
}

fn member(org: OrganizationId, email: &str) -> Member {
    Member {
        id: MemberId::new(),
        organization_id: org,
        name: "Claire".into(),
        email: EmailAddress::parse(email).expect("email"),
        phone: None,
        language: LanguageCode::Fr,
    }
}

async fn unique_email_is_a_named_conflict(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    let org = organization(&store).await;
    let first = member(org, "claire@x.example");
    store
        .write(first, |tx, m| Box::pin(directory::insert_member(tx, m)))
        .await
        .expect("first");
    let second = member(org, "Claire@X.example");
    let result = store
        .write(second, |tx, m| Box::pin(directory::insert_member(tx, m)))
        .await;
    assert!(
        matches!(&result, Err(e) if e.is_conflict("members_email_key")),
        "{result:?}"
    );
}

async fn missing_rows_are_not_found(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    let mut conn = store.read().await.expect("conn");
    let missing = directory::member_by_id(&mut conn, MemberId::new()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn a_failed_unit_leaves_nothing(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    let org = organization(&store).await;
    let claire = member(org, "claire@x.example");
    let id = claire.id;
    let result: Result<(), StoreError> = store
        .write(claire, |tx, claire| {
            Box::pin(async move {
                directory::insert_member(tx, claire).await?;
                Err(StoreError::Conflict("made up".into()))
            })
        })
        .await;
    assert!(result.is_err());
    let mut conn = store.read().await.expect("conn");
    let missing = directory::member_by_id(&mut conn, id).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "rolled back");
}

async fn concurrent_writes_all_land(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    let org = organization(&store).await;
    let mut handles = Vec::new();
    for n in 0..64 {
        let store = store.clone();
        let person = member(org, &format!("p{n}@x.example"));
        handles.push(tokio::spawn(async move {
            store
                .write(person, |tx, p| Box::pin(directory::insert_member(tx, p)))
                .await
        }));
    }
    for handle in handles {
        handle.await.expect("join").expect("write");
    }
    let mut conn = store.read().await.expect("conn");
    assert_eq!(
        directory::members_of(&mut conn, org)
            .await
            .expect("members")
            .len(),
        64
    );
}

async fn a_failing_unit_spares_the_others(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    // Submitted together, these land in shared batches on SQLite: the failing unit must be
    // rolled back alone, the others committed.
    let org = organization(&store).await;
    let mut handles = Vec::new();
    for n in 0..48 {
        let store = store.clone();
        let person = member(org, &format!("p{n}@x.example"));
        handles.push(tokio::spawn(async move {
            store
                .write((n, person), |tx, (n, person)| {
                    Box::pin(async move {
                        directory::insert_member(tx, person).await?;
                        if n % 16 == 7 {
                            return Err(StoreError::Conflict("refused".into()));
                        }
                        Ok(())
                    })
                })
                .await
        }));
    }
    let mut failures = 0;
    for handle in handles {
        if handle.await.expect("join").is_err() {
            failures += 1;
        }
    }
    assert_eq!(failures, 3);
    let mut conn = store.read().await.expect("conn");
    let members = directory::members_of(&mut conn, org)
        .await
        .expect("members");
    assert_eq!(members.len(), 45);
    assert!(
        members.iter().all(
            |m| !["p7@x.example", "p23@x.example", "p39@x.example"].contains(&m.email.as_str())
        )
    );
}

/// Requests to `org` received at each of `times`, each with the manufacturer's thread, from
/// one buyer about one product on one marketplace (made here, once).
async fn requests_at(store: &Store, org: OrganizationId, times: &[Timestamp]) -> Vec<RequestId> {
    use parley_domain::{BuyerId, ProductId, RequestStatus, ThreadId};
    let times = times.to_vec();
    store
        .write(times, move |tx, times| {
            Box::pin(async move {
                let marketplace = parley_domain::Marketplace {
                    id: parley_domain::MarketplaceId::new(),
                    slug: "m".into(),
                    name: "M".into(),
                };
                directory::insert_marketplace(tx, &marketplace).await?;
                let buyer = directory::upsert_buyer(
                    tx,
                    &parley_domain::Buyer {
                        id: BuyerId::new(),
                        name: "B".into(),
                        company: None,
                        country: parley_domain::CountryCode::parse("FR").expect("c"),
                        language: LanguageCode::Fr,
                        email: EmailAddress::parse("b@x.example").expect("e"),
                        phone: None,
                    },
                )
                .await?;
                let product = directory::upsert_product(
                    tx,
                    &parley_domain::Product {
                        id: ProductId::new(),
                        manufacturer_id: org,
                        name: "P".into(),
                        reference: "R".into(),
                        line: None,
                    },
                )
                .await?;
                let mut ids = Vec::new();
                for &at in times {
                    let request = parley_domain::Request {
                        id: RequestId::new(),
                        marketplace_id: marketplace.id,
                        buyer_id: buyer.id,
                        product_id: product.id,
                        manufacturer_id: org,
                        external_ref: None,
                        message: "m".into(),
                        language: LanguageCode::Fr,
                        handler: None,
                        status: RequestStatus::New,
                        created_at: at,
                        answered_at: None,
                    };
                    requests::insert(tx, &request, &buyer, &product).await?;
                    let thread = parley_domain::Thread {
                        id: ThreadId::new(),
                        request_id: request.id,
                        party: org,
                        created_at: at,
                        contacted_at: None,
                        declined_at: None,
                        decline_reason: None,
                        outcome: None,
                    };
                    requests::insert_thread(tx, &thread).await?;
                    ids.push(request.id);
                }
                Ok::<_, StoreError>(ids)
            })
        })
        .await
        .expect("requests")
}

/// Requests received in the same millisecond: the list indexes end with the time (migration
/// 0028), and the keyset still pages through them by id, each once, none skipped.
async fn pages_split_requests_received_in_one_millisecond(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    let org = organization(&store).await;
    let times = [5, 7, 7, 7, 7, 7, 9].map(Timestamp);
    let created = requests_at(&store, org, &times).await;
    let mut expected: Vec<(i64, String)> = times
        .iter()
        .zip(&created)
        .map(|(at, id)| (at.0, id.to_string()))
        .collect();
    expected.sort();
    expected.reverse();
    let mut conn = store.read().await.expect("conn");
    for filter in [
        lists::Filter::default(),
        lists::Filter {
            status: Some(parley_domain::PartyStatus::New),
            country: Some(parley_domain::CountryCode::parse("FR").expect("c")),
            ..lists::Filter::default()
        },
    ] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = lists::list(&mut conn, lists::Owner::Party(org), &filter, cursor, 2)
                .await
                .expect("page");
            seen.extend(
                page.iter()
                    .map(|row| (row.cursor.at, row.request.id.to_string())),
            );
            match page.last() {
                Some(last) if page.len() == 2 => cursor = Some(last.cursor),
                _ => break,
            }
        }
        assert_eq!(seen, expected, "{filter:?}");
    }
}

async fn history_is_append_only_and_dedupes(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    let org = organization(&store).await;
    let request_id = requests_at(&store, org, &[Timestamp(1)]).await[0];
    let event = move |kind| parley_domain::Event {
        id: EventId::new(),
        request_id,
        party: Some(org),
        kind,
        audience: EventKind::PhoneDisplayed.audience(),
        actor: Actor {
            kind: AuthorKind::Member,
            id: None,
            name: "Claire".into(),
        },
        data: serde_json::json!({ "n": 1 }),
        created_at: Timestamp(2),
    };
    let appended = store
        .write((), move |tx, ()| {
            Box::pin(async move {
                Ok::<_, StoreError>([
                    events::append(tx, &event(EventKind::PhoneDisplayed), Some("phone:1")).await?,
                    events::append(tx, &event(EventKind::PhoneDisplayed), Some("phone:1")).await?,
                    events::append(tx, &event(EventKind::MessageRead), None).await?,
                    events::append(tx, &event(EventKind::MessageRead), None).await?,
                ])
            })
        })
        .await
        .expect("append");
    assert_eq!(
        appended,
        [true, false, true, true],
        "a dedupe key is stored once"
    );
    let mut conn = store.read().await.expect("conn");
    let stored = events::of_request(&mut conn, request_id)
        .await
        .expect("events");
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].data, serde_json::json!({ "n": 1 }));
    drop(conn);
    for statement in ["UPDATE events SET kind = 'x'", "DELETE FROM events"] {
        let result: Result<_, StoreError> = store
            .write((), move |tx, ()| {
                Box::pin(async move { Ok(sqlx::query(statement).execute(tx).await?) })
            })
            .await;
        assert!(
            result.is_err(),
            "{statement} must be refused: the history is append-only"
        );
    }
}

/// More mails than one INSERT takes (see `outbox::ENQUEUE_CHUNK`): all queued, each with its
/// own bodies.
async fn many_mails_queue_together(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    use parley_store::outbox::{self, Mail};
    let mails: Vec<Mail> = (0..70)
        .map(|i| Mail {
            id: format!("mail-{i:03}"),
            recipient: format!("r{i}@example.com"),
            subject: format!("Subject {i}"),
            text_body: format!("Text {i}"),
            html_body: (i % 2 == 0).then(|| format!("<p>Html {i}</p>")),
            kind: "test".to_owned(),
            created_at: i,
            ..Mail::default()
        })
        .collect();
    let ids: Vec<String> = mails.iter().map(|m| m.id.clone()).collect();
    store
        .write(mails, |tx, mails| Box::pin(outbox::enqueue_many(tx, mails)))
        .await
        .expect("queued");
    let mut conn = store.read().await.expect("read");
    let mut queued = outbox::get_many(&mut conn, &ids).await.expect("read back");
    queued.sort_by(|a, b| a.mail.id.cmp(&b.mail.id));
    assert_eq!(queued.len(), 70);
    for (i, q) in queued.iter().enumerate() {
        assert_eq!(q.mail.recipient, format!("r{i}@example.com"));
        assert_eq!(q.mail.text_body, format!("Text {i}"));
        assert_eq!(q.mail.html_body.is_some(), i % 2 == 0);
        assert!(q.mail.notice.is_none());
    }
}

async fn migrations_run_twice(db: Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(db, &dir).await;
    store.migrate().await.expect("second run is a no-op");
    store.ping().await.expect("ping");
}

both!(
    unique_email_is_a_named_conflict,
    a_failed_unit_leaves_nothing,
    concurrent_writes_all_land,
    a_failing_unit_spares_the_others,
    missing_rows_are_not_found,
    history_is_append_only_and_dedupes,
    pages_split_requests_received_in_one_millisecond,
    migrations_run_twice,
    many_mails_queue_together,
);
