//! Messages across upgrades: raw emails moved into their messages' rows, automatic copies
//! losing the access they never should have had.

use parley_store::Store;

use super::{migrations_before, old_schema, sqlite_migrations_before};

/// A raw email, as an earlier Parley kept it in `email_originals`.
const RAW_EMAIL: &[u8] =
    b"From: ana@buyer.example\r\nSubject: Re: Pump\r\n\r\nYes, \xc3\xa0 demain.\r\n";
const EMAILED: &str = "01900000-0000-7000-8000-0000000000a1";
const TYPED: &str = "01900000-0000-7000-8000-0000000000a2";

/// Gives the database at `url` the schema of `migrations` (an earlier Parley's), then an
/// emailed message with its raw email and a message typed on the web. `no_foreign_keys` lets
/// the messages go without their thread and request.
async fn old_messages_with_a_raw_email(
    url: &str,
    migrations: &std::path::Path,
    no_foreign_keys: &'static str,
) {
    let pool = old_schema(url, migrations, no_foreign_keys).await;
    for (id, channel) in [(EMAILED, "email"), (TYPED, "web")] {
        sqlx::query(
            "INSERT INTO messages (id, thread_id, request_id, author_kind, author_id, \
               sender_email, cc, body, language, channel, created_at) \
             VALUES ($1, '01900000-0000-7000-8000-0000000000b1', \
               '01900000-0000-7000-8000-0000000000c1', 'buyer', 'x', 'ana@buyer.example', \
               '[]', 'Hello', 'en', $2, 7)",
        )
        .bind(id)
        .bind(channel)
        .execute(&pool)
        .await
        .expect("old message");
    }
    sqlx::query("INSERT INTO email_originals (message_id, raw) VALUES ($1, $2)")
        .bind(EMAILED)
        .bind(RAW_EMAIL.to_vec())
        .execute(&pool)
        .await
        .expect("old original");
    pool.close().await;
}

/// Upgrades the database at `url` and reads both messages' raw emails back.
async fn raw_emails_after_upgrade(url: &str) {
    let store = Store::connect(url).await.expect("connect");
    store.migrate().await.expect("upgrade");
    let mut conn = store.read().await.expect("read");
    let emailed = parley_store::messages::original(&mut conn, EMAILED.parse().expect("id"))
        .await
        .expect("original");
    assert_eq!(
        emailed.as_deref(),
        Some(RAW_EMAIL),
        "the raw email is kept byte for byte"
    );
    let typed = parley_store::messages::original(&mut conn, TYPED.parse().expect("id"))
        .await
        .expect("original");
    assert_eq!(typed, None, "a message typed on the web has no raw email");
}

/// Migration 0013 moves each raw email into its message's row (and rebuilds the history keyed
/// by request): an email received before the upgrade is still shown whole afterwards.
#[tokio::test]
async fn sqlite_raw_emails_survive_the_move_into_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let old = sqlite_migrations_before("0013");
    old_messages_with_a_raw_email(&url, old.path(), "PRAGMA foreign_keys = OFF").await;
    raw_emails_after_upgrade(&url).await;
}

