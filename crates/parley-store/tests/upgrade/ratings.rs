//! Threads marked for the ratings (migration 0029) on a database written before it.

use parley_store::Store;

use super::{migrations_before, old_schema, sqlite_migrations_before};

/// Migration 0029 marks the threads a manufacturer's ratings count: a request the
/// manufacturer kept (its own thread), and one routed to a distributor (the distributor's,
/// not the manufacturer's).
async fn rated_threads_after_upgrade(
    url: &str,
    migrations: &std::path::Path,
    no_keys: &'static str,
) {
    use sqlx::Row;
    let pool = old_schema(url, migrations, no_keys).await;
    for statement in [
        "INSERT INTO requests (id, marketplace_id, buyer_id, product_id, manufacturer_id, \
           message, language, status, created_at) \
         VALUES ('r-kept', 'mp', 'b', 'p', 'org-maker', 'hello', 'fr', 'new', 1), \
                ('r-routed', 'mp', 'b', 'p', 'org-maker', 'hola', 'es', 'new', 2)",
        "INSERT INTO threads (id, request_id, organization_id, created_at, request_created_at) \
         VALUES ('t-kept', 'r-kept', 'org-maker', 1, 1), \
                ('t-maker', 'r-routed', 'org-maker', 2, 2), \
                ('t-dist', 'r-routed', 'org-dist', 2, 2)",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    pool.close().await;
    let store = Store::connect(url).await.expect("connect");
    store.migrate().await.expect("upgrade");
    let mut conn = store.read().await.expect("read");
    let rated: Vec<(String, Option<String>)> =
        sqlx::query("SELECT id, rated_for FROM threads ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .expect("threads")
            .iter()
            .map(|row| (row.get("id"), row.get("rated_for")))
            .collect();
    let maker = Some("org-maker".to_owned());
    assert_eq!(
        rated,
        [
            ("t-dist".to_owned(), maker.clone()),
            ("t-kept".to_owned(), maker),
            ("t-maker".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn sqlite_threads_are_marked_for_the_ratings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let old = sqlite_migrations_before("0029");
    rated_threads_after_upgrade(&url, old.path(), "PRAGMA foreign_keys = OFF").await;
}

#[tokio::test]
async fn postgres_threads_are_marked_for_the_ratings() {
    if parley_test_support::postgres_url().is_none() {
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let url = parley_test_support::Db::Postgres
        .fresh_url(scratch.path())
        .await;
    let old = migrations_before("postgres", "0029");
    rated_threads_after_upgrade(&url, old.path(), "SET session_replication_role = replica").await;
}
