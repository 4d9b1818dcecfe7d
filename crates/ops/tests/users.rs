//! `ninepanels-ops user ...` against real databases: the list, a reset link mailed through the
//! outbox, and a deletion that asks first and on MAIN needs a fresh backup.

use ninepanels_persistence::testing::{TestDb, TestEngine};
use std::path::Path;

mod common;

use common::{ok, on_main, ops_in};

/// The mails dropped so far (MAILER=log writes one file per mail in `MAIL_DIR`).
fn mails(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("mail"))
        .map(|found| {
            found
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

async fn users_are_listed_reset_and_deleted(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.as_str();
    ok(dir.path(), url, &["seed", "--users", "2", "--days", "5"]);
    let vars = [
        ("DATABASE_URL", url),
        ("NINEPANELS_ADMIN_PASSWORD", "an admin's password"),
    ];
    let (success, out) = ops_in(
        dir.path(),
        &vars,
        &[
            "user",
            "create-admin",
            "--email",
            "root@example.org",
            "--name",
            "Root",
        ],
    );
    assert!(success, "{out}");

    let list = ok(dir.path(), url, &["user", "list"]);
    let line = |email: &str| {
        list.lines()
            .find(|l| l.contains(email))
            .unwrap_or_else(|| panic!("{email} not listed: {list}"))
            .to_owned()
    };
    assert!(line("root@example.org").contains(" yes "), "{list}");
    assert!(!line("demo1@example.org").contains(" yes "), "{list}");
    assert!(
        line("demo1@example.org").contains(" 9 "),
        "nine panels: {list}"
    );
    assert!(list.contains("users: 3"), "{list}");

    let out = ok(
        dir.path(),
        url,
        &["user", "send-reset", "demo1@example.org"],
    );
    assert!(out.contains("PasswordResetRequested: delivered"), "{out}");
    let mail = mails(dir.path());
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].contains("demo1@example.org"), "{}", mail[0]);
    assert!(
        mail[0].contains("/password_reset?email=demo1%40example.org&password_reset_token="),
        "{}",
        mail[0]
    );
    let (success, out) = ops_in(
        dir.path(),
        &[("DATABASE_URL", url)],
        &["user", "send-reset", "nobody@example.org"],
    );
    assert!(
        !success && out.contains("no user has the email nobody@example.org"),
        "{out}"
    );

    // Not in a terminal and without --yes: refused, and the user is still there.
    let delete = ["user", "delete", "demo1@example.org"];
    let (success, out) = ops_in(dir.path(), &[("DATABASE_URL", url)], &delete);
    assert!(!success && out.contains("needs confirmation"), "{out}");
    assert!(ok(dir.path(), url, &["user", "list"]).contains("demo1@example.org"));

    let out = ok(dir.path(), url, &[&delete[..], &["--yes"]].concat());
    assert!(out.contains("deleted demo1@example.org"), "{out}");
    assert!(out.contains("UserDeleted: delivered"), "{out}");
    let list = ok(dir.path(), url, &["user", "list"]);
    assert!(!list.contains("demo1@example.org"), "{list}");
    assert!(
        list.contains("demo2@example.org") && list.contains("users: 2"),
        "{list}"
    );
    let log = ok(dir.path(), url, &["log"]);
    assert!(
        log.contains("user delete") && log.contains("user send-reset"),
        "{log}"
    );
}

ninepanels_persistence::test_with_each_engine!(users_are_listed_reset_and_deleted);

#[tokio::test]
async fn deleting_a_user_on_main_needs_a_fresh_backup() {
    let db = TestDb::new_unmigrated(TestEngine::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let main = on_main(
        &db.url,
        &[("NINEPANELS_ADMIN_PASSWORD", "an admin's password")],
    );
    let run = |args: &[&str]| ops_in(dir.path(), &main, args);
    assert!(run(&["migrate", "up", "--backup-first"]).0);
    let create = [
        "user",
        "create-admin",
        "--email",
        "ada@example.org",
        "--name",
        "Ada",
    ];
    assert!(run(&create).0);
    // The backup taken by migrate is fresh; move it away to be without one.
    std::fs::rename(dir.path().join("backups"), dir.path().join("old")).unwrap();
    let delete = ["user", "delete", "ada@example.org", "--yes"];
    let (success, out) = run(&delete);
    assert!(
        !success && out.contains("deleting a user on MAIN needs a backup younger than one hour"),
        "{out}"
    );
    assert!(run(&["user", "list"]).1.contains("ada@example.org"));
    assert!(run(&["backup", "--full"]).0);
    let (success, out) = run(&delete);
    assert!(success, "{out}");
    assert!(!run(&["user", "list"]).1.contains("ada@example.org"));
}
