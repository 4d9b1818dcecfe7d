//! `ninepanels-ops` against real databases: round trips, moving engines, atomic replace,
//! guard-rails, `mc.sh`, and adopting a database of the old server.

use ninepanels_domain::config::Config;
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::transfer::{self, Record};
use std::path::Path;
use std::process::Command;

mod common;

use common::{SECRET, ok, on_main, ops_in};

/// Every exported row, read on a fresh connection.
async fn read_rows(url: &str) -> ninepanels_domain::Result<Vec<Record>> {
    let db = ninepanels_persistence::connect(&Config::for_tests(url).database)
        .await
        .unwrap();
    let rows = transfer::read_all(&db).await;
    db.close().await.unwrap();
    rows
}

async fn snapshot(url: &str) -> Vec<Record> {
    read_rows(url).await.unwrap()
}

fn only_file(dir: &Path, ext: &str) -> String {
    let found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(ext))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

async fn backup_clear_restore_round_trips(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &db.url,
        &["seed", "--users", "2", "--days", "40"],
    );
    let before = snapshot(&db.url).await;
    assert!(before.len() > 40);
    let now = chrono::Utc::now().naive_utc();
    for record in &before {
        if let Record::Entries(entry) = record {
            assert!(
                entry.timestamp.is_some_and(|t| t <= now),
                "seeded in the future: {entry:?}"
            );
        }
    }
    ok(dir.path(), &db.url, &["jobs", "run", "prune_timings"]);
    fill_background_tables(&db.url).await;
    let every_row = every_table(&db.url).await;
    for table in ["event_outbox", "job_runs", "timings", "sign_in_attempts"] {
        assert!(
            !every_row[table].is_empty(),
            "{table} holds rows to restore"
        );
    }
    let full_ext = if engine == TestEngine::Postgres {
        ".dump"
    } else {
        ".sqlite"
    };
    let data_ext = if engine == TestEngine::Postgres {
        ".sql"
    } else {
        ".jsonl"
    };
    for ext in [full_ext, data_ext] {
        let flag = if ext == full_ext {
            "--full"
        } else {
            "--data-only"
        };
        let backups = tempfile::tempdir().unwrap();
        let backups_dir = backups.path().display().to_string();
        ok(
            dir.path(),
            &db.url,
            &["--backups-dir", &backups_dir, "backup", flag],
        );
        let file = only_file(backups.path(), ext);
        assert!(file.contains("_FEATURE."), "{file}");
        assert_private(&file);
        ok(dir.path(), &db.url, &["clear", "--yes"]);
        assert!(snapshot_fails(&db.url).await, "clear dropped the tables");
        // Straight after clear: a full backup brings its schema, a data-only one gets it made.
        ok(dir.path(), &db.url, &["restore", &file, "--yes"]);
        assert_eq!(snapshot(&db.url).await, before, "restored from {ext}");
        if ext == full_ext {
            assert_eq!(
                every_table(&db.url).await,
                every_row,
                "a full backup gives back every table"
            );
        }
        let log = ok(dir.path(), &db.url, &["log", "--limit", "3"]);
        let commands: Vec<&str> = log
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().nth(4))
            .collect();
        assert_eq!(
            commands,
            ["restore", "clear", "backup"],
            "the audit trail made after the backup is kept ({ext}): {log}"
        );
    }
    let log = ok(dir.path(), &db.url, &["log"]);
    for command in ["seed", "backup", "clear", "restore"] {
        assert!(log.contains(command) && log.contains("tester"), "{log}");
    }
}

/// Rows in the tables no export carries: pending mail, a route's timings and statistics, a
/// counted sign-in failure.
async fn fill_background_tables(url: &str) {
    let db = sea_orm::Database::connect(url).await.unwrap();
    for sql in [
        "INSERT INTO event_outbox (event_id, kind, payload, created_at, available_at, attempts) \
         VALUES ('e-1', 'UserCreated', '{}', '2026-11-01 10:00:00', '2026-11-01 10:00:00', 2)",
        "INSERT INTO timings (created_at, request_id, path, method, diff_ms, method_path) \
         VALUES ('2026-11-01 10:00:00', 'r-1', '/v5/panels', 'GET', 1.5, 'GET_/v5/panels')",
        "INSERT INTO timing_stats (avg, min, max, last, method, path, method_path, in_alert) \
         VALUES (1.5, 1.5, 1.5, 1.5, 'GET', '/v5/panels', 'GET_/v5/panels', false)",
        "INSERT INTO sign_in_attempts (attempt_key, window_start, attempts) \
         VALUES ('email:a@example.org', '2026-11-01 10:00:00', 3)",
    ] {
        sea_orm::ConnectionTrait::execute_unprepared(&db, sql)
            .await
            .unwrap();
    }
    db.close().await.unwrap();
}

