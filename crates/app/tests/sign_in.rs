//! Signing in on both engines, without HTTP: the right password gets a token that verifies;
//! a wrong one and an unknown email get the same refusal; failures are limited per email even
//! for the right password; an old bcrypt hash is upgraded; reset links die.

mod support;

use chrono::{TimeZone as _, Utc};
use ninepanels_app::App;
use ninepanels_app::accounts::WRONG_CREDENTIALS;
use ninepanels_domain::ErrorKind;
use ninepanels_domain::clock::TestClock;
use ninepanels_domain::config::AuthConfig;
use ninepanels_domain::ports::Repositories;
use ninepanels_domain::user::{Email, NewUser, Password, PasswordHash, TimeZone, UserName};
use ninepanels_persistence::testing::TestDb;
use std::sync::Arc;

const PASSWORD: &str = "a fine password";

async fn app_with_ada(db: &TestDb, hash: Option<PasswordHash>) -> (App, Repositories) {
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap());
    let support::TestApp { app, repos, .. } =
        support::app(db, AuthConfig::default(), Arc::new(clock));
    let password_hash = match hash {
        Some(hash) => hash,
        None => app
            .auth
            .passwords
            .hash(&Password::parse(PASSWORD).unwrap())
            .await
            .unwrap(),
    };
    let ada = NewUser {
        email: Email::parse("ada@example.org").unwrap(),
        name: UserName::parse("Ada").unwrap(),
        password_hash,
        time_zone: TimeZone::parse("Europe/London").unwrap(),
        is_admin: false,
    };
    repos
        .users
        .create(ada, Box::new(|_| Vec::new()))
        .await
        .unwrap();
    (app, repos)
}

async fn the_right_password_gets_a_token_and_guesses_are_limited(db: &TestDb) {
    let (app, repos) = app_with_ada(db, None).await;
    let accounts = &app.accounts;
    let signed_in = accounts
        .sign_in("Ada@Example.org", PASSWORD, "192.0.2.1")
        .await
        .unwrap();
    let claims = app
        .auth
        .keys
        .verify(&signed_in.access_token, accounts.now())
        .unwrap();
    assert_eq!(claims.user_id(), Some(signed_in.user.id));

    for (email, password) in [
        ("ada@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
    ] {
        let refused = accounts
            .sign_in(email, password, "192.0.2.1")
            .await
            .unwrap_err();
        assert_eq!(
            (refused.kind, refused.detail.as_str()),
            (ErrorKind::Unauthorized, WRONG_CREDENTIALS)
        );
    }
    // Five failures per email (the default) from addresses that stay under their own limit.
    for n in 0..4 {
        let address = format!("198.51.100.{n}");
        let refused = accounts
            .sign_in("ada@example.org", "guess", &address)
            .await
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Unauthorized);
    }
    let limited = accounts
        .sign_in("ada@example.org", PASSWORD, "203.0.113.9")
        .await
        .unwrap_err();
    assert_eq!(
        limited.kind,
        ErrorKind::RateLimited,
        "even the right password waits"
    );

    let user = repos
        .users
        .find_by_email(&Email::parse("ada@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(user.password_hash.as_str().starts_with("$argon2id$"));
}

async fn an_old_bcrypt_hash_is_upgraded_and_reset_links_die(db: &TestDb) {
    let legacy = bcrypt::hash_with_salt(PASSWORD, 4, [7u8; 16])
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB);
    let (app, repos) = app_with_ada(db, Some(PasswordHash::new(legacy))).await;
    let ada = repos
        .users
        .find_by_email(&Email::parse("ada@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = app.accounts.now();
    repos
        .tokens
        .create_reset_token(
            ada.id,
            "a-reset-hash",
            now,
            now + chrono::Duration::minutes(15),
            Vec::new(),
        )
        .await
        .unwrap();
    app.accounts
        .sign_in("ada@example.org", PASSWORD, "192.0.2.1")
        .await
        .unwrap();
    let upgraded = repos.users.get_by_id(ada.id).await.unwrap();
    assert!(
        upgraded.password_hash.as_str().starts_with("$argon2id$"),
        "upgraded"
    );
    app.accounts
        .sign_in("ada@example.org", PASSWORD, "192.0.2.1")
        .await
        .unwrap();
    let reset = repos
        .tokens
        .complete_password_reset(
            ada.id,
            "a-reset-hash",
            &upgraded.password_hash,
            now,
            Vec::new(),
        )
        .await
        .unwrap();
    assert!(!reset, "a sign-in ends outstanding reset links");
}

ninepanels_persistence::test_on_both_engines!(
    the_right_password_gets_a_token_and_guesses_are_limited,
    an_old_bcrypt_hash_is_upgraded_and_reset_links_die,
);
