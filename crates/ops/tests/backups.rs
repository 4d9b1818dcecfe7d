//! `backup list`, the retention of `BACKUP_KEEP` (which never takes the backup being restored),
//! and completions (which open no database).

use ninepanels_persistence::testing::{TestDb, TestEngine};

mod common;

use common::{ok, on_main, ops_in};

#[tokio::test]
async fn a_backup_keeps_the_newest_of_its_kind_and_lists_them_all() {
    let db = TestDb::new(TestEngine::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let older = [
        "20200101T000000Z_FEATURE.sqlite",
        "20200102T000000Z_FEATURE.sqlite",
        "20200101T000000Z_STAGING.sqlite",
        "20200101T000000Z_FEATURE.jsonl",
        "notes.txt",
    ];
    for name in older {
        std::fs::write(backups.join(name), "x").unwrap();
    }
    let vars = [("DATABASE_URL", db.url.as_str()), ("BACKUP_KEEP", "2")];
    let (success, out) = ops_in(dir.path(), &vars, &["backup", "--full"]);
    assert!(success, "{out}");
    assert!(
        out.contains("removed old backup (BACKUP_KEEP=2): backups/20200101T000000Z_FEATURE.sqlite"),
        "{out}"
    );
    let mut left: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left.len(), 5, "{left:?}");
    assert!(!left.contains(&older[0].to_owned()), "{left:?}");
    for kept in &older[1..] {
        assert!(left.contains(&(*kept).to_owned()), "{kept} kept: {left:?}");
    }

    let list = ok(dir.path(), &db.url, &["backup", "list"]);
    let rows: Vec<&str> = list.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(rows.len(), 4, "notes.txt is not a backup: {list}");
    assert!(
        rows[0].contains("_FEATURE.sqlite") && rows[0].contains("minutes ago"),
        "newest first: {list}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("STAGING") && r.contains("full")),
        "{list}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains(".jsonl") && r.contains("data-only")),
        "{list}"
    );
    assert!(
        list.contains("4 backups; a new backup keeps every backup"),
        "{list}"
    );
}

#[test]
fn completions_are_printed_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/never.db?mode=rwc", dir.path().display());
    for shell in ["bash", "zsh", "fish"] {
        let (success, out) = ops_in(
            dir.path(),
            &[("DATABASE_URL", &url)],
            &["completions", shell],
        );
        assert!(success, "{shell}: {out}");
        assert!(
            out.contains("send-reset") && out.contains("backups-dir"),
            "{shell}: {out}"
        );
        assert!(
            !out.contains("environment:"),
            "{shell} said what it acts on: {out}"
        );
    }
    assert!(
        !dir.path().join("never.db").exists(),
        "a database file was made"
    );
}

#[tokio::test]
async fn a_restore_on_main_keeps_the_backup_it_restores_whatever_backup_keep_says() {
    let db = TestDb::new_unmigrated(TestEngine::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let main = on_main(&db.url, &[("BACKUP_KEEP", "1")]);
    let run = |args: &[&str]| ops_in(dir.path(), &main, args);
    assert!(run(&["migrate", "up", "--backup-first"]).0);
    let (success, out) = run(&["backup", "--full"]);
    assert!(
        success && out.contains("removed old backup (BACKUP_KEEP=1)"),
        "{out}"
    );
    let backups = dir.path().join("backups");
    let first: Vec<_> = std::fs::read_dir(&backups).unwrap().collect();
    assert_eq!(first.len(), 1);
    let restored = first[0].as_ref().unwrap().path();
    let file = restored.display().to_string();
    let (success, out) = run(&["restore", &file, "--yes", "--allow-empty"]);
    assert!(success, "{out}");
    assert!(out.contains("safety backup"), "{out}");
    assert!(
        restored.is_file(),
        "the restored backup is still there: {out}"
    );
}
