//! Upgrading a database written by an earlier Parley: the network migration rebuilds SQLite's
//! organizations table (to widen its kind constraint) and must keep every row and reference;
//! the outbox migration moves queued mails' bodies to a table of their own (messages and
//! ratings: their modules).

use parley_domain::{EmailAddress, Organization, OrganizationId, OrganizationKind};
use parley_store::{Store, directory};

mod messages;
mod ratings;

/// The SQLite migrations an earlier Parley had: those numbered before `first_new`, copied
/// into a folder of their own.
fn sqlite_migrations_before(first_new: &str) -> tempfile::TempDir {
    migrations_before("sqlite", first_new)
}

/// The migrations of `backend` numbered before `first_new`, in a folder of their own.
fn migrations_before(backend: &str, first_new: &str) -> tempfile::TempDir {
    let old = tempfile::tempdir().expect("tempdir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.as_str() < first_new {
            std::fs::copy(&path, old.path().join(&name)).expect("copy");
        }
    }
    old
}

#[tokio::test]
async fn sqlite_data_survives_the_network_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    // The schema as Parley applied it before the sales network (migrations 0001–0004).
    let old = sqlite_migrations_before("0005");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
    sqlx::migrate::Migrator::new(old.path())
        .await
        .expect("old migrations")
        .run(&pool)
        .await
        .expect("old schema");
    for statement in [
        "INSERT INTO organizations (id, kind, name, country, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000001', 'manufacturer', 'Hydrotech', 'FR', 1)",
        "INSERT INTO members (id, organization_id, name, email, phone, language, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000002', '01900000-0000-7000-8000-000000000001', \
         'Claire', 'claire@hydrotech.example', NULL, 'fr', 1)",
        "INSERT INTO outbox (id, recipient, subject, text_body, html_body, from_name, \
           from_address, kind, created_at, next_attempt_at) \
         VALUES ('mail-1', 'claire@hydrotech.example', 'New request', 'Plain words', \
           '<p>Rich words</p>', 'Parley', NULL, 'new_request', 5, 5)",
        // A request and two events of its history (migration 0011 rebuilds the events table).
        "INSERT INTO marketplaces (id, slug, name, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000003', 'm', 'M', 1)",
        "INSERT INTO buyers (id, name, company, country, language, email, phone, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000004', 'Ana', NULL, 'ES', 'es', \
           'ana@buyer.example', NULL, 1)",
        "INSERT INTO products (id, manufacturer_id, name, reference, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000005', '01900000-0000-7000-8000-000000000001', \
           'Pump', 'P-1', 1)",
        "INSERT INTO requests (id, marketplace_id, buyer_id, product_id, manufacturer_id, \
           external_ref, message, language, handler_member_id, status, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000006', '01900000-0000-7000-8000-000000000003', \
           '01900000-0000-7000-8000-000000000004', '01900000-0000-7000-8000-000000000005', \
           '01900000-0000-7000-8000-000000000001', NULL, 'Hello', 'es', NULL, 'new', 1)",
        "INSERT INTO events (id, request_id, party_id, kind, audience, actor_kind, actor_id, \
           actor_name, data, dedupe_key, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000007', '01900000-0000-7000-8000-000000000006', \
           NULL, 'request_created', 'everyone', 'buyer', NULL, 'Ana', '{}', NULL, 2)",
        "INSERT INTO events (id, request_id, party_id, kind, audience, actor_kind, actor_id, \
           actor_name, data, dedupe_key, created_at) \
         VALUES ('01900000-0000-7000-8000-000000000008', '01900000-0000-7000-8000-000000000006', \
           NULL, 'phone_displayed', 'sellers', 'member', NULL, 'Claire', '{}', 'seen:1', 3)",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .expect("old rows");
    }
    pool.close().await;

    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("upgrade");
    let mut conn = store.read().await.expect("read");
    let org_id: OrganizationId = "01900000-0000-7000-8000-000000000001".parse().expect("id");
    let org = directory::organization(&mut conn, org_id)
        .await
        .expect("kept");
    assert_eq!(org.name, "Hydrotech");
    let email = EmailAddress::parse("claire@hydrotech.example").expect("email");
    let member = directory::member_by_email(&mut conn, &email)
        .await
        .expect("query")
        .expect("member kept");
    assert_eq!(member.organization_id, org_id);
    let routing = parley_store::network::routing(&mut conn, org_id)
        .await
        .expect("routing");
    assert!(routing.enabled, "routing is on for existing manufacturers");
    let mails = parley_store::outbox::get_many(&mut conn, &["mail-1".to_owned()])
        .await
        .expect("outbox");
    assert_eq!(mails.len(), 1, "the queued mail is kept");
    assert_eq!(mails[0].mail.text_body, "Plain words");
    assert_eq!(
        mails[0].mail.html_body.as_deref(),
        Some("<p>Rich words</p>")
    );
    assert_eq!(mails[0].mail.subject, "New request");
    let request: parley_domain::RequestId =
        "01900000-0000-7000-8000-000000000006".parse().expect("id");
    let history = parley_store::events::of_request(&mut conn, request)
        .await
        .expect("history");
    let ids: Vec<String> = history.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        ids,
        [
            "01900000-0000-7000-8000-000000000008",
            "01900000-0000-7000-8000-000000000007"
        ],
        "the history is kept, newest first"
    );
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE dedupe_key = 'seen:1'")
        .fetch_one(&mut *conn)
        .await
        .expect("dedupe key kept");
    assert_eq!(taken, 1);
    drop(conn);
    // The widened constraint takes external contacts; the foreign keys still hold.
    let external = Organization {
        id: OrganizationId::new(),
        kind: OrganizationKind::External,
        name: "expert@consult.example".into(),
        country: None,
    };
    store
        .write(external, |tx, org| {
            Box::pin(directory::insert_organization(tx, org))
        })
        .await
        .expect("external organization");
    let orphan = parley_domain::Member {
        id: parley_domain::MemberId::new(),
        organization_id: OrganizationId::new(),
        name: "Nobody".into(),
        email: EmailAddress::parse("nobody@x.example").expect("email"),
        phone: None,
        language: parley_domain::LanguageCode::En,
    };
    let refused = store
        .write(orphan, |tx, member| {
            Box::pin(directory::insert_member(tx, member))
        })
        .await;
    assert!(
        refused.is_err(),
        "foreign keys are enforced after the rebuild"
    );
}

