//! The `ninepanels` binary's start-up and shutdown, and readiness when the database goes away.

use crate::support::{TestServer, error_message};
use ninepanels_persistence::testing::TestEngine;
use sea_orm::{ConnectionTrait, Database};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_ninepanels");

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
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let child = Command::new(BINARY)
        .current_dir(dir.path())
        .env_clear()
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut reply = String::new();
            stream.read_to_string(&mut reply).unwrap();
            break reply;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(dir.path().join("ninepanels.db").exists());
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(log.contains("JWT_SECRET is not set"), "{log}");
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

/// Readiness turns 503 while the database is gone and recovers by itself when it is back.
#[tokio::test]
async fn readiness_follows_the_database_down_and_back_up() {
    let Some(server) = TestServer::start_with(TestEngine::Postgres, |c| {
        c.database_timeout_secs = 2;
    })
    .await
    else {
        return;
    };
    let (status, _) = server.get("/readyz").await;
    assert_eq!(status, 200);
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
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
