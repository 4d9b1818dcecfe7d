//! Fresh, isolated test databases: a temporary SQLite file, or a uniquely named PostgreSQL
//! database on `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) that is
//! dropped afterwards. Without PostgreSQL its tests skip loudly, unless
//! `NINEPANELS_REQUIRE_POSTGRES=1` (as in CI), where they fail.

use crate::connect::{connect, migrate};
use ninepanels_domain::config::Config;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

/// The two engines every repository test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sqlite,
    Postgres,
}

/// A migrated, empty database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    pub engine: TestEngine,
    pub url: String,
    pub db: DatabaseConnection,
    postgres_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

/// The `postgres` database, which every installation has; tests create their own beside it.
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Appends `ran` or `skipped` and the test's name to the file `NINEPANELS_PG_TALLY` names
/// (scripts/test.sh sets it and reports the counts after the run, where no test runner can
/// swallow the line).
fn tally(outcome: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("NINEPANELS_PG_TALLY") else {
        return;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{outcome} {test}");
    }
}

/// The URL test databases are created through: `TEST_POSTGRES_URL`, or the default.
pub fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

fn postgres_required() -> bool {
    matches!(
        std::env::var("NINEPANELS_REQUIRE_POSTGRES").as_deref(),
        Ok("1") | Ok("true")
    )
}

/// The URL of `database` on the server behind `admin_url`.
fn with_database(admin_url: &str, database: &str) -> String {
    let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{database}")
    } else {
        format!("{server}/{database}?{query}")
    }
}

impl TestDb {
    /// Creates an empty database on `engine`, or `None` when PostgreSQL is absent and not required.
    pub async fn new(engine: TestEngine) -> Option<Self> {
        match engine {
            TestEngine::Sqlite => Some(Self::sqlite().await),
            TestEngine::Postgres => Self::postgres().await,
        }
    }

    /// Same as [`TestDb::new`], without running migrations.
    pub async fn new_unmigrated(engine: TestEngine) -> Option<Self> {
        match engine {
            TestEngine::Sqlite => Some(Self::sqlite_unmigrated().await),
            TestEngine::Postgres => Self::postgres_unmigrated().await,
        }
    }

    pub async fn sqlite() -> Self {
        let test_db = Self::sqlite_unmigrated().await;
        migrate(&test_db.db).await.expect("migrating test SQLite");
        test_db
    }

    async fn sqlite_unmigrated() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("ninepanels-test.db").display()
        );
        let db = connect(&Config::for_tests(&url).database)
            .await
            .expect("opening test SQLite");
        Self {
            engine: TestEngine::Sqlite,
            url,
            db,
            postgres_name: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Option<Self> {
        let test_db = Self::postgres_unmigrated().await?;
        migrate(&test_db.db)
            .await
            .expect("migrating test PostgreSQL");
        Some(test_db)
    }

    async fn postgres_unmigrated() -> Option<Self> {
        let admin_url = admin_url();
        let admin = match tokio::time::timeout(
            Duration::from_secs(5),
            Database::connect(&admin_url),
        )
        .await
        {
            Ok(Ok(admin)) => admin,
            outcome => {
                let why = match outcome {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".to_owned(),
                };
                if postgres_required() {
                    panic!(
                        "PostgreSQL is required (NINEPANELS_REQUIRE_POSTGRES) but {admin_url} is unreachable: {why}"
                    );
                }
                eprintln!(
                    "\n!!! SKIPPING a PostgreSQL test: {admin_url} is unreachable ({why}). \
                     Start PostgreSQL or set TEST_POSTGRES_URL; CI sets NINEPANELS_REQUIRE_POSTGRES=1 and fails instead.\n"
                );
                tally("skipped");
                return None;
            }
        };
        tally("ran");
        let name = format!("np_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("creating a test database");
        admin.close().await.ok();
        let url = with_database(&admin_url, &name);
        let db = connect(&Config::for_tests(&url).database)
            .await
            .expect("connecting to the test database");
        Some(Self {
            engine: TestEngine::Postgres,
            url,
            db,
            postgres_name: Some(name),
            _dir: None,
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime; do the async clean-up on a thread of its own.
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the test database");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(admin_url()).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        });
        let _ = dropper.join();
    }
}

/// Runs each listed async test body, `async fn(&TestDb)`, once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! test_on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::testing::TestDb::new($crate::testing::TestEngine::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$name(&db).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(db) =
                        $crate::testing::TestDb::new($crate::testing::TestEngine::Postgres).await
                    {
                        super::$name(&db).await;
                    }
                }
            )*
        }
    };
}

/// Runs each listed async test, `async fn(TestEngine)` (for tests that make their own databases
/// or servers), once with SQLite and once with PostgreSQL. Each body skips PostgreSQL itself
/// when it is absent, as [`TestDb::new`] does.
#[macro_export]
macro_rules! test_with_each_engine {
    ($($name:ident),* $(,)?) => {
        mod with_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::testing::TestEngine::Sqlite).await;
                }
            )*
        }
        mod with_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::testing::TestEngine::Postgres).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_replaces_the_admin_one() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "np_x"),
            "postgres://postgres@127.0.0.1:5432/np_x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "np_x"),
            "postgres://u@h/np_x?sslmode=disable"
        );
    }
}