/// Migration 0010 moves "notifications pending" from a column of messages to a queue table:
/// a message waiting for its notices before the upgrade still gets them, one already notified
/// does not get them twice.
#[tokio::test]
async fn sqlite_pending_notifications_survive_the_queue_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let old = sqlite_migrations_before("0010");
    // The messages alone: their thread and request do not matter here.
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("options");
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.foreign_keys(false))
        .await
        .expect("connect");
    sqlx::migrate::Migrator::new(old.path())
        .await
        .expect("old migrations")
        .run(&pool)
        .await
        .expect("old schema");
    // A migration turns the checks back on.
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&pool)
        .await
        .expect("pragma");
    for (id, pending) in [
        ("01900000-0000-7000-8000-0000000000a1", Some(1_i64)),
        ("01900000-0000-7000-8000-0000000000a2", None),
    ] {
        sqlx::query(
            "INSERT INTO messages (id, thread_id, request_id, author_kind, author_id, \
               sender_email, cc, body, language, channel, created_at, notify_pending) \
             VALUES (?1, '01900000-0000-7000-8000-0000000000b1', \
               '01900000-0000-7000-8000-0000000000c1', 'buyer', 'x', 'ana@buyer.example', \
               '[]', 'Hello', 'en', 'web', 7, ?2)",
        )
        .bind(id)
        .bind(pending)
        .execute(&pool)
        .await
        .expect("old message");
    }
    pool.close().await;

    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("upgrade");
    let mut conn = store.read().await.expect("read");
    let pending = parley_store::messages::pending_notifications(&mut conn, 10)
        .await
        .expect("pending");
    let ids: Vec<String> = pending.iter().map(|(m, _)| m.id.to_string()).collect();
    assert_eq!(ids, ["01900000-0000-7000-8000-0000000000a1"]);
    let message = &pending[0].0;
    assert_eq!(message.sender.as_str(), "ana@buyer.example");
    // Notices quote their message by reference: the queue does not read the text.
    assert_eq!((message.body.as_str(), message.email.is_none()), ("", true));
}

/// A connection to the database at `url` with the schema of `migrations` (an earlier
/// Parley's), foreign keys off (`no_foreign_keys`) so that rows can go without their parents.
async fn old_schema(
    url: &str,
    migrations: &std::path::Path,
    no_foreign_keys: &'static str,
) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("connect");
    sqlx::migrate::Migrator::new(migrations)
        .await
        .expect("old migrations")
        .run(&pool)
        .await
        .expect("old schema");
    sqlx::query(no_foreign_keys)
        .execute(&pool)
        .await
        .expect("no foreign key checks");
    pool
}
