//! `ninepanels check` run as an operator runs it: ticks for a good configuration, and the reason
//! for each part of a broken one, with exit status 1.

use crate::binary::BINARY;
use ninepanels_persistence::testing::TestDb;
use std::path::Path;
use std::process::Command;

/// Runs `ninepanels check` in `dir` with only `vars`: (succeeded, what it printed).
fn check(dir: &Path, vars: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(BINARY)
        .arg("check")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), printed)
}

#[tokio::test]
async fn check_ticks_a_good_configuration_and_names_what_is_broken() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    let mail = mail.to_str().unwrap();
    let (ok, printed) = check(dir.path(), &[("DATABASE_URL", &db.url), ("MAIL_DIR", mail)]);
    assert!(ok, "{printed}");
    for tick in [
        "✓ configuration: the FEATURE environment",
        "✓ database: ",
        "✓ migrations: all ",
        "✓ mailer: mail goes to files in ",
    ] {
        assert!(printed.contains(tick), "{tick} in {printed}");
    }

    let (ok, printed) = check(
        dir.path(),
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere"),
            ("DATABASE_TIMEOUT_SECS", "1"),
            ("MAIL_DIR", "/proc/no-mail-here"),
        ],
    );
    assert!(!ok);
    assert!(
        printed.contains("✗ database: cannot connect to postgres://postgres@127.0.0.1:1/nowhere"),
        "{printed}"
    );
    assert!(
        printed.contains("✗ mailer: cannot write to /proc/no-mail-here"),
        "{printed}"
    );

    let fresh = format!("sqlite://{}/fresh.db?mode=rwc", dir.path().display());
    let (ok, printed) = check(dir.path(), &[("DATABASE_URL", &fresh), ("MAIL_DIR", mail)]);
    assert!(!ok);
    assert!(printed.contains("✗ migrations: "), "{printed}");
    assert!(printed.contains("ninepanels-ops migrate up"), "{printed}");

    use sea_orm::ConnectionTrait;
    db.db
        .execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_later', 0)",
        )
        .await
        .unwrap();
    let (ok, printed) = check(dir.path(), &[("DATABASE_URL", &db.url), ("MAIL_DIR", mail)]);
    assert!(!ok, "{printed}");
    assert!(
        printed.contains(
            "✗ migrations: the database has 1 migrations this server does not know \
             (m20991231_000001_later): it was migrated by a newer server"
        ),
        "{printed}"
    );

    let (ok, printed) = check(dir.path(), &[("BIND_ADDR", "nowhere")]);
    assert!(!ok);
    assert!(
        printed.starts_with("✗ configuration: BIND_ADDR: "),
        "{printed}"
    );
}