/// PostgreSQL's migration 0012 moves the raw emails the same way.
#[tokio::test]
async fn postgres_raw_emails_survive_the_move_into_messages() {
    if parley_test_support::postgres_url().is_none() {
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let url = parley_test_support::Db::Postgres
        .fresh_url(scratch.path())
        .await;
    let old = migrations_before("postgres", "0012");
    // Superuser only (the test server's `postgres`): foreign keys are triggers, off in replica.
    old_messages_with_a_raw_email(&url, old.path(), "SET session_replication_role = replica").await;
    raw_emails_after_upgrade(&url).await;
}

/// An automatic copy's grant and masked address as Parley wrote them before migration 0014,
/// beside a person copied by hand.
async fn old_automatic_copy(
    url: &str,
    migrations: &std::path::Path,
    no_foreign_keys: &'static str,
) {
    let pool = old_schema(url, migrations, no_foreign_keys).await;
    for statement in [
        "INSERT INTO members (id, organization_id, name, email, phone, language, created_at) \
         VALUES ('m-auto', 'org-maker', 'Claire', 'claire@hydrotech.example', NULL, 'fr', 1), \
                ('m-hand', 'org-ext', 'marc', 'marc@extern.example', NULL, 'fr', 1)",
        "INSERT INTO threads (id, request_id, organization_id, created_at) \
         VALUES ('t-dist', 'r-1', 'org-dist', 1)",
        "INSERT INTO grants (request_id, member_id, party_id, kind, granted_by, \
           request_created_at, created_at) \
         VALUES ('r-1', 'm-auto', 'org-dist', 'cc', NULL, 1, 1), \
                ('r-1', 'm-hand', 'org-dist', 'cc', 'm-lucia', 1, 2)",
        "INSERT INTO events (id, request_id, party_id, kind, audience, actor_kind, actor_id, \
           actor_name, data, dedupe_key, created_at) \
         VALUES ('e-1', 'r-1', 'org-dist', 'cc_added', 'sellers', 'system', NULL, 'Parley', \
           '{\"automatic\":true,\"email\":\"claire@hydrotech.example\",\"name\":\"Claire\"}', NULL, 1), \
                ('e-2', 'r-1', 'org-dist', 'cc_added', 'sellers', 'member', 'm-lucia', 'Lucía', \
           '{\"automatic\":false,\"email\":\"marc@extern.example\",\"name\":\"marc\"}', NULL, 2)",
        "INSERT INTO relay_addresses (token, thread_id, request_id, holder_kind, holder_id, email, \
           created_at) \
         VALUES ('autoautoautoautoautoauto', 't-dist', 'r-1', 'member', 'm-auto', \
           'claire@hydrotech.example', 1), \
                ('handhandhandhandhandhand', 't-dist', 'r-1', 'member', 'm-hand', \
           'marc@extern.example', 2)",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    pool.close().await;
}

/// After the upgrade, the automatic copy's grant and address are revoked; the person copied by
/// hand keeps both.
async fn automatic_copies_after_upgrade(url: &str) {
    use sqlx::Row;
    let store = Store::connect(url).await.expect("connect");
    store.migrate().await.expect("upgrade");
    let mut conn = store.read().await.expect("read");
    let grants: Vec<String> =
        sqlx::query("SELECT member_id FROM grants WHERE revoked_at IS NULL ORDER BY member_id")
            .fetch_all(&mut *conn)
            .await
            .expect("grants")
            .iter()
            .map(|row| row.try_get("member_id").expect("member"))
            .collect();
    assert_eq!(grants, ["m-hand"]);
    let addresses: Vec<String> =
        sqlx::query("SELECT token FROM relay_addresses WHERE revoked_at IS NULL ORDER BY token")
            .fetch_all(&mut *conn)
            .await
            .expect("addresses")
            .iter()
            .map(|row| row.try_get("token").expect("token"))
            .collect();
    assert_eq!(addresses, ["handhandhandhandhandhand"]);
}

#[tokio::test]
async fn sqlite_automatic_copies_lose_their_access() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let old = sqlite_migrations_before("0014");
    old_automatic_copy(&url, old.path(), "PRAGMA foreign_keys = OFF").await;
    automatic_copies_after_upgrade(&url).await;
}

#[tokio::test]
async fn postgres_automatic_copies_lose_their_access() {
    if parley_test_support::postgres_url().is_none() {
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let url = parley_test_support::Db::Postgres
        .fresh_url(scratch.path())
        .await;
    let old = migrations_before("postgres", "0014");
    old_automatic_copy(&url, old.path(), "SET session_replication_role = replica").await;
    automatic_copies_after_upgrade(&url).await;
}
