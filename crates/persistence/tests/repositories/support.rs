//! Shared fixtures for the repository tests.

use chrono::{DateTime, TimeZone as _, Utc};
use ninepanels_domain::panel::{NewPanel, Panel, PanelTitle, Position};
use ninepanels_domain::ports::{Announce, PanelRepository, UserRepository};
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, User, UserName};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlPanels, SqlUsers};

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// No outbox message for a new user.
pub fn no_announcement() -> Announce<User> {
    Box::new(|_| Vec::new())
}

pub fn new_user(email: &str) -> NewUser {
    NewUser {
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada").unwrap(),
        password_hash: PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        time_zone: TimeZone::parse("Europe/London").unwrap(),
        is_admin: false,
    }
}

pub async fn user(db: &TestDb, email: &str) -> User {
    SqlUsers::new(db.db.clone())
        .create(new_user(email), no_announcement())
        .await
        .unwrap()
}

pub fn new_panel(title: &str, position: Option<i64>) -> NewPanel {
    NewPanel {
        title: PanelTitle::parse(title).unwrap(),
        description: None,
        position: position.map(|p| Position::parse(p).unwrap()),
    }
}

pub async fn panel(db: &TestDb, user: &User, title: &str) -> Panel {
    SqlPanels::new(db.db.clone())
        .create(user.id, new_panel(title, None), at(2026, 1, 1, 9, 0))
        .await
        .unwrap()
}

/// Titles in position order, checking the positions are exactly 0..n-1.
pub async fn titles(db: &TestDb, user: &User) -> Vec<String> {
    let panels = SqlPanels::new(db.db.clone()).list(user.id).await.unwrap();
    let positions: Vec<i32> = panels.iter().map(|p| p.position).collect();
    assert_eq!(positions, (0..panels.len() as i32).collect::<Vec<_>>());
    panels.into_iter().map(|p| p.title).collect()
}
