//! The `prune_history` job's work on both engines: delivered outbox messages, finished job
//! runs and expired reset tokens older than the cut go; waiting, parked, recent and running
//! ones stay.

use crate::support::{at, new_user, no_announcement};
use chrono::Duration;
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::ports::{JobRepository, OutboxRepository, TokenRepository, UserRepository};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlJobs, SqlOutbox, SqlTokens, SqlUsers};
use sea_orm::{ConnectionTrait, Statement};

/// The reset tokens' expiries, as stored.
async fn reset_expiries(db: &TestDb) -> Vec<String> {
    let sql = "SELECT CAST(expiry AS TEXT) FROM password_reset_tokens ORDER BY expiry";
    db.db
        .query_all_raw(Statement::from_string(db.db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

async fn only_old_delivered_messages_finished_runs_and_expired_resets_are_pruned(db: &TestDb) {
    let outbox = SqlOutbox::new(db.db.clone());
    let jobs = SqlJobs::new(db.db.clone());
    let t0 = at(2026, 10, 1, 9, 0);
    let cut = t0 + Duration::days(30);
    let drafts = [
        "delivered long ago",
        "delivered lately",
        "parked",
        "waiting",
    ]
    .map(|kind| OutboxDraft {
        event_id: uuid::Uuid::new_v4().to_string(),
        kind: kind.to_owned(),
        payload: "{}".to_owned(),
        request_id: None,
        created_at: t0,
    });
    outbox.write(drafts.to_vec()).await.unwrap();
    let id_of = |kind: &str, listed: &[ninepanels_domain::background::OutboxMessage]| {
        listed.iter().find(|m| m.kind == kind).unwrap().id
    };
    let listed = outbox.list(10).await.unwrap();
    outbox
        .mark_delivered(id_of("delivered long ago", &listed), t0)
        .await
        .unwrap();
    outbox
        .mark_delivered(id_of("delivered lately", &listed), cut + Duration::days(1))
        .await
        .unwrap();
    outbox
        .mark_failed(id_of("parked", &listed), t0, "refused", None)
        .await
        .unwrap();

    let old = jobs.start_run("retry_outbox", "a", t0).await.unwrap();
    jobs.finish_run(old, t0, true, Some(1), None).await.unwrap();
    let recent = jobs.start_run("retry_outbox", "a", cut).await.unwrap();
    jobs.finish_run(recent, cut + Duration::minutes(1), true, Some(0), None)
        .await
        .unwrap();
    let running = jobs.start_run("prune_timings", "a", t0).await.unwrap();

    let user = SqlUsers::new(db.db.clone())
        .create(new_user("ada@example.org"), no_announcement())
        .await
        .unwrap();
    let tokens = SqlTokens::new(db.db.clone());
    for (hash, issued) in [("old", t0), ("new", cut)] {
        tokens
            .create_reset_token(user.id, hash, issued, issued + Duration::hours(1), vec![])
            .await
            .unwrap();
    }
    assert_eq!(reset_expiries(db).await.len(), 2);

    assert_eq!(jobs.prune_history(cut).await.unwrap(), 3);
    let left = reset_expiries(db).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("2026-10-31"), "{left:?}");
    let mut kinds: Vec<String> = outbox
        .list(10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.kind)
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["delivered lately", "parked", "waiting"]);
    let mut runs: Vec<i64> = jobs
        .recent_runs(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    runs.sort();
    assert_eq!(runs, [recent.min(running), recent.max(running)]);
    assert_eq!(
        jobs.prune_history(cut).await.unwrap(),
        0,
        "nothing more to prune"
    );
}

ninepanels_persistence::test_on_both_engines!(
    only_old_delivered_messages_finished_runs_and_expired_resets_are_pruned
);
