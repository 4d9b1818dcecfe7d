//! The alert repository on both engines: a cause is announced once while it lasts, at most
//! once per quiet time, cleared once; its notices are written with its move or not at all.

use crate::support::{at, new_user, no_announcement};
use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::ports::{AlertRepository, OutboxRepository, UserRepository};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlAlerts, SqlOutbox, SqlUsers};

fn notice(kind: &str, now: DateTime<Utc>) -> OutboxDraft {
    OutboxDraft {
        event_id: uuid::Uuid::new_v4().to_string(),
        kind: kind.to_owned(),
        payload: "{}".to_owned(),
        request_id: None,
        created_at: now,
    }
}

/// The kinds of the outbox messages written so far, oldest first.
async fn written(db: &TestDb) -> Vec<String> {
    let mut listed = SqlOutbox::new(db.db.clone()).list(100).await.unwrap();
    listed.sort_by_key(|m| m.id);
    listed.into_iter().map(|m| m.kind).collect()
}

async fn a_cause_is_announced_once_while_it_lasts_and_once_per_quiet_time(db: &TestDb) {
    let alerts = SqlAlerts::new(db.db.clone());
    let quiet = Duration::minutes(30);
    let t0 = at(2026, 12, 3, 10, 0);
    let raise = |now: DateTime<Utc>| {
        alerts.raise(
            "route:GET_/v5/panels",
            now,
            now - quiet,
            vec![notice("AlertRaised", now)],
        )
    };
    assert!(raise(t0).await.unwrap(), "the first raise is announced");
    assert!(
        !raise(t0 + Duration::minutes(1)).await.unwrap(),
        "raised already"
    );
    let cleared = alerts
        .clear(
            "route:GET_/v5/panels",
            t0 + Duration::minutes(2),
            vec![notice("AlertCleared", t0)],
        )
        .await
        .unwrap();
    assert!(cleared, "an announced raise gets its clear");
    let t3 = t0 + Duration::minutes(3);
    assert!(
        !raise(t3).await.unwrap(),
        "a flap within the quiet time is not announced"
    );
    let again = alerts
        .clear("route:GET_/v5/panels", t3, vec![notice("AlertCleared", t3)])
        .await
        .unwrap();
    assert!(!again, "nor is the clear of a raise nobody heard of");
    assert!(
        !alerts
            .clear("database", t3, vec![notice("AlertCleared", t3)])
            .await
            .unwrap()
    );
    assert!(
        raise(t0 + Duration::minutes(31)).await.unwrap(),
        "the quiet time is over"
    );
    assert!(
        alerts
            .raise("outbox", t3, t3 - quiet, vec![notice("AlertRaised", t3)])
            .await
            .unwrap(),
        "causes are counted apart"
    );
    assert_eq!(
        written(db).await,
        ["AlertRaised", "AlertCleared", "AlertRaised", "AlertRaised"]
    );
}

async fn admins_are_listed_by_email(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    let mut admin = new_user("root@example.org");
    admin.is_admin = true;
    users.create(admin, no_announcement()).await.unwrap();
    users
        .create(new_user("ada@example.org"), no_announcement())
        .await
        .unwrap();
    assert_eq!(users.admin_emails().await.unwrap(), ["root@example.org"]);
}

ninepanels_persistence::test_on_both_engines!(
    a_cause_is_announced_once_while_it_lasts_and_once_per_quiet_time,
    admins_are_listed_by_email,
);
