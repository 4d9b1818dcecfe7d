//! Accounts, panels and taps on both engines, without HTTP: what each use case stores, what it
//! writes to the outbox in the same transaction, and what it emits.

mod support;

use chrono::{TimeZone as _, Utc};
use ninepanels_app::accounts::{ProfilePatch, RESET_TOKEN_REFUSED, SignUp};
use ninepanels_domain::ErrorKind;
use ninepanels_domain::clock::TestClock;
use ninepanels_domain::config::Config;
use ninepanels_domain::events::{
    EntryRecorded, Event, MustDeliver, PanelCreated, UserLoggedIn, UserUpdated,
};
use ninepanels_domain::panel::{NewPanel, PanelTitle};
use ninepanels_domain::seal::Sealer;
use ninepanels_domain::user::{Email, Password, TimeZone, User, UserName};
use ninepanels_persistence::testing::TestDb;
use std::sync::Arc;
use support::TestApp;

const PASSWORD: &str = "a fine password";

fn start(db: &TestDb) -> (TestApp, Config) {
    let config = Config::for_tests(&db.url);
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap());
    (
        support::app(db, config.auth.clone(), Arc::new(clock)),
        config,
    )
}

fn sign_up_form(email: &str) -> SignUp {
    SignUp {
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada").unwrap(),
        password: Password::parse(PASSWORD).unwrap(),
        time_zone: None,
    }
}

async fn ada(t: &TestApp) -> User {
    t.app
        .accounts
        .sign_up(sign_up_form("ada@example.org"))
        .await
        .unwrap()
}

/// The next event the use cases emitted (they are on the channel before the call returns).
async fn next_event(t: &TestApp) -> Event {
    let bound = std::time::Duration::from_secs(5);
    let emitted = tokio::time::timeout(bound, t.inbox.recv()).await;
    emitted.expect("an event was emitted").unwrap().event
}

/// The stored must-deliver events, oldest first.
async fn outbox(t: &TestApp) -> Vec<MustDeliver> {
    let mut stored = t.repos.outbox.list(100).await.unwrap();
    stored.sort_by_key(|m| m.id);
    stored
        .iter()
        .map(|m| serde_json::from_str(m.payload.as_deref().unwrap()).unwrap())
        .collect()
}

async fn sign_up_writes_its_welcome_with_the_account(db: &TestDb) {
    let (t, config) = start(db);
    let ada = ada(&t).await;
    assert_eq!(ada.time_zone, Some(config.auth.default_time_zone));
    let taken = t
        .app
        .accounts
        .sign_up(sign_up_form("ADA@example.org"))
        .await;
    assert_eq!(taken.unwrap_err().kind, ErrorKind::Conflict);
    let stored = outbox(&t).await;
    assert_eq!(stored.len(), 1, "one welcome, none for the refused sign-up");
    let MustDeliver::UserCreated(welcome) = &stored[0] else {
        panic!("{stored:?}");
    };
    assert_eq!(
        (welcome.user_id, welcome.email.as_str()),
        (ada.id, "ada@example.org")
    );

    let signed_in = t
        .app
        .accounts
        .sign_in("ada@example.org", PASSWORD, "192.0.2.1");
    assert_eq!(signed_in.await.unwrap().user.id, ada.id);
    let user_id = ada.id;
    assert_eq!(next_event(&t).await, UserLoggedIn { user_id }.into());
}

async fn a_reset_link_is_sealed_and_works_once(db: &TestDb) {
    let (t, config) = start(db);
    let ada = ada(&t).await;
    let accounts = &t.app.accounts;
    let nobody = Email::parse("nobody@example.org").unwrap();
    accounts.request_reset(&nobody, "192.0.2.1").await.unwrap();
    assert_eq!(outbox(&t).await.len(), 1, "no mail for an unknown email");
    accounts
        .request_reset(&ada.email, "192.0.2.1")
        .await
        .unwrap();
    let stored = t.repos.outbox.list(100).await.unwrap();
    assert!(
        stored
            .iter()
            .all(|m| !m.payload.as_deref().unwrap().contains("token="))
    );
    let Some(MustDeliver::PasswordResetRequested(mail)) = outbox(&t).await.pop() else {
        panic!("no reset mail in {stored:?}");
    };
    let link = Sealer::new(&config.auth.jwt_secret)
        .open(&mail.reset_link)
        .unwrap();
    let token = link
        .expose()
        .rsplit_once("password_reset_token=")
        .unwrap()
        .1
        .to_owned();
    assert!(link.expose().starts_with(&config.mail.frontend_url));

    let new_password = Password::parse("another fine password").unwrap();
    for (email, token) in [
        ("ada@example.org", "0bad"),
        ("nobody@example.org", token.as_str()),
    ] {
        let refused = accounts.complete_reset(email, token, &new_password).await;
        assert_eq!(refused.unwrap_err().detail, RESET_TOKEN_REFUSED);
    }
    accounts
        .complete_reset("ada@example.org", &token, &new_password)
        .await
        .unwrap();
    let again = accounts
        .complete_reset("ada@example.org", &token, &new_password)
        .await;
    assert_eq!(
        again.unwrap_err().kind,
        ErrorKind::Unauthorized,
        "a link works once"
    );
    let signed_in = accounts.sign_in("ada@example.org", "another fine password", "192.0.2.1");
    assert!(signed_in.await.is_ok());
    assert!(matches!(
        outbox(&t).await.pop(),
        Some(MustDeliver::PasswordResetCompleted(_))
    ));
}

