//! Shared fixtures: a handler context on a test database, a mailer that counts, and a welcome
//! mail to put in the outbox.
#![allow(dead_code)] // Each test file uses its own part.

use async_trait::async_trait;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::{Background, Secret};
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::seal::Sealer;
use ninepanels_domain::{Error, Result};
use ninepanels_events::HandlerContext;
use ninepanels_persistence::testing::TestDb;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Records every mail; fails while `down` is set.
#[derive(Debug, Default)]
pub struct CountingMailer {
    pub sent: Mutex<Vec<Mail>>,
    pub down: AtomicBool,
}

#[async_trait]
impl Mailer for CountingMailer {
    async fn send(&self, mail: Mail) -> Result<()> {
        if self.down.load(Ordering::SeqCst) {
            return Err(Error::unavailable("the mail server is down"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        self.sent.lock().unwrap().push(mail);
        Ok(())
    }
}

pub fn context(
    db: &TestDb,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    settings: Background,
) -> Arc<HandlerContext> {
    Arc::new(
        HandlerContext::new(
            &ninepanels_persistence::repositories(&db.db),
            mailer,
            clock,
            settings,
            Sealer::new(&Secret::new("the events tests' secret")),
        )
        .expect("the handler context builds"),
    )
}

/// The welcome mail of `user` as an outbox row made at `at`.
pub fn welcome_draft(
    user: &ninepanels_domain::user::User,
    at: chrono::DateTime<chrono::Utc>,
) -> ninepanels_domain::background::OutboxDraft {
    let welcome = ninepanels_events::MustDeliver::from(ninepanels_domain::events::UserCreated {
        user_id: user.id,
        email: user.email.as_str().to_owned(),
        name: user.name.clone(),
    });
    let meta = ninepanels_events::Meta {
        id: uuid::Uuid::new_v4(),
        at,
        request_id: None,
    };
    ninepanels_events::outbox::draft(&welcome, meta)
}
