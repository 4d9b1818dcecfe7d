//! The use cases on both engines, without HTTP: days in the user's zone or the call's `tz`,
//! the padded day window, consistency, streaks and the panel list with today's state.

mod support;

use chrono::{NaiveDate, TimeZone as _, Utc};
use ninepanels_app::App;
use ninepanels_app::history::DayWindow;
use ninepanels_domain::ErrorKind;
use ninepanels_domain::clock::TestClock;
use ninepanels_domain::config::AuthConfig;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::{NewPanel, PanelTitle};
use ninepanels_domain::ports::Repositories;
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, User, UserName};
use ninepanels_persistence::testing::TestDb;
use std::sync::Arc;

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
}

async fn user(repos: &Repositories, email: &str, zone: &str) -> User {
    let user = NewUser {
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada").unwrap(),
        password_hash: PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        time_zone: TimeZone::parse(zone).unwrap(),
        is_admin: false,
    };
    repos
        .users
        .create(user, Box::new(|_| Vec::new()))
        .await
        .unwrap()
}

/// Ada in New York with one panel made on 10 June, tapped on the 10th, 11th (undone later that
/// day), 13th and, late on the 14th New York time, already the 15th in UTC. Now: 15 June, 8 am
/// in New York.
async fn ada_with_history(db: &TestDb) -> (App, Repositories, User, i32) {
    let repos = ninepanels_persistence::repositories(&db.db);
    let ada = user(&repos, "ada@example.org", "America/New_York").await;
    let utc = |d, h| Utc.with_ymd_and_hms(2026, 6, d, h, 0, 0).unwrap();
    let panel = NewPanel {
        title: PanelTitle::parse("Move").unwrap(),
        description: None,
        position: None,
    };
    let panel = repos
        .panels
        .create(ada.id, panel, utc(10, 12))
        .await
        .unwrap();
    for (at, done) in [
        (utc(10, 14), true),
        (utc(11, 14), true),
        (utc(11, 20), false),
        (utc(13, 14), true),
        (utc(15, 2), true),
    ] {
        repos
            .entries
            .record(ada.id, panel.id, Mark::of(done, false), at)
            .await
            .unwrap();
    }
    let clock = TestClock::at(utc(15, 12));
    let london = TimeZone::parse("Europe/London").unwrap();
    let config = AuthConfig {
        default_time_zone: london,
        ..AuthConfig::default()
    };
    let app = support::app(db, config, Arc::new(clock)).app;
    (app, repos, ada, panel.id)
}

/// (date, complete) of each day shown; `None` for a padded day.
fn shown(days: &[ninepanels_app::history::Day]) -> Vec<(NaiveDate, Option<bool>)> {
    days.iter()
        .map(|d| (d.date, d.latest.map(|(_, mark)| mark.is_complete())))
        .collect()
}

async fn days_are_local_latest_and_windowed(db: &TestDb) {
    let (app, _, ada, panel) = ada_with_history(db).await;
    let all = DayWindow {
        limit: 100,
        offset: 0,
        newest_first: true,
    };
    let days = app.history.days(&ada, panel, all, None).await.unwrap();
    assert_eq!(
        shown(&days),
        [
            (date(15), None),
            (date(14), Some(true)),
            (date(13), Some(true)),
            (date(12), None),
            (date(11), Some(false)),
            (date(10), Some(true)),
        ],
        "New York days; the day's latest entry wins"
    );
    let in_utc = app
        .history
        .days(&ada, panel, all, Some("UTC"))
        .await
        .unwrap();
    assert_eq!(
        shown(&in_utc)[..2],
        [(date(15), Some(true)), (date(14), None)]
    );

    let page = DayWindow {
        limit: 2,
        offset: 1,
        newest_first: true,
    };
    let days = app.history.days(&ada, panel, page, None).await.unwrap();
    assert_eq!(
        shown(&days),
        [(date(14), Some(true)), (date(13), Some(true))]
    );
    let oldest_first = DayWindow {
        newest_first: false,
        offset: 0,
        ..page
    };
    let days = app
        .history
        .days(&ada, panel, oldest_first, None)
        .await
        .unwrap();
    assert_eq!(
        shown(&days),
        [(date(10), Some(true)), (date(11), Some(false))]
    );
    let past_the_end = DayWindow { offset: 6, ..page };
    assert!(
        app.history
            .days(&ada, panel, past_the_end, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn consistency_and_streaks_follow_the_same_days(db: &TestDb) {
    let (app, _, ada, panel) = ada_with_history(db).await;
    let consistency = app.history.consistency(&ada, None).await.unwrap();
    assert_eq!(consistency.len(), 1);
    assert_eq!((consistency[0].age, consistency[0].days_complete), (6, 3));
    assert!((consistency[0].consistency - 0.5).abs() < 1e-9);
    let streaks = app.history.streaks(&ada, panel, None).await.unwrap();
    assert_eq!(
        (streaks.current, streaks.longest),
        (2, 2),
        "today is not done yet, so the run ending yesterday counts"
    );
    assert_eq!(
        (streaks.longest_start, streaks.longest_end),
        (Some(date(13)), Some(date(14)))
    );
}

async fn the_list_shows_todays_state_and_refuses_what_is_not_a_zone(db: &TestDb) {
    let (app, repos, ada, panel) = ada_with_history(db).await;
    let listed = app.panels.list_with_today(&ada, None).await.unwrap();
    assert_eq!(
        (listed[0].0.id, listed[0].1),
        (panel, false),
        "nothing yet today"
    );
    let listed = app.panels.list_with_today(&ada, Some("UTC")).await.unwrap();
    assert!(listed[0].1, "in UTC the late tap is today's");
    repos
        .entries
        .record(ada.id, panel, Mark::Done, app.calendar.now())
        .await
        .unwrap();
    assert!(app.panels.list_with_today(&ada, None).await.unwrap()[0].1);

    let refused = app
        .panels
        .list_with_today(&ada, Some("Mars/Olympus"))
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Invalid);
    assert!(refused.detail.starts_with("tz:"), "{}", refused.detail);
    let bob = user(&repos, "bob@example.org", "Europe/Paris").await;
    let window = DayWindow {
        limit: 10,
        offset: 0,
        newest_first: true,
    };
    let theirs = app
        .history
        .days(&bob, panel, window, None)
        .await
        .unwrap_err();
    assert_eq!(theirs.kind, ErrorKind::NotFound, "another user's panel");
    assert!(
        app.history
            .consistency(&bob, None)
            .await
            .unwrap()
            .is_empty()
    );
}

ninepanels_persistence::test_on_both_engines!(
    days_are_local_latest_and_windowed,
    consistency_and_streaks_follow_the_same_days,
    the_list_shows_todays_state_and_refuses_what_is_not_a_zone,
);
