//! The worker against a real database: a panicking or failing handler does not stop it.

use async_trait::async_trait;
use ninepanels_domain::clock::SystemClock;
use ninepanels_domain::config::Background;
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::ports::UserRepository;
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, UserName};
use ninepanels_domain::{Error, Result};
use ninepanels_events::{Event, EventBus, HandlerContext, worker};
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
            Box::new(|_| Vec::new()),
        )
        .await
        .unwrap();
    let ctx = Arc::new(HandlerContext::new(
        &ninepanels_persistence::repositories(&db.db),
        Arc::new(mailer),
        Arc::new(SystemClock),
        Background::default(),
        ninepanels_events::seal::Sealer::new(&ninepanels_domain::config::Secret::new("k")),
    ));
    let (bus, receiver) = EventBus::new(16, Arc::new(SystemClock));
    let running = tokio::spawn(worker::run(receiver, ctx));

    bus.emit(Event::UserCreated {
        user_id: ada.id,
        email: "ada@example.org".into(),
        name: "Ada".into(),
    })
    .await;
    bus.emit(Event::UserLoggedIn { user_id: ada.id }).await;
    bus.emit(Event::UserActive { user_id: ada.id }).await;
    bus.close();
    running.await.expect("the worker itself never panics");

    let ada = users.get_by_id(ada.id).await.unwrap();
    assert!(
        ada.last_login.is_some(),
        "the event after the broken one was handled"
    );
    assert!(ada.last_activity.is_some());
}

#[tokio::test]
async fn a_panicking_handler_does_not_stop_the_worker() {
    worker_survives(BrokenMailer { panics: true }).await;
}

#[tokio::test]
async fn a_failing_handler_does_not_stop_the_worker() {
    worker_survives(BrokenMailer { panics: false }).await;
}
