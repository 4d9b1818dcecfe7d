//! Accounts over HTTP, on both engines.

use crate::support::{TestServer, error_message, read};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use ninepanels_app::auth::tokens::TokenKeys;
use ninepanels_domain::config::MailerConfig;
use ninepanels_domain::ports::UserRepository;
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, UserName};
use ninepanels_persistence::SqlUsers;
use ninepanels_persistence::testing::TestEngine;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const PASSWORD: &str = "a fine password";

async fn assert_unauthorized(server: &TestServer, token: &str) {
    let response = server
        .authed(Method::GET, "/v5/users", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let (status, body) = read(response).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_message(&body, 401), "Could not validate credentials");
}

async fn sign_up_returns_the_user_and_sends_a_welcome(server: TestServer) {
    let user = server.sign_up("Ada.Lovelace@Example.org", PASSWORD).await;
    assert_eq!(user["email"], "ada.lovelace@example.org");
    assert_eq!(user["name"], "Ada");
    assert_eq!(user["is_admin"], false);
    assert_eq!(user["time_zone"], "Europe/London");
    assert_eq!(user["last_login"], Value::Null);
    assert!(user["id"].is_i64());
    let (status, body) = server
        .post_form(
            "/v5/users",
            &[
                ("email", "kiri@example.org"),
                ("name", "  Kiri Te Rangi 🌿 "),
                ("password", PASSWORD),
                ("time_zone", "Pacific/Auckland"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["name"], "Kiri Te Rangi 🌿");
    assert_eq!(body["data"]["time_zone"], "Pacific/Auckland");
    let mails = server.mails_to("ada.lovelace@example.org").await;
    assert!(
        mails[0].contains("Subject: Welcome to Nine Panels"),
        "{mails:?}"
    );
    server.stop().await;
}

async fn sign_up_refuses_a_taken_email_or_bad_fields_and_changes_nothing(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    let (status, body) = server
        .post_form(
            "/v5/users",
            &[
                ("email", "ADA@example.org"),
                ("name", "Ada"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_message(&body, 400), "Do you have an account already?");
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("email", "not-an-email"),
                ("name", "A"),
                ("password", PASSWORD),
            ],
            "email: not a valid email address",
        ),
        (
            &[
                ("email", "b@example.org"),
                ("name", "   "),
                ("password", PASSWORD),
            ],
            "name: must not be empty",
        ),
        (
            &[
                ("email", "b@example.org"),
                ("name", "B"),
                ("password", "short"),
            ],
            "password: must be at least 8 characters",
        ),
        (
            &[
                ("email", "b@example.org"),
                ("name", "B"),
                ("password", PASSWORD),
                ("time_zone", "Moon/Base"),
            ],
            "time_zone: 'Moon/Base' is not a known time zone (use an IANA name such as Europe/London)",
        ),
        (
            &[("name", "B"), ("password", PASSWORD)],
            "email: field required",
        ),
        (
            &[("email", "b@example.org"), ("password", PASSWORD)],
            "name: field required",
        ),
    ];
    for (fields, expected) in cases {
        let (status, body) = server.post_form("/v5/users", fields).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error_message(&body, 422), expected);
    }
    let json_body = server
        .client
        .post(server.url("/v5/users"))
        .json(&json!({"email": "b@example.org", "name": "B", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, body) = read(json_body).await;
    assert_eq!(status, 422);
    assert!(error_message(&body, 422).contains("must be a form"));
    let users = SqlUsers::new(server.db.db.clone()).list().await.unwrap();
    assert_eq!(users.len(), 1, "refused sign-ups stored nothing");
    server.stop().await;
}

async fn sign_in_gives_a_bearer_token_and_the_same_401_for_any_wrong_guess(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    let (status, body) = server
        .post_form(
            "/token",
            &[("username", "ADA@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["token_type"], "bearer");
    assert_eq!(
        body["data"]["access_token"]
            .as_str()
            .unwrap()
            .split('.')
            .count(),
        3
    );

    let mut answers = Vec::new();
    for (username, password) in [
        ("ada@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let response = server
            .client
            .post(server.url("/token"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let (status, body) = read(response).await;
        assert_eq!(status, 401);
        answers.push(body);
    }
    assert_eq!(
        error_message(&answers[0], 401),
        "Incorrect email or password"
    );
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");

    let (status, body) = server
        .post_form("/token", &[("username", "ada@example.org")])
        .await;
    assert_eq!(status, 422);
    assert_eq!(error_message(&body, 422), "password: field required");
    server.stop().await;
}

async fn swagger_sign_in_is_not_wrapped(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    let response = server
        .client
        .post(server.url("/token"))
        .header("Referer", format!("{}/docs", server.url("")))
        .form(&[("username", "ada@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert!(body.get("data").is_none());
    server.stop().await;
}

async fn the_token_reads_the_caller_and_records_the_login(server: TestServer) {
    let (id, token) = server.new_account("ada@example.org").await;
    let (status, body) = server.get_as("/v5/users", &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["id"], id);
    assert_eq!(body["data"]["email"], "ada@example.org");
    server.drain().await;
    // Read from the database: the answer above is cached for a few seconds.
    let users = SqlUsers::new(server.db.db.clone());
    let stored = users.get_by_id(id as i32).await.unwrap();
    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 6, 15, 12, 0, 0).unwrap();
    assert_eq!(
        (stored.last_login, stored.last_activity),
        (Some(at), Some(at))
    );
    server.stop().await;
}

async fn forged_expired_revoked_and_orphaned_tokens_are_refused(server: TestServer) {
    let (id, token) = server.new_account("ada@example.org").await;
    assert_unauthorized(&server, "").await;
    assert_unauthorized(&server, "not-a-jwt").await;
    let missing = server
        .client
        .get(server.url("/v5/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);

    let payload = token.split('.').nth(1).unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    assert_unauthorized(&server, &format!("{none_header}.{payload}.")).await;

    let other = TokenKeys::new("some-other-secret-of-enough-length!!", Duration::days(30));
    let (forged, _) = other
        .issue(
            id as i32,
            ninepanels_domain::clock::Clock::now(&server.clock),
        )
        .unwrap();
    assert_unauthorized(&server, &forged).await;

    server
        .clock
        .advance(Duration::days(30) + Duration::seconds(1));
    assert_unauthorized(&server, &token).await;
    server
        .clock
        .advance(-(Duration::days(30) + Duration::seconds(1)));
    let (status, _) = server.get_as("/v5/users", &token).await;
    assert_eq!(status, 200, "the same token is fine before expiry");

    let (status, body) = server.send(Method::POST, "/v5/auth/logout", &token).await;
    assert_eq!((status.as_u16(), &body["data"]), (200, &json!(true)));
    assert_unauthorized(&server, &token).await;

    let (_, bob) = server.new_account("bob@example.org").await;
    let (status, body) = server.send(Method::DELETE, "/v5/users", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({"success": true}));
    assert_unauthorized(&server, &bob).await;
    server.stop().await;
}

async fn patch_changes_name_zone_and_password(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let patch = |body: Value| {
        server
            .authed(Method::PATCH, "/v5/users", &token)
            .json(&body)
            .send()
    };
    let (status, body) = read(
        patch(json!({"name": "Ada L.", "time_zone": "America/Los_Angeles"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["name"], "Ada L.");
    assert_eq!(body["data"]["time_zone"], "America/Los_Angeles");

    let refusals = [
        (
            json!({"new_password": "another password", "current_password": "wrong"}),
            400,
            "Current password is incorrect.",
        ),
        (
            json!({"new_password": "another password"}),
            422,
            "current_password: field required",
        ),
        (
            json!({"new_password": "short", "current_password": PASSWORD}),
            422,
            "new_password: must be at least 8 characters",
        ),
        (json!({"is_admin": true}), 422, "is_admin: unknown field"),
        (
            json!({"time_zone": "Atlantis/Capital"}),
            422,
            "time_zone: 'Atlantis/Capital' is not a known time zone (use an IANA name such as Europe/London)",
        ),
        (
            json!({"name": 7}),
            422,
            "name: invalid type: integer `7`, expected a string",
        ),
        (
            json!({}),
            422,
            "body: give at least one of name, time_zone, or new_password with current_password",
        ),
    ];
    for (body, status, message) in refusals {
        let (got, reply) = read(patch(body.clone()).await.unwrap()).await;
        assert_eq!(got, status, "{body} → {reply}");
        assert_eq!(error_message(&reply, status), message);
    }
    let (_, me) = server.get_as("/v5/users", &token).await;
    assert_eq!(
        me["data"]["name"], "Ada L.",
        "refused patches changed nothing"
    );
    assert!(
        !me["data"].as_object().unwrap().contains_key("is_admin")
            || me["data"]["is_admin"] == false
    );

    let (status, _) = read(
        patch(json!({"new_password": "another password", "current_password": PASSWORD}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    server.sign_in("ada@example.org", "another password").await;
    let (status, _) = server
        .post_form(
            "/token",
            &[("username", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 401);
    server.stop().await;
}

/// The reset tokens mailed to ada once she has `count` mails (written in any order).
pub(crate) async fn reset_tokens(server: &TestServer, count: usize) -> Vec<String> {
    let mails = server.mails_to("ada@example.org").await;
    assert_eq!(mails.len(), count, "{mails:?}");
    mails
        .iter()
        .filter(|m| m.contains("Subject: Reset your Nine Panels password"))
        .map(|m| reset_token_from(m))
        .collect()
}

pub(crate) fn reset_token_from(mail: &str) -> String {
    let link = mail
        .lines()
        .find(|l| l.contains("/password_reset?"))
        .expect("a reset link");
    assert!(
        link.starts_with(
            "http://localhost:5173/password_reset?email=ada%40example.org&password_reset_token="
        ),
        "{link}"
    );
    link.rsplit('=').next().unwrap().to_owned()
}

async fn password_reset_works_once_and_kills_old_tokens(server: TestServer) {
    let (_, old_token) = server.new_account("ada@example.org").await;
    let (status, body) = server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["data"]),
        (200, &json!(true)),
        "unknown emails get the same answer"
    );
    let (status, body) = server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "Ada@Example.org")],
        )
        .await;
    assert_eq!((status.as_u16(), &body["data"]), (200, &json!(true)));
    let mails = server.mails_to("ada@example.org").await;
    let reset_mail = mails
        .iter()
        .find(|m| m.contains("Subject: Reset your Nine Panels password"))
        .unwrap();
    let token = reset_token_from(reset_mail);
    assert!(server.mails_to("nobody@example.org").await.is_empty());

    let reset = |email: &'static str, token: String, password: &'static str| {
        let server = &server;
        async move {
            server
                .post_form(
                    "/v5/auth/password_reset",
                    &[
                        ("new_password", password),
                        ("email", email),
                        ("password_reset_token", &token),
                    ],
                )
                .await
        }
    };
    let (status, body) = reset("bob@example.org", token.clone(), "brand new password").await;
    assert_eq!(status, 401);
    assert_eq!(
        error_message(&body, 401),
        "Please request a new password reset token."
    );
    let (status, body) = reset("ada@example.org", "0".repeat(64), "brand new password").await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = reset("ada@example.org", token.clone(), "short").await;
    assert_eq!(status, 422);
    assert_eq!(
        error_message(&body, 422),
        "new_password: must be at least 8 characters"
    );

    server.clock.advance(Duration::seconds(1));
    let (status, body) = reset("ada@example.org", token.clone(), "brand new password").await;
    assert_eq!(
        (status.as_u16(), &body["data"]),
        (200, &json!(true)),
        "{body}"
    );
    assert_unauthorized(&server, &old_token).await;
    let (status, _) = reset("ada@example.org", token, "another new password").await;
    assert_eq!(status, 401, "a used token fails");
    let fresh = server
        .sign_in("ada@example.org", "brand new password")
        .await;
    let (status, _) = server.get_as("/v5/users", &fresh).await;
    assert_eq!(status, 200, "a token issued after the reset works");
    server.stop().await;
}

async fn reset_tokens_expire_and_die_on_sign_in(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "ada@example.org")],
        )
        .await;
    let first = reset_tokens(&server, 2)
        .await
        .pop()
        .expect("one reset mail");
    server.clock.advance(Duration::minutes(16));
    let (status, _) = server
        .post_form(
            "/v5/auth/password_reset",
            &[
                ("new_password", "brand new password"),
                ("email", "ada@example.org"),
                ("password_reset_token", &first),
            ],
        )
        .await;
    assert_eq!(status, 401, "expired");

    server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "ada@example.org")],
        )
        .await;
    let second = reset_tokens(&server, 3)
        .await
        .into_iter()
        .find(|t| *t != first)
        .expect("a second reset mail");
    server.sign_in("ada@example.org", PASSWORD).await;
    let (status, _) = server
        .post_form(
            "/v5/auth/password_reset",
            &[
                ("new_password", "brand new password"),
                ("email", "ada@example.org"),
                ("password_reset_token", &second),
            ],
        )
        .await;
    assert_eq!(
        status, 401,
        "signing in invalidated the outstanding reset token"
    );
    server.stop().await;
}

async fn admins_list_users_and_others_get_403(server: TestServer) {
    let (ada_id, ada) = server.new_account("ada@example.org").await;
    let (_, bob) = server.new_account("bob@example.org").await;
    let (status, body) = server.get_as("/v5/admin/users", &bob).await;
    assert_eq!(status, 403);
    assert_eq!(error_message(&body, 403), "Admins only.");
    server.make_admin(ada_id).await;
    let (status, body) = server.get_as("/v5/admin/users", &ada).await;
    assert_eq!(status, 200);
    let emails: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ada@example.org", "bob@example.org"]);
    server.stop().await;
}

async fn an_old_server_bcrypt_hash_signs_in_and_is_upgraded(server: TestServer) {
    let users = SqlUsers::new(server.db.db.clone());
    let legacy = users
        .create(
            NewUser {
                email: Email::parse("old@example.org").unwrap(),
                name: UserName::parse("Old Timer").unwrap(),
                password_hash: PasswordHash::new(
                    "$2b$12$KWBWKNdptsKYV86/Vik3nu/vG2EgoszXYHGHutSGoHGDak4X0F2OS",
                ),
                time_zone: TimeZone::parse("Europe/London").unwrap(),
                is_admin: false,
            },
            Box::new(|_| Vec::new()),
        )
        .await
        .unwrap();
    let (status, _) = server
        .post_form(
            "/token",
            &[("username", "old@example.org"), ("password", "wrong")],
        )
        .await;
    assert_eq!(status, 401);
    let token = server
        .sign_in("old@example.org", "old-server-password")
        .await;
    let (status, _) = server.get_as("/v5/users", &token).await;
    assert_eq!(status, 200);
    let stored = users.get_by_id(legacy.id).await.unwrap();
    assert!(
        stored.password_hash.as_str().starts_with("$argon2id$"),
        "rehashed on sign-in"
    );
    server
        .sign_in("old@example.org", "old-server-password")
        .await;
    server.stop().await;
}

async fn oversized_bodies_are_refused_and_change_nothing(server: TestServer) {
    let response = server
        .client
        .post(server.url("/v5/users"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "email=a%40example.org&name={}&password=abcdefghij",
            "x".repeat(10 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert!(status.is_client_error(), "{status}");
    error_message(&body, status.as_u16());
    assert!(
        SqlUsers::new(server.db.db.clone())
            .list()
            .await
            .unwrap()
            .is_empty()
    );
    server.stop().await;
}

crate::e2e_on_both_engines!(
    sign_up_returns_the_user_and_sends_a_welcome,
    sign_up_refuses_a_taken_email_or_bad_fields_and_changes_nothing,
    sign_in_gives_a_bearer_token_and_the_same_401_for_any_wrong_guess,
    swagger_sign_in_is_not_wrapped,
    the_token_reads_the_caller_and_records_the_login,
    forged_expired_revoked_and_orphaned_tokens_are_refused,
    patch_changes_name_zone_and_password,
    password_reset_works_once_and_kills_old_tokens,
    reset_tokens_expire_and_die_on_sign_in,
    admins_list_users_and_others_get_403,
    an_old_server_bcrypt_hash_signs_in_and_is_upgraded,
    oversized_bodies_are_refused_and_change_nothing,
    a_revocation_reaches_a_second_process,
);

/// Two processes on one database: a sign-out at one is honoured by the other within the sync
/// interval (`REVOCATION_SYNC_SECS`, 1 s here).
async fn a_revocation_reaches_a_second_process(server: TestServer) {
    let peer = server.start_peer(|c| c.auth.revocation_sync_secs = 1).await;
    let (_, token) = server.new_account("ada@example.org").await;
    let at_peer = || {
        server
            .client
            .get(peer.url("/v5/users"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(at_peer().await.unwrap().status(), 200);
    let (status, _) = server.send(Method::POST, "/v5/auth/logout", &token).await;
    assert_eq!(status, 200);
    let started = std::time::Instant::now();
    loop {
        if at_peer().await.unwrap().status() == 401 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the peer never saw the revocation"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    peer.stop().await;
    server.stop().await;
}

/// A reset mail that cannot leave yet waits in the outbox with its link sealed: whoever reads
/// the table (or a backup of it) cannot use it.
async fn a_pending_reset_mail_keeps_no_link_in_clear(engine: TestEngine) {
    let blocked = tempfile::NamedTempFile::new().unwrap();
    let Some(server) = TestServer::start_with(engine, |c| {
        c.mail.mailer = MailerConfig::Log {
            dir: blocked.path().join("not-a-folder"),
        };
    })
    .await
    else {
        return;
    };
    server.new_account("ada@example.org").await;
    let (status, _) = server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "ada@example.org")],
        )
        .await;
    assert_eq!(status, 200);
    let db = &server.db.db;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT payload, attempts FROM event_outbox WHERE kind = 'PasswordResetRequested'",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the reset mail went through the outbox");
    let payload: String = rows[0].try_get_by_index(0).unwrap();
    let link = payload
        .split('"')
        .find(|part| part.starts_with("v1:"))
        .unwrap_or_else(|| panic!("a sealed link: {payload}"));
    assert!(link.len() > 60, "{link}");
    for clear in ["password_reset_token", "http", "ada%40example.org"] {
        assert!(!payload.contains(clear), "{clear} in clear: {payload}");
    }
    server.stop().await;
}

ninepanels_persistence::test_with_each_engine!(a_pending_reset_mail_keeps_no_link_in_clear);