/// Every row of every table but the ops log, each column as text, in order.
async fn every_table(url: &str) -> std::collections::BTreeMap<String, Vec<Vec<Option<String>>>> {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(url).await.unwrap();
    let schema = ninepanels_persistence::admin::schema(&db).await.unwrap();
    let mut tables = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (table, column, _) in schema {
        tables.entry(table).or_default().push(column);
    }
    let mut out = std::collections::BTreeMap::new();
    for (table, columns) in tables.into_iter().filter(|(t, _)| t != "ops_log") {
        let select: Vec<String> = columns
            .iter()
            .map(|c| format!("CAST(\"{c}\" AS TEXT)"))
            .collect();
        let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        let sql = format!(
            "SELECT {} FROM \"{table}\" ORDER BY {}",
            select.join(", "),
            order.join(", ")
        );
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap();
        let rows = rows
            .iter()
            .map(|r| {
                (0..columns.len())
                    .map(|i| r.try_get_by_index::<Option<String>>(i).unwrap())
                    .collect()
            })
            .collect();
        out.insert(table, rows);
    }
    db.close().await.unwrap();
    out
}

/// Backups and exports hold password hashes: only their owner may read them (0600).
fn assert_private(path: &str) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{path} has mode {mode:o}");
}

async fn snapshot_fails(url: &str) -> bool {
    read_rows(url).await.is_err()
}

#[tokio::test]
async fn an_installation_moves_from_sqlite_to_postgres() {
    let Some(target) = TestDb::new(TestEngine::Postgres).await else {
        return;
    };
    let source = TestDb::new(TestEngine::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &source.url,
        &["seed", "--users", "3", "--days", "30"],
    );
    ok(dir.path(), &source.url, &["export", "all.jsonl"]);
    assert_private(&dir.path().join("all.jsonl").display().to_string());
    let out = ok(
        dir.path(),
        &target.url,
        &["import", "all.jsonl", "--mode", "append"],
    );
    assert!(
        out.contains("imported from all.jsonl: users 3, panels 27"),
        "{out}"
    );
    assert_eq!(snapshot(&target.url).await, snapshot(&source.url).await);
    // Ids carry on after the imported ones.
    ok(
        dir.path(),
        &target.url,
        &[
            "user",
            "create-admin",
            "--email",
            "root@example.org",
            "--name",
            "Root",
            "--password",
            "a long admin password",
        ],
    );
    let again = ops_in(
        dir.path(),
        &[("DATABASE_URL", &target.url)],
        &["import", "all.jsonl", "--mode", "append"],
    );
    assert!(
        !again.0
            && again
                .1
                .contains("users id 1 appears twice or is already stored"),
        "{}",
        again.1
    );
    // A SQLite full backup restores into PostgreSQL too (through an export, a row at a time).
    let backups = dir.path().join("b");
    let backups_dir = backups.display().to_string();
    ok(
        dir.path(),
        &source.url,
        &["--backups-dir", &backups_dir, "backup", "--full"],
    );
    let file = only_file(&backups, ".sqlite");
    ok(dir.path(), &target.url, &["clear", "--yes"]);
    let out = ok(dir.path(), &target.url, &["restore", &file, "--yes"]);
    assert!(out.contains("restored: users 3, panels 27"), "{out}");
    assert_eq!(snapshot(&target.url).await, snapshot(&source.url).await);
}

