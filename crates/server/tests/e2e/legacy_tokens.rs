//! Cutover from the old server: with `LEGACY_JWT_SECRET`, its tokens (`sub` = email, no `jti`)
//! keep people signed in until they expire, unless the old server revoked them; a sign-out or a
//! password reset here ends them. Off by default.

use crate::accounts::reset_tokens;
use crate::support::TestServer;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{EncodingKey, Header, encode};
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Secret;
use ninepanels_persistence::testing::TestEngine;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

const OLD_SECRET: &str = "the old server's secret";

/// A token as the old server signed it: `{"sub": email, "exp": ...}`, HS256.
fn old_token(secret: &str, email: &str, expires: DateTime<Utc>) -> String {
    let claims = json!({"sub": email, "exp": expires.timestamp()});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Makes an account look adopted from the old server's database (no token cut-off), as the
/// accounts old tokens belong to are.
async fn adopted(server: &TestServer, email: &str) {
    let db = &server.db.db;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE users SET tokens_valid_after = NULL WHERE email = $1",
        [email.into()],
    ))
    .await
    .unwrap();
}

/// Ada's adopted account, and a token the old server gave her a little earlier (7 days left).
async fn ada_with_an_old_token(server: &TestServer) -> String {
    server.new_account("ada@example.org").await;
    adopted(server, "ada@example.org").await;
    old_token(
        OLD_SECRET,
        "ada@example.org",
        server.clock.now() + Duration::days(7),
    )
}

async fn status_with(server: &TestServer, token: &str) -> u16 {
    server.get_as("/v5/users", token).await.0.as_u16()
}

async fn old_tokens_pass_until_they_expire_or_are_revoked(engine: TestEngine) {
    let Some(server) = TestServer::start_with(engine, |c| {
        c.auth.legacy_jwt_secret = Some(Secret::new(OLD_SECRET));
    })
    .await
    else {
        return;
    };
    let (ada_id, _) = server.new_account("ada@example.org").await;
    server.new_account("bob@example.org").await;
    adopted(&server, "ada@example.org").await;
    adopted(&server, "bob@example.org").await;
    let now = server.clock.now();
    let ada = old_token(OLD_SECRET, "ada@example.org", now + Duration::days(7));

    let (status, body) = server.get_as("/v5/users", &ada).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["id"],
        json!(ada_id),
        "the email names the user"
    );
    let (status, body) = server.get_as("/v5/panels", &ada).await;
    assert_eq!(status, 200, "{body}");

    let forged = old_token(
        "not the old secret",
        "ada@example.org",
        now + Duration::days(7),
    );
    assert_eq!(status_with(&server, &forged).await, 401);
    let stranger = old_token(OLD_SECRET, "nobody@example.org", now + Duration::days(7));
    assert_eq!(status_with(&server, &stranger).await, 401);
    let expired = old_token(OLD_SECRET, "ada@example.org", now - Duration::seconds(1));
    assert_eq!(status_with(&server, &expired).await, 401);

    // The old server revoked tokens by storing them whole, with no expiry.
    let revoked_there = old_token(OLD_SECRET, "bob@example.org", now + Duration::days(5));
    let db = &server.db.db;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO blacklisted_access_tokens (access_token, blacklisted_at) VALUES ($1, $2)",
        [
            revoked_there.clone().into(),
            (now - Duration::days(40)).naive_utc().into(),
        ],
    ))
    .await
    .unwrap();
    assert_eq!(
        status_with(&server, &revoked_there).await,
        401,
        "a sign-out at the old server holds"
    );

    let (status, _) = server.send(Method::POST, "/v5/auth/logout", &ada).await;
    assert_eq!(status, 200);
    assert_eq!(status_with(&server, &ada).await, 401, "signed out here");
    let peer = server.start_peer(|c| {
        c.auth.legacy_jwt_secret = Some(Secret::new(OLD_SECRET));
    });
    let peer = peer.await;
    let at_peer = server
        .client
        .get(peer.url("/v5/users"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(at_peer.status(), 401, "and at every other process at once");
    peer.stop().await;

    let later = old_token(OLD_SECRET, "ada@example.org", now + Duration::days(6));
    assert_eq!(status_with(&server, &later).await, 200);
    server.clock.advance(Duration::days(6));
    assert_eq!(status_with(&server, &later).await, 401, "expired now");
    server.stop().await;
}

async fn a_password_reset_ends_old_tokens(engine: TestEngine) {
    let Some(server) = TestServer::start_with(engine, |c| {
        c.auth.legacy_jwt_secret = Some(Secret::new(OLD_SECRET));
    })
    .await
    else {
        return;
    };
    let ada = ada_with_an_old_token(&server).await;
    assert_eq!(status_with(&server, &ada).await, 200);
    server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "ada@example.org")],
        )
        .await;
    let token = reset_tokens(&server, 2).await.pop().expect("a reset mail");
    let (status, body) = server
        .post_form(
            "/v5/auth/password_reset",
            &[
                ("new_password", "a brand new password"),
                ("email", "ada@example.org"),
                ("password_reset_token", &token),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(status_with(&server, &ada).await, 401);
    server.stop().await;
}

async fn old_tokens_are_refused_by_default(engine: TestEngine) {
    let Some(server) = TestServer::start(engine).await else {
        return;
    };
    let ada = ada_with_an_old_token(&server).await;
    assert_eq!(status_with(&server, &ada).await, 401);
    server.stop().await;
}

/// An email that had an account at the old server, deleted there or here and signed up again
/// here, is a new account: the old server's tokens for that email do not open it.
async fn an_account_made_here_never_takes_an_old_token(engine: TestEngine) {
    let Some(server) = TestServer::start_with(engine, |c| {
        c.auth.legacy_jwt_secret = Some(Secret::new(OLD_SECRET));
    })
    .await
    else {
        return;
    };
    let old = old_token(
        OLD_SECRET,
        "carol@example.org",
        server.clock.now() + Duration::days(7),
    );
    let (_, carol) = server.new_account("carol@example.org").await;
    assert_eq!(status_with(&server, &old).await, 401);
    assert_eq!(
        status_with(&server, &carol).await,
        200,
        "her own token works"
    );
    server.stop().await;
}

ninepanels_persistence::test_with_each_engine!(
    an_account_made_here_never_takes_an_old_token,
    old_tokens_pass_until_they_expire_or_are_revoked,
    a_password_reset_ends_old_tokens,
    old_tokens_are_refused_by_default
);
