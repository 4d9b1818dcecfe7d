//! Delivery against a real database: a panicking or failing handler fails its own message and
//! stops neither the outbox pass nor the worker.

mod support;

use async_trait::async_trait;
use ninepanels_domain::clock::SystemClock;
use ninepanels_domain::config::Background;
use ninepanels_domain::events::{UserActive, UserLoggedIn};
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::ports::UserRepository;
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, UserName};
use ninepanels_domain::{Error, Result};
use ninepanels_events::{EventBus, outbox, worker};
use ninepanels_persistence::SqlUsers;
use ninepanels_persistence::testing::TestDb;
use std::sync::Arc;

#[derive(Debug)]
struct BrokenMailer {
    panics: bool,
}

#[async_trait]
impl Mailer for BrokenMailer {
    async fn send(&self, mail: Mail) -> Result<()> {
        if self.panics {
            panic!("the mail server exploded while sending to {}", mail.to);
        }
        Err(Error::unavailable("SMTP connection refused"))
    }
}

async fn worker_survives(mailer: BrokenMailer) {
    let mailer_panics = mailer.panics;
    let db = TestDb::sqlite().await;
    let users: Arc<dyn UserRepository> = Arc::new(SqlUsers::new(db.db.clone()));
    let ada = users
        .create(
            NewUser {
                email: Email::parse("ada@example.org").unwrap(),
                name: UserName::parse("Ada").unwrap(),
                password_hash: PasswordHash::new("x"),
                time_zone: TimeZone::parse("Europe/London").unwrap(),
                is_admin: false,
            },
            Box::new(|u| vec![support::welcome_draft(u, chrono::Utc::now())]),
        )
        .await
        .unwrap();
    let ctx = support::context(
        &db,
        Arc::new(mailer),
        Arc::new(SystemClock),
        Background::default(),
    );
    let delivered = outbox::deliver_due(&ctx)
        .await
        .expect("a broken handler fails its message, not the pass");
    assert_eq!(delivered, 0);
    let stored = ctx.outbox.list(10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].attempts, 1);
    assert!(stored[0].delivered_at.is_none() && stored[0].parked_at.is_none());
    let why = if mailer_panics {
        "handle_user_created: it panicked"
    } else {
        "handle_user_created: SMTP connection refused"
    };
    assert_eq!(
        stored[0].last_error.as_deref(),
        Some(why),
        "the handler and its reason, for the operator: {stored:?}"
    );

    let (bus, inbox) = EventBus::new(16, Arc::new(SystemClock), Arc::default());
    let running = tokio::spawn(worker::run(inbox, ctx));
    bus.emit(UserLoggedIn { user_id: ada.id }).await;
    bus.emit(UserActive { user_id: ada.id }).await;
    bus.close();
    running.await.expect("the worker itself never panics");

    let ada = users.get_by_id(ada.id).await.unwrap();
    assert!(
        ada.last_login.is_some(),
        "events after the broken delivery are handled"
    );
    assert!(ada.last_activity.is_some());
}

#[tokio::test]
async fn a_panicking_handler_fails_only_its_message() {
    worker_survives(BrokenMailer { panics: true }).await;
}

#[tokio::test]
async fn a_failing_handler_fails_only_its_message() {
    worker_survives(BrokenMailer { panics: false }).await;
}