async fn a_failing_replace_changes_nothing(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &db.url,
        &["seed", "--users", "1", "--days", "10"],
    );
    let before = snapshot(&db.url).await;
    // Valid by every check made before writing, but the second reset token repeats the first's
    // hash, which the database refuses only once users, panels and entries are written.
    let token = |id: i32| {
        format!(
            r#"{{"table":"password_reset_tokens","row":{{"id":{id},"password_reset_token":"same-hash","issued_at":"2026-01-01T00:00:00","expiry":"2026-01-01T00:15:00","is_valid":true,"invalidated_at":null,"user_id":1}}}}"#
        )
    };
    let body = [
        transfer::HEADER.to_owned(),
        r#"{"table":"users","row":{"id":1,"email":"new@example.org","name":"New","hashed_password":"x","is_admin":false,"last_login":null,"last_activity":null,"time_zone":"UTC","tokens_valid_after":null}}"#.to_owned(),
        r#"{"table":"panels","row":{"id":1,"created_at":"2026-01-01T00:00:00","title":"t","description":null,"position":0,"user_id":1}}"#.to_owned(),
        token(1),
        token(2),
    ]
    .join("\n");
    std::fs::write(dir.path().join("bad.jsonl"), body).unwrap();
    let (success, out) = ops_in(
        dir.path(),
        &[("DATABASE_URL", &db.url)],
        &[
            "import",
            "bad.jsonl",
            "--mode",
            "replace",
            "--yes",
            "--no-trailer",
        ],
    );
    assert!(!success && out.contains("reset"), "{out}");
    assert_eq!(snapshot(&db.url).await, before, "the old data is intact");

    std::fs::write(
        dir.path().join("junk.jsonl"),
        format!("{}\n{{\"table\":\"users\"}}\n", transfer::HEADER),
    )
    .unwrap();
    let (success, out) = ops_in(
        dir.path(),
        &[("DATABASE_URL", &db.url)],
        &[
            "import",
            "junk.jsonl",
            "--mode",
            "replace",
            "--yes",
            "--no-trailer",
        ],
    );
    assert!(!success && out.contains("line 2:"), "{out}");
    assert_eq!(snapshot(&db.url).await, before);
}

/// Runs `args` expecting a refusal that mentions `says`, and checks nothing changed.
async fn refused(dir: &Path, url: &str, args: &[&str], says: &str, before: &[Record]) {
    let (success, out) = ops_in(dir, &[("DATABASE_URL", url)], args);
    assert!(!success && out.contains(says), "{args:?}: {out}");
    assert_eq!(snapshot(url).await, before, "{args:?} changed the data");
}

/// A cut, emptied, edited or nonsensical export is refused before anything is written.
async fn damaged_exports_are_refused_before_anything_is_written(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.as_str();
    ok(dir.path(), url, &["seed", "--users", "2", "--days", "20"]);
    ok(dir.path(), url, &["export", "whole.jsonl"]);
    let before = snapshot(url).await;
    let whole = std::fs::read_to_string(dir.path().join("whole.jsonl")).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    let write = |name: &str, lines: &[&str]| {
        std::fs::write(dir.path().join(name), lines.join("\n") + "\n").unwrap();
    };
    write("cut.jsonl", &lines[..lines.len() / 2]);
    write("header-only.jsonl", &lines[..1]);
    let mut edited = lines.clone();
    let changed = edited[3].replacen("\"id\":", "\"id\": ", 1);
    edited[3] = &changed;
    write("edited.jsonl", &edited);
    let mut dropped = lines.clone();
    dropped.remove(5);
    write("dropped.jsonl", &dropped);
    let bad_email = lines[1].replacen("@example.org", "", 1);
    write(
        "bad-email.jsonl",
        &[lines[0], bad_email.as_str(), lines[lines.len() - 1]],
    );
    let replace = |file: &'static str| ["import", file, "--mode", "replace", "--yes"];
    let cases = [
        (replace("cut.jsonl"), "no end line"),
        (replace("header-only.jsonl"), "no end line"),
        (replace("edited.jsonl"), "checksum does not match"),
        (replace("dropped.jsonl"), "it is incomplete"),
        (
            replace("bad-email.jsonl"),
            "line 2: email: not a valid email address",
        ),
    ];
    for (args, says) in &cases {
        refused(dir.path(), url, args, says, &before).await;
    }
    refused(
        dir.path(),
        url,
        &["restore", "cut.jsonl", "--yes"],
        "no end line",
        &before,
    )
    .await;
    // An older export without an end line is read only when the operator says so; one that
    // holds no user still needs --allow-empty.
    let old_style = &lines[..lines.len() - 1];
    write("old.jsonl", old_style);
    let old_replace =
        |file: &'static str| vec!["import", file, "--mode", "replace", "--yes", "--no-trailer"];
    ok(dir.path(), url, &old_replace("old.jsonl"));
    assert_eq!(snapshot(url).await, before);
    let header_only = old_replace("header-only.jsonl");
    refused(dir.path(), url, &header_only, "--allow-empty", &before).await;
    ok(
        dir.path(),
        url,
        &[header_only, vec!["--allow-empty"]].concat(),
    );
    assert!(snapshot(url).await.is_empty(), "emptied when asked to");
    if engine == TestEngine::Postgres {
        ok(
            dir.path(),
            url,
            &["import", "whole.jsonl", "--mode", "append"],
        );
        let backups = dir.path().join("b");
        let backups_dir = backups.display().to_string();
        ok(
            dir.path(),
            url,
            &["--backups-dir", &backups_dir, "backup", "--data-only"],
        );
        let dump = only_file(&backups, ".sql");
        let text = std::fs::read_to_string(&dump).unwrap();
        let cut: Vec<&str> = text.lines().take(text.lines().count() / 2).collect();
        std::fs::write(dir.path().join("cut.sql"), cut.join("\n") + "\n").unwrap();
        refused(
            dir.path(),
            url,
            &["restore", "cut.sql", "--yes"],
            "dump complete",
            &before,
        )
        .await;
    }
}

