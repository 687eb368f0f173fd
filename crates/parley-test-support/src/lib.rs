//! What Parley's test suites share: the two databases every test runs on, a fresh database
//! per test, and `both!`, which runs one test body on each.

use std::path::Path;

pub mod dns;

/// Runs a test body on both databases: `both!(name)` expects `async fn name(db: Db)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::postgres_url().is_some() {
                    super::$name($crate::Db::Postgres).await;
                }
            }
        }
    )+};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server to test against. When `PARLEY_REQUIRE_POSTGRES` is set (as
/// `scripts/test` does when a server answers), its absence is a failure, not a skip.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("PARLEY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    assert!(
        url.is_some() || std::env::var_os("PARLEY_REQUIRE_POSTGRES").is_none(),
        "PARLEY_REQUIRE_POSTGRES is set but PARLEY_TEST_DATABASE_URL is not"
    );
    url
}

impl Db {
    /// The URL of a new, empty database of this kind: a SQLite file in `dir`, or a new
    /// PostgreSQL database on the test server.
    pub async fn fresh_url(self, dir: &Path) -> String {
        match self {
            Self::Sqlite => format!("sqlite://{}", dir.join("parley.db").display()),
            Self::Postgres => {
                let server = postgres_url().expect("PARLEY_TEST_DATABASE_URL");
                let name = format!("parley_test_{}", uuid::Uuid::now_v7().simple());
                parley_store::create_postgres_database(&server, &name)
                    .await
                    .expect("create a PostgreSQL database")
            }
        }
    }
}
