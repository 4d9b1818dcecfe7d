//! `ninepanels-ops migrate status|up` against a real SQLite file.

use std::process::Command;

fn ops(database_url: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ninepanels-ops"))
        .env_clear()
        .env("DATABASE_URL", database_url)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn status_then_up_then_status() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ops.db").display());
    let (ok, out) = ops(&url, &["migrate", "status"]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("environment: FEATURE  database: sqlite://"),
        "{out}"
    );
    let all = ninepanels_persistence::known_migrations();
    assert!(out.contains(&format!("pending migrations: {all}")), "{out}");
    let (ok, out) = ops(&url, &["migrate", "up"]);
    assert!(
        ok && out.contains(&format!("applied migrations: {all}")),
        "{out}"
    );
    let (ok, out) = ops(&url, &["migrate", "status"]);
    assert!(ok && out.contains("pending migrations: 0"), "{out}");
}

#[test]
fn a_bad_database_url_is_one_line() {
    let (ok, out) = ops("mysql://x/y", &["migrate", "status"]);
    assert!(!ok);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("DATABASE_URL"), "{out}");
}