#[tokio::test]
async fn main_is_guarded() {
    let db = TestDb::new_unmigrated(TestEngine::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let main = on_main(&db.url, &[]);
    let (success, out) = ops_in(dir.path(), &main, &["migrate", "up"]);
    assert!(
        !success && out.contains("refused: migrating MAIN needs a backup younger than one hour"),
        "{out}"
    );
    let (success, out) = ops_in(dir.path(), &main, &["migrate", "up", "--backup-first"]);
    assert!(success, "{out}");
    assert!(
        out.starts_with("environment: MAIN  database: sqlite://"),
        "{out}"
    );
    only_file(&dir.path().join("backups"), "_MAIN.sqlite");
    for args in [
        &["seed"][..],
        &["clear", "--yes"][..],
        &["import", "x.jsonl", "--mode", "replace", "--yes"][..],
    ] {
        let (success, out) = ops_in(dir.path(), &main, args);
        assert!(
            !success && out.contains("is not allowed on MAIN"),
            "{args:?}: {out}"
        );
    }
    // A restore on MAIN first backs up what it replaces, and says where.
    let (success, out) = ops_in(dir.path(), &main, &["export", "main.jsonl"]);
    assert!(success, "{out}");
    let restore = ["restore", "main.jsonl", "--yes", "--allow-empty"];
    let (success, out) = ops_in(dir.path(), &main, &restore);
    assert!(success, "{out}");
    let safety = out
        .lines()
        .find_map(|l| l.strip_prefix("safety backup of the data this restore replaces: "))
        .unwrap_or_else(|| panic!("no safety backup named: {out}"));
    assert!(dir.path().join(safety.trim()).is_file(), "{out}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn mc_sh_keeps_each_environment_to_its_branch() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../mc.sh"),
        dir.join("mc.sh"),
    )
    .unwrap();
    let db = dir.join("mc.db");
    for env in ["feature", "staging", "main", "test"] {
        std::fs::write(
            dir.join(format!(".env.{env}")),
            format!(
                "DATABASE_URL=sqlite://{}?mode=rwc\nJWT_SECRET={SECRET}\n",
                db.display()
            ),
        )
        .unwrap();
    }
    git(dir, &["init", "-q", "-b", "my-feature"]);
    git(dir, &["add", "mc.sh"]);
    git(dir, &["commit", "-q", "-m", "mc"]);
    let mc = |args: &[&str]| {
        let out = Command::new("bash")
            .current_dir(dir)
            .arg("mc.sh")
            .args(args)
            .env("NINEPANELS_OPS", env!("CARGO_BIN_EXE_ninepanels-ops"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (success, out) = mc(&["MAIN", "migrate", "status"]);
    assert!(
        !success && out.contains("MAIN is only selectable on branch main"),
        "{out}"
    );
    let (success, out) = mc(&["STAGING", "migrate", "status"]);
    assert!(
        !success && out.contains("STAGING is only selectable on branch staging"),
        "{out}"
    );
    let (success, out) = mc(&["FEATURE", "migrate", "status"]);
    assert!(success && out.contains("environment: FEATURE"), "{out}");
    let (success, out) = mc(&["test", "migrate", "up"]);
    assert!(success && out.contains("environment: TEST"), "{out}");
    git(dir, &["checkout", "-q", "-b", "main"]);
    let (success, out) = mc(&["MAIN", "migrate", "status"]);
    assert!(success && out.contains("environment: MAIN"), "{out}");
    let (success, out) = mc(&["FEATURE", "data"]);
    assert!(
        !success && out.contains("FEATURE is for feature branches"),
        "{out}"
    );
    let (success, out) = mc(&["MAIN", "clear", "--yes"]);
    assert!(
        !success && out.contains("clear is not allowed on MAIN"),
        "{out}"
    );
    git(dir, &["checkout", "-q", "-b", "staging"]);
    let (success, out) = mc(&["STAGING", "data"]);
    assert!(success && out.contains("environment: STAGING"), "{out}");
}

/// The old Python server's PostgreSQL schema, as its alembic migrations left it.
const OLD_SCHEMA: &str = r#"
CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('08ab49254135');
CREATE TABLE users (id SERIAL PRIMARY KEY, email VARCHAR UNIQUE, name VARCHAR, hashed_password VARCHAR,
  is_admin BOOLEAN, last_login TIMESTAMP, last_activity TIMESTAMP);
CREATE TABLE panels (id SERIAL PRIMARY KEY, created_at TIMESTAMP, title VARCHAR, description VARCHAR,
  position INTEGER, user_id INTEGER REFERENCES users(id));
CREATE TABLE entries (id SERIAL PRIMARY KEY, is_complete BOOLEAN, timestamp TIMESTAMP, panel_id INTEGER REFERENCES panels(id));
CREATE TABLE password_reset_tokens (id SERIAL PRIMARY KEY, password_reset_token VARCHAR UNIQUE NOT NULL,
  issued_at TIMESTAMP NOT NULL, expiry TIMESTAMP NOT NULL, is_valid BOOLEAN, invalidated_at TIMESTAMP, user_id INTEGER REFERENCES users(id));
CREATE TABLE blacklisted_access_tokens (id SERIAL PRIMARY KEY, access_token VARCHAR UNIQUE, blacklisted_at TIMESTAMP);
CREATE INDEX access_token_index ON blacklisted_access_tokens (access_token);
CREATE TABLE timings (id SERIAL PRIMARY KEY, created_at TIMESTAMP, request_id VARCHAR, path VARCHAR, method VARCHAR,
  start_ts TIMESTAMP, stop_ts TIMESTAMP, diff_ms FLOAT, method_path VARCHAR, event_id VARCHAR);
CREATE TABLE timing_stats (id SERIAL PRIMARY KEY, avg FLOAT, min FLOAT, max FLOAT, last FLOAT, method VARCHAR, path VARCHAR,
  method_path VARCHAR, alert_threshold_ms INTEGER, in_alert BOOLEAN, alert_id VARCHAR);
INSERT INTO users (email, name, hashed_password, is_admin, last_login) VALUES
  ('Old.Timer@Example.org', 'Old Timer', '$2b$12$KWBWKNdptsKYV86/Vik3nu/vG2EgoszXYHGHutSGoHGDak4X0F2OS', true, '2024-02-01 08:00:00'),
  ('second@example.org', 'Second', '$2b$12$KWBWKNdptsKYV86/Vik3nu/vG2EgoszXYHGHutSGoHGDak4X0F2OS', false, NULL);
INSERT INTO panels (created_at, title, description, position, user_id) VALUES
  ('2024-01-01 09:00:00', 'Read', 'a chapter', 0, 1), ('2024-01-02 09:00:00', 'Run', NULL, 1, 1), ('2024-01-03 09:00:00', 'Sleep', NULL, 0, 2),
  (NULL, 'Walk', NULL, NULL, 2), (NULL, 'Cook', NULL, NULL, 2);
INSERT INTO entries (is_complete, timestamp, panel_id) VALUES
  (true, '2024-01-01 21:00:00', 1), (false, '2024-01-01 22:00:00', 1), (true, '2024-01-02 07:30:00', 2), (true, '2024-01-03 23:59:00', 3),
  (true, '2023-05-02 18:00:00', 4), (false, '2023-05-01 07:15:00', 4);
INSERT INTO password_reset_tokens (password_reset_token, issued_at, expiry, is_valid, user_id) VALUES
  ('old-hash', '2024-01-05 10:00:00', '2024-01-05 10:15:00', false, 2);
INSERT INTO blacklisted_access_tokens (access_token, blacklisted_at) VALUES ('eyJold.jwt.token', '2024-01-06 10:00:00');
INSERT INTO timings (created_at, path, method, diff_ms, method_path) VALUES ('2024-01-06 10:00:00', '/v5/panels', 'GET', 12.5, 'GET_/v5/panels');
"#;

const OLD_TABLES: [&str; 8] = [
    "users",
    "panels",
    "entries",
    "password_reset_tokens",
    "blacklisted_access_tokens",
    "timings",
    "timing_stats",
    "alembic_version",
];

async fn dump_old_columns(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let mut out = Vec::new();
    for table in OLD_TABLES {
        let rows = db
            .query_all_raw(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!(
                    "SELECT row_to_json(t)::text AS j FROM (SELECT * FROM {table}) t ORDER BY 1"
                ),
            ))
            .await
            .unwrap();
        for r in rows {
            let mut value: serde_json::Value =
                serde_json::from_str(&r.try_get::<String>("", "j").unwrap()).unwrap();
            // The panels adoption repairs (no creation time, no position) are checked apart.
            if table == "panels"
                && ["Walk", "Cook"].contains(&value["title"].as_str().unwrap_or(""))
            {
                continue;
            }
            // Columns this server adds are not part of the old rows.
            for added in ["time_zone", "tokens_valid_after", "expires_at", "is_skip"] {
                value.as_object_mut().unwrap().remove(added);
            }
            out.push(format!("{table}: {value}"));
        }
    }
    out
}

#[tokio::test]
async fn migrate_up_adopts_an_old_server_database() {
    use sea_orm::ConnectionTrait;
    let Some(db) = TestDb::new_unmigrated(TestEngine::Postgres).await else {
        return;
    };
    db.db.execute_unprepared(OLD_SCHEMA).await.unwrap();
    let before = dump_old_columns(&db.db).await;
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &db.url, &["migrate", "up"]);
    let all = ninepanels_persistence::known_migrations();
    assert!(out.contains(&format!("applied migrations: {all}")), "{out}");
    let after = dump_old_columns(&db.db).await;
    assert_eq!(after, before, "no row lost or changed");
    let repaired = db
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT title, position, created_at, created_at > NOW() AT TIME ZONE 'UTC' - INTERVAL '1 hour' AS recent \
             FROM panels WHERE user_id = 2 ORDER BY position",
        ))
        .await
        .unwrap();
    let shape: Vec<(String, i32, String, bool)> = repaired
        .iter()
        .map(|r| {
            let at: chrono::NaiveDateTime = r.try_get("", "created_at").unwrap();
            (
                r.try_get("", "title").unwrap(),
                r.try_get("", "position").unwrap(),
                at.to_string(),
                r.try_get("", "recent").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape[0],
        ("Sleep".into(), 0, "2024-01-03 09:00:00".into(), false)
    );
    assert_eq!(
        shape[1],
        ("Walk".into(), 1, "2023-05-01 07:15:00".into(), false),
        "a panel without a creation time starts at its first entry"
    );
    assert_eq!(
        (shape[2].0.as_str(), shape[2].1, shape[2].3),
        ("Cook", 2, true),
        "no entry: the adoption"
    );
    assert!(ok(dir.path(), &db.url, &["migrate", "status"]).contains("pending migrations: 0"));

    let server = ninepanels::Server::start(Config::for_tests(&db.url))
        .await
        .unwrap()
        .spawn()
        .await
        .unwrap();
    let addr = server.addr;
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("http://{addr}/token"))
        .form(&[
            ("username", "old.timer@example.org"),
            ("password", "old-server-password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["data"]["access_token"]
        .as_str()
        .expect("the old user signs in")
        .to_owned();
    let panels: serde_json::Value = client
        .get(format!("http://{addr}/v5/panels"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = panels["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Read", "Run"]);
    let me: serde_json::Value = client
        .get(format!("http://{addr}/v5/users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["is_admin"], true);
    assert_eq!(
        me["data"]["time_zone"], "Europe/London",
        "the default zone for adopted users"
    );
    server.stop().await.unwrap();
}

/// A full backup made before the latest migration gets it at restore; one made by a newer
/// server, and a damaged one, are refused before anything is written.
async fn full_backups_are_checked_and_brought_up_to_date(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.as_str();
    ok(dir.path(), url, &["seed", "--users", "2", "--days", "10"]);
    let backups = dir.path().join("b");
    let backups_dir = backups.display().to_string();
    ok(
        dir.path(),
        url,
        &["--backups-dir", &backups_dir, "backup", "--full"],
    );
    let before = snapshot(url).await;
    let ext = if engine == TestEngine::Postgres {
        ".dump"
    } else {
        ".sqlite"
    };
    let file = only_file(&backups, ext);
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.path().join(format!("cut{ext}"));
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let cut = cut.display().to_string();
    refused(
        dir.path(),
        url,
        &["restore", &cut, "--yes"],
        "nothing was changed",
        &before,
    )
    .await;
    if engine == TestEngine::Postgres {
        return;
    }
    let edit = async |name: &str, sql: &str| {
        let path = dir.path().join(name);
        std::fs::copy(&file, &path).unwrap();
        let copy = sea_orm::Database::connect(format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(&copy, sql)
            .await
            .unwrap();
        copy.close().await.unwrap();
        path.display().to_string()
    };
    let future = edit(
        "future.sqlite",
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_future', 0)",
    )
    .await;
    let args = ["restore", future.as_str(), "--yes"];
    refused(dir.path(), url, &args, "made by a newer server", &before).await;
    let empty = edit(
        "empty.sqlite",
        "DELETE FROM entries; DELETE FROM panels; DELETE FROM users",
    )
    .await;
    let args = ["restore", empty.as_str(), "--yes"];
    refused(dir.path(), url, &args, "--allow-empty", &before).await;
    let older = edit(
        "older.sqlite",
        "DELETE FROM seaql_migrations WHERE version = \
         (SELECT MAX(version) FROM seaql_migrations)",
    )
    .await;
    ok(dir.path(), url, &["clear", "--yes"]);
    let out = ok(dir.path(), url, &["restore", &older, "--yes"]);
    assert!(
        out.contains("applied 1 migrations newer than the backup"),
        "{out}"
    );
    assert_eq!(snapshot(url).await, before);
    let status = ok(dir.path(), url, &["migrate", "status"]);
    assert!(status.contains("pending migrations: 0"), "{status}");
}

ninepanels_persistence::test_with_each_engine!(
    full_backups_are_checked_and_brought_up_to_date,
    backup_clear_restore_round_trips,
    a_failing_replace_changes_nothing,
    damaged_exports_are_refused_before_anything_is_written
);

#[tokio::test]
async fn migrate_status_then_up_then_status() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ops.db").display());
    let vars = [("DATABASE_URL", url.as_str())];
    let (success, out) = ops_in(dir.path(), &vars, &["migrate", "status"]);
    assert!(success, "{out}");
    assert!(
        out.starts_with("environment: FEATURE  database: sqlite://"),
        "{out}"
    );
    let all = ninepanels_persistence::known_migrations();
    assert!(
        out.contains(&format!("pending migrations: {all} (apply them")),
        "{out}"
    );
    assert!(out.contains("m20261124_000001_baseline_tables  "), "{out}");
    assert_eq!(out.matches("  pending\n").count(), all, "{out}");
    use sea_orm::ConnectionTrait;
    let db = ninepanels_persistence::connect(&ninepanels_domain::config::DatabaseConfig::for_url(
        ninepanels_domain::config::DatabaseUrl::parse(&url).unwrap(),
    ))
    .await
    .unwrap();
    let tables = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table'",
        ))
        .await
        .unwrap();
    assert!(
        tables.is_empty(),
        "status wrote nothing, not even the migration table"
    );
    db.close().await.unwrap();
    let (success, out) = ops_in(dir.path(), &vars, &["migrate", "up"]);
    assert!(
        success && out.contains(&format!("applied migrations: {all}")),
        "{out}"
    );
    let (success, out) = ops_in(dir.path(), &vars, &["migrate", "status"]);
    assert!(success && out.contains("pending migrations: 0"), "{out}");
    assert_eq!(out.matches("  applied 20").count(), all, "{out}");
}

#[tokio::test]
async fn outbox_list_shows_each_message_with_its_request_and_last_error() {
    use ninepanels_domain::background::OutboxDraft;
    use ninepanels_domain::ports::{OutboxRepository, UserRepository};
    use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, UserName};
    let db = TestDb::sqlite().await;
    let draft = OutboxDraft {
        event_id: "a5f0c2d4-0000-4000-8000-000000000001".to_owned(),
        kind: "UserCreated".to_owned(),
        payload: "{}".to_owned(),
        request_id: Some("req-7f3a".to_owned()),
        created_at: chrono::Utc::now(),
    };
    let ada = NewUser {
        email: Email::parse("ada@example.org").unwrap(),
        name: UserName::parse("Ada").unwrap(),
        password_hash: PasswordHash::new("x"),
        time_zone: TimeZone::parse("UTC").unwrap(),
        is_admin: false,
    };
    ninepanels_persistence::SqlUsers::new(db.db.clone())
        .create(ada, Box::new(move |_| vec![draft]))
        .await
        .unwrap();
    let outbox = ninepanels_persistence::SqlOutbox::new(db.db.clone());
    let message = outbox.list(10).await.unwrap().remove(0);
    let now = chrono::Utc::now();
    let why = "handle_user_created: SMTP send failed: 550 mailbox unavailable";
    outbox
        .mark_failed(
            message.id,
            now,
            why,
            Some(now + chrono::Duration::minutes(1)),
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &db.url, &["outbox", "list"]);
    let line = out
        .lines()
        .find(|l| l.contains("UserCreated"))
        .unwrap_or_else(|| panic!("{out}"));
    for shown in ["pending", "req-7f3a", why] {
        assert!(line.contains(shown), "{shown} in {line}");
    }
}

#[test]
fn output_piped_into_head_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ops.db").display());
    let output = Command::new("bash")
        // `true` reads nothing and is gone before the command's later lines are written.
        .args([
            "-c",
            r#""$0" migrate status | true"#,
            env!("CARGO_BIN_EXE_ninepanels-ops"),
        ])
        .current_dir(dir.path())
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        !said.contains("panicked") && !said.contains("Broken pipe"),
        "{said}"
    );
}

#[test]
fn a_bad_database_url_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (success, out) = ops_in(
        dir.path(),
        &[("DATABASE_URL", "mysql://x/y")],
        &["migrate", "status"],
    );
    assert!(!success);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("DATABASE_URL"), "{out}");
}