async fn a_profile_change_checks_the_current_password(db: &TestDb) {
    let (t, _) = start(db);
    let ada = ada(&t).await;
    let accounts = &t.app.accounts;
    let wrong = ProfilePatch {
        new_password: Some("a new fine password".into()),
        current_password: Some("not the password".into()),
        ..Default::default()
    };
    let refused = accounts.update_me(&ada, wrong).await.unwrap_err();
    assert_eq!(refused.detail, "Current password is incorrect.");
    let half = ProfilePatch {
        new_password: Some("a new fine password".into()),
        ..Default::default()
    };
    let refused = accounts.update_me(&ada, half).await.unwrap_err();
    assert_eq!(refused.detail, "current_password: field required");
    let empty = accounts.update_me(&ada, ProfilePatch::default()).await;
    assert_eq!(empty.unwrap_err().kind, ErrorKind::Invalid);

    let patch = ProfilePatch {
        name: Some("Ada L.".into()),
        time_zone: Some("Asia/Tokyo".into()),
        new_password: Some("a new fine password".into()),
        current_password: Some(PASSWORD.into()),
    };
    let updated = accounts.update_me(&ada, patch).await.unwrap();
    assert_eq!(updated.name, "Ada L.");
    assert_eq!(
        updated.time_zone,
        Some(TimeZone::parse("Asia/Tokyo").unwrap())
    );
    let user_id = ada.id;
    assert_eq!(next_event(&t).await, UserUpdated { user_id }.into());
    let signed_in = accounts.sign_in("ada@example.org", "a new fine password", "192.0.2.1");
    assert!(signed_in.await.is_ok());
}

async fn deleting_oneself_leaves_an_audit_record(db: &TestDb) {
    let (t, _) = start(db);
    let ada = ada(&t).await;
    t.app.accounts.delete_me(ada.id).await.unwrap();
    assert!(t.repos.users.find_by_id(ada.id).await.unwrap().is_none());
    let audit = outbox(&t).await.pop().unwrap();
    assert!(matches!(audit, MustDeliver::UserDeleted(d) if d.user_id == ada.id));
}

async fn panels_and_taps_announce_themselves(db: &TestDb) {
    let (t, _) = start(db);
    let ada = ada(&t).await;
    let panel = NewPanel {
        title: PanelTitle::parse("Move").unwrap(),
        description: None,
        position: None,
    };
    let panel = t.app.panels.create(ada.id, panel).await.unwrap();
    let (user_id, panel_id) = (ada.id, panel.id);
    assert_eq!(
        next_event(&t).await,
        PanelCreated { user_id, panel_id }.into()
    );
    let entry = t
        .app
        .history
        .record(ada.id, panel.id, ninepanels_domain::entry::Mark::Done)
        .await
        .unwrap();
    let recorded = EntryRecorded {
        user_id,
        panel_id,
        entry_id: entry.id,
        is_complete: true,
        is_skip: false,
    };
    assert_eq!(next_event(&t).await, recorded.into());
    let listed = t.app.panels.list_with_today(&ada, None).await.unwrap();
    assert_eq!(listed, vec![(panel, true)]);
    let page = t
        .app
        .history
        .page(ada.id, panel_id, None, 10)
        .await
        .unwrap();
    assert_eq!((page.entries, page.next), (vec![entry], None));
}

ninepanels_persistence::test_on_both_engines!(
    sign_up_writes_its_welcome_with_the_account,
    a_reset_link_is_sealed_and_works_once,
    a_profile_change_checks_the_current_password,
    deleting_oneself_leaves_an_audit_record,
    panels_and_taps_announce_themselves,
);
