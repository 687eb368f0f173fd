//! Storage tests, each run on SQLite and on PostgreSQL: named constraints become domain
//! errors, the history is append-only, "once" events are deduplicated, migrations re-run.

use parley_domain::{
    Actor, AuthorKind, EmailAddress, EventId, EventKind, LanguageCode, Member, MemberId,
    Organization, OrganizationId, OrganizationKind, RequestId, Timestamp,
};
use parley_store::{Store, StoreError, directory, events};

macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("t.db").display());
                super::$name(super::open(&url).await).await;
            }
            #[tokio::test]
            async fn postgres() {
                let Some(server) = super::postgres_url() else { return };
                let name = format!("parley_test_{}", uuid::Uuid::now_v7().simple());
                let url = parley_store::create_postgres_database(&server, &name).await.expect("db");
                super::$name(super::open(&url).await).await;
            }
        }
    )+};
}

fn postgres_url() -> Option<String> {
    let url = std::env::var("PARLEY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    assert!(
        url.is_some() || std::env::var_os("PARLEY_REQUIRE_POSTGRES").is_none(),
        "PARLEY_REQUIRE_POSTGRES is set but PARLEY_TEST_DATABASE_URL is not"
    );
    url
}

async fn open(url: &str) -> Store {
    let store = Store::connect(url).await.expect("connect");
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
    let mut tx = store.begin().await.expect("begin");
    directory::insert_organization(&mut tx, &org)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    org.id
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

async fn unique_email_is_a_named_conflict(store: Store) {
    let org = organization(&store).await;
    let mut tx = store.begin().await.expect("begin");
    directory::insert_member(&mut tx, &member(org, "claire@x.example"))
        .await
        .expect("first");
    let second = directory::insert_member(&mut tx, &member(org, "Claire@X.example")).await;
    assert!(
        matches!(&second, Err(e) if e.is_conflict("members_email_key")),
        "{second:?}"
    );
}

async fn missing_rows_are_not_found(store: Store) {
    let mut conn = store.read().await.expect("conn");
    let missing = directory::member_by_id(&mut conn, MemberId::new()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn history_is_append_only_and_dedupes(store: Store) {
    use parley_domain::{BuyerId, ProductId, RequestStatus};
    let org = organization(&store).await;
    // A request to hang events on.
    let marketplace = parley_domain::Marketplace {
        id: parley_domain::MarketplaceId::new(),
        slug: "m".into(),
        name: "M".into(),
    };
    let buyer = parley_domain::Buyer {
        id: BuyerId::new(),
        name: "B".into(),
        company: None,
        country: parley_domain::CountryCode::parse("FR").expect("c"),
        language: LanguageCode::Fr,
        email: EmailAddress::parse("b@x.example").expect("e"),
        phone: None,
    };
    let mut tx = store.begin().await.expect("begin");
    directory::insert_marketplace(&mut tx, &marketplace)
        .await
        .expect("mp");
    let buyer = directory::upsert_buyer(&mut tx, &buyer)
        .await
        .expect("buyer");
    let product = directory::upsert_product(
        &mut tx,
        &parley_domain::Product {
            id: ProductId::new(),
            manufacturer_id: org,
            name: "P".into(),
            reference: "R".into(),
        },
    )
    .await
    .expect("product");
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
        created_at: Timestamp(1),
        answered_at: None,
    };
    parley_store::requests::insert(&mut tx, &request)
        .await
        .expect("request");
    let event = |kind| parley_domain::Event {
        id: EventId::new(),
        request_id: request.id,
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
    assert!(
        events::append(&mut tx, &event(EventKind::PhoneDisplayed), Some("phone:1"))
            .await
            .expect("first")
    );
    assert!(
        !events::append(&mut tx, &event(EventKind::PhoneDisplayed), Some("phone:1"))
            .await
            .expect("again")
    );
    assert!(
        events::append(&mut tx, &event(EventKind::MessageRead), None)
            .await
            .expect("no key")
    );
    assert!(
        events::append(&mut tx, &event(EventKind::MessageRead), None)
            .await
            .expect("no key")
    );
    tx.commit().await.expect("commit");
    let mut conn = store.read().await.expect("conn");
    let stored = events::of_request(&mut conn, request.id)
        .await
        .expect("events");
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].data, serde_json::json!({ "n": 1 }));
    drop(conn);
    let mut tx = store.begin().await.expect("begin");
    let update = sqlx::query("UPDATE events SET kind = 'x'")
        .execute(&mut *tx)
        .await;
    assert!(update.is_err(), "events cannot be updated");
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let delete = sqlx::query("DELETE FROM events").execute(&mut *tx).await;
    assert!(delete.is_err(), "events cannot be deleted");
}

async fn migrations_run_twice(store: Store) {
    store.migrate().await.expect("second run is a no-op");
    store.ping().await.expect("ping");
}

both!(
    unique_email_is_a_named_conflict,
    missing_rows_are_not_found,
    history_is_append_only_and_dedupes,
    migrations_run_twice,
);