/// `--env-file` wins over the shell: with MAIN's DATABASE_URL exported, the file's database is
/// the one named on the first line and the one acted on.
#[test]
fn the_env_file_wins_over_an_exported_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let shell_db = dir.path().join("main.db");
    let file_db = dir.path().join("feature.db");
    std::fs::write(
        dir.path().join(".env.feature"),
        format!(
            "NINEPANELS_ENV=FEATURE\nDATABASE_URL=sqlite://{}?mode=rwc\n",
            file_db.display()
        ),
    )
    .unwrap();
    let shell_url = format!("sqlite://{}?mode=rwc", shell_db.display());
    let (success, out) = ops_in(
        dir.path(),
        &[("DATABASE_URL", &shell_url), ("NINEPANELS_ENV", "MAIN")],
        &["--env-file", ".env.feature", "migrate", "up"],
    );
    assert!(success, "{out}");
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.contains("environment: FEATURE") && first.contains("feature.db"),
        "{out}"
    );
    assert!(file_db.exists(), "the file's database was migrated");
    assert!(!shell_db.exists(), "the shell's database was not touched");
}

/// A command that needs no database opens none, and makes no database file.
#[test]
fn ping_opens_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let (success, out) = ops_in(dir.path(), &[], &["ping", "http://127.0.0.1:1"]);
    assert!(!success, "nothing listens on port 1: {out}");
    assert!(!out.contains("database:"), "{out}");
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(made.is_empty(), "ping made files: {made:?}");
}
