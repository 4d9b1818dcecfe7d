//! The `ninepanels` binary's start-up and shutdown, and readiness when the database goes away.

use crate::binary::{BINARY, start_binary};
use crate::support::{TestServer, error_message};
use ninepanels_persistence::testing::TestEngine;
use sea_orm::{ConnectionTrait, Database};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the binary with only the given variables and returns (exit success, stderr).
fn run_expecting_exit(vars: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BINARY)
        .current_dir(dir.path())
        .env_clear()
        .envs(vars.iter().copied())
        .env("BIND_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, mentions: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].contains(mentions), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_malformed_database_url_stops_start_up_with_one_line() {
    let (ok, stderr) = run_expecting_exit(&[("DATABASE_URL", "mysql://somewhere/db")]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "DATABASE_URL");
}

#[test]
fn an_unknown_environment_stops_start_up_with_one_line() {
    let (ok, stderr) = run_expecting_exit(&[("NINEPANELS_ENV", "PRODUCTION")]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "NINEPANELS_ENV");
}

#[test]
fn main_without_a_secret_refuses_to_start() {
    let (ok, stderr) = run_expecting_exit(&[("NINEPANELS_ENV", "MAIN")]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "JWT_SECRET");
}

#[test]
fn an_unreachable_database_stops_start_up_with_one_line() {
    let (ok, stderr) = run_expecting_exit(&[
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing"),
        ("DATABASE_TIMEOUT_SECS", "2"),
        ("LOG_LEVEL", "off"),
    ]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "cannot reach the database");
}

#[test]
fn a_bare_start_serves_on_sqlite_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let running = start_binary(dir.path(), &[]);
    assert!(dir.path().join("ninepanels.db").exists());
    let (ok, log) = running.stop();
    assert!(ok);
    assert!(log.contains("JWT_SECRET is not set"), "{log}");
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[tokio::test]
async fn json_and_debug_log_files_carry_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let running = start_binary(
        dir.path(),
        &[
            ("LOG_JSON_FILE", "logs/ninepanels.json"),
            ("LOG_DEBUG_FILE", "logs/debug.log"),
        ],
    );
    let response = reqwest::Client::new()
        .get(running.url("/nope"))
        .header("X-Request-ID", "log-file-check-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let (ok, _) = running.stop();
    assert!(ok);
    let json = std::fs::read_to_string(dir.path().join("logs/ninepanels.json")).unwrap();
    let line = json
        .lines()
        .find(|l| l.contains("log-file-check-1"))
        .expect("the request's line in the JSON log");
    let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(parsed["level"], "INFO");
    assert_eq!(
        parsed["request_id"], "log-file-check-1",
        "at the top level: {line}"
    );
    let finished = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["request_id"] == "log-file-check-1" && l["message"] == "request finished")
        .expect("the request's last line");
    assert!(finished["elapsed_ms"].is_f64(), "a number: {finished}");
    assert_eq!(finished["status"], 404);
    let debug = std::fs::read_to_string(dir.path().join("logs/debug.log")).unwrap();
    assert!(debug.contains("DEBUG"), "debug lines are kept");
    let request_line = debug
        .lines()
        .find(|l| l.contains("log-file-check-1"))
        .unwrap();
    assert!(
        request_line.contains("request_id.rs:"),
        "file and line: {request_line}"
    );
    assert!(
        request_line.contains("ninepanels_http::middleware::request_id"),
        "target: {request_line}"
    );
}

/// A crash between the commit of a sign-up and the delivery of its welcome mail: after the
/// restart the mail is sent, exactly once.
async fn a_mail_survives_a_crash_and_is_sent_once(engine: TestEngine) {
    let Some(db) = ninepanels_persistence::testing::TestDb::new(engine).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A file where the mail folder should be: every delivery fails until it is a folder.
    std::fs::write(dir.path().join("mail"), b"not a folder").unwrap();
    let vars = [
        ("DATABASE_URL", db.url.as_str()),
        ("JWT_SECRET", "a-secret-for-the-crash-test-of-32-bytes"),
        ("MAIL_DIR", "mail"),
    ];
    let first = start_binary(dir.path(), &vars);
    let response = reqwest::Client::new()
        .post(first.url("/v5/users"))
        .form(&[
            ("email", "crash@example.org"),
            ("name", "Crash"),
            ("password", "a fine password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let outbox = ninepanels_persistence::SqlOutbox::new(db.db.clone());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        use ninepanels_domain::ports::OutboxRepository;
        let rows = outbox.list(10).await.unwrap();
        if rows
            .iter()
            .any(|r| r.kind == "UserCreated" && r.last_error.is_some())
        {
            assert!(rows.iter().all(|r| r.delivered_at.is_none()));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no delivery was attempted: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first.kill();

    std::fs::remove_file(dir.path().join("mail")).unwrap();
    std::fs::create_dir(dir.path().join("mail")).unwrap();
    let second = start_binary(dir.path(), &vars);
    let welcome_count = || {
        std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap()
                    .contains("Subject: Welcome to Nine Panels")
            })
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while welcome_count() == 0 {
        assert!(
            Instant::now() < deadline,
            "the mail was never sent after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Once the outbox holds it as delivered, no relay (nor the drain at shutdown) sends it again.
    loop {
        use ninepanels_domain::ports::OutboxRepository;
        let rows = outbox.list(10).await.unwrap();
        if rows.iter().all(|r| r.delivered_at.is_some()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the mail was never marked delivered: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (ok, _) = second.stop();
    assert!(ok);
    assert_eq!(welcome_count(), 1, "sent exactly once");
}

/// Readiness turns 503 while the database is gone and recovers by itself when it is back.
#[tokio::test]
async fn readiness_follows_the_database_down_and_back_up() {
    let Some(server) = TestServer::start_with(TestEngine::Postgres, |c| {
        c.database.timeout_secs = 2;
    })
    .await
    else {
        return;
    };
    let (status, _) = server.get("/readyz").await;
    assert_eq!(status, 200);
    let admin_url = ninepanels_persistence::testing::admin_url();
    let name = server.db.url.rsplit('/').next().unwrap().to_owned();
    let admin = Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();

    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 503);
    error_message(&body, 503);

    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let db = Database::connect(&server.db.url).await.unwrap();
    ninepanels_persistence::migrate(&db).await.unwrap();
    db.close().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _) = server.get("/readyz").await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "readiness never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.stop().await;
}

ninepanels_persistence::test_with_each_engine!(a_mail_survives_a_crash_and_is_sent_once);

#[test]
fn help_and_version_print_and_exit_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, says) in [
        ("--version", env!("CARGO_PKG_VERSION")),
        ("--help", "Usage"),
    ] {
        let output = Command::new(BINARY)
            .current_dir(dir.path())
            .env_clear()
            .env("NINEPANELS_ENV", "MAIN")
            .arg(flag)
            .output()
            .unwrap();
        assert!(output.status.success(), "{flag}");
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(printed.contains(says), "{flag}: {printed}");
    }
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(made.is_empty(), "no database file was made: {made:?}");
}

/// On MAIN a database that holds data and is behind on migrations is left as it is, and the
/// operator is told the command; an empty database (a first install) is migrated.
#[tokio::test]
async fn main_refuses_to_migrate_a_database_that_holds_data() {
    let db = ninepanels_persistence::testing::TestDb::new(TestEngine::Sqlite)
        .await
        .unwrap();
    let count_applied = async || {
        let row = db
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                db.db.get_database_backend(),
                "SELECT COUNT(*) FROM seaql_migrations",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    db.db
        .execute_unprepared(
            "INSERT INTO users (email, name, hashed_password) VALUES ('a@example.org', 'A', 'x');
             DELETE FROM seaql_migrations WHERE version =
                 (SELECT MAX(version) FROM seaql_migrations);",
        )
        .await
        .unwrap();
    let applied = count_applied().await;
    let secret = ("JWT_SECRET", "4f0c9a1e7b2d58c36e9f1a0b7c4d2e8f5a6b3c9d");
    let (ok, stderr) = run_expecting_exit(&[
        ("NINEPANELS_ENV", "MAIN"),
        ("DATABASE_URL", &db.url),
        secret,
    ]);
    assert!(!ok);
    assert_one_clear_line(&stderr, "ninepanels-ops migrate up --backup-first");
    assert_eq!(count_applied().await, applied, "nothing was migrated");

    let empty = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        empty.path().join("first.db").display()
    );
    let running = start_binary(
        empty.path(),
        &[("NINEPANELS_ENV", "MAIN"), ("DATABASE_URL", &url), secret],
    );
    let (stopped, _) = running.stop();
    assert!(stopped, "a first install on MAIN is migrated and served");
}

/// The start-up line names the environment and the database on both engines (on PostgreSQL it
/// was swallowed: a notice's `enabled!` question upset the per-layer log filter).
#[tokio::test]
async fn the_start_up_line_names_the_environment_and_the_database() {
    for engine in [TestEngine::Sqlite, TestEngine::Postgres] {
        let Some(db) = ninepanels_persistence::testing::TestDb::new(engine).await else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let running = start_binary(dir.path(), &[("DATABASE_URL", &db.url)]);
        let (ok, log) = running.stop();
        assert!(ok, "{engine:?}");
        let line = log
            .lines()
            .find(|l| l.contains("database connected and migrated"))
            .unwrap_or_else(|| panic!("no start-up line on {engine:?}: {log}"));
        assert!(line.contains("env=FEATURE"), "{line}");
        let database = db.url.rsplit('/').next().unwrap();
        assert!(line.contains(database), "{line}");
    }
}
