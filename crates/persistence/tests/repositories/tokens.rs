//! The token repository on both engines: revocations and single-use reset tokens.

use crate::support::{at, user};
use chrono::Duration;
use ninepanels_domain::ports::{TokenRepository, UserRepository};
use ninepanels_domain::user::PasswordHash;
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlTokens, SqlUsers};

async fn revocations_are_idempotent_and_read_back_until_they_expire(db: &TestDb) {
    let tokens = SqlTokens::new(db.db.clone());
    let now = at(2026, 5, 1, 12, 0);
    tokens
        .revoke_access_token("jti-1", now + Duration::days(30), now)
        .await
        .unwrap();
    tokens
        .revoke_access_token("jti-1", now + Duration::days(30), now)
        .await
        .unwrap();
    tokens
        .revoke_access_token(
            "jti-2",
            now + Duration::minutes(5),
            now + Duration::minutes(1),
        )
        .await
        .unwrap();
    let mut all = tokens
        .revoked_since(now - Duration::hours(1), now)
        .await
        .unwrap();
    all.sort();
    assert_eq!(all, ["jti-1", "jti-2"]);
    let recent = tokens
        .revoked_since(now + Duration::seconds(30), now)
        .await
        .unwrap();
    assert_eq!(recent, ["jti-2"]);
    let later = tokens
        .revoked_since(now - Duration::hours(1), now + Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!(
        later,
        ["jti-1"],
        "expired revocations are not worth keeping in memory"
    );
    assert!(tokens.is_revoked("jti-2").await.unwrap());
    assert!(!tokens.is_revoked("jti-3").await.unwrap());
}

async fn a_reset_token_works_once_for_its_user_before_expiry(db: &TestDb) {
    let tokens = SqlTokens::new(db.db.clone());
    let users = SqlUsers::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let eve = user(db, "eve@example.org").await;
    let t = at(2026, 5, 1, 12, 0);
    let expiry = t + Duration::minutes(15);
    tokens
        .create_reset_token(ada.id, "hash-old", t, expiry, Vec::new())
        .await
        .unwrap();
    tokens
        .create_reset_token(ada.id, "hash-new", t, expiry, Vec::new())
        .await
        .unwrap();
    let new_hash = PasswordHash::new("argon-new");
    let soon = t + Duration::minutes(1);

    assert!(
        !tokens
            .complete_password_reset(ada.id, "hash-old", &new_hash, soon, Vec::new())
            .await
            .unwrap(),
        "a newer request invalidates older tokens"
    );
    assert!(
        !tokens
            .complete_password_reset(eve.id, "hash-new", &new_hash, soon, Vec::new())
            .await
            .unwrap(),
        "another user's token"
    );
    assert!(
        !tokens
            .complete_password_reset(ada.id, "hash-new", &new_hash, expiry, Vec::new())
            .await
            .unwrap(),
        "expired"
    );
    assert_eq!(
        users.get_by_id(ada.id).await.unwrap(),
        ada,
        "failed attempts change nothing"
    );

    assert!(
        tokens
            .complete_password_reset(ada.id, "hash-new", &new_hash, soon, Vec::new())
            .await
            .unwrap()
    );
    let after = users.get_by_id(ada.id).await.unwrap();
    assert_eq!(after.password_hash, new_hash);
    assert_eq!(after.tokens_valid_after, Some(soon));
    assert!(
        !tokens
            .complete_password_reset(ada.id, "hash-new", &new_hash, soon, Vec::new())
            .await
            .unwrap(),
        "used"
    );
}

async fn sign_in_invalidates_outstanding_reset_tokens(db: &TestDb) {
    let tokens = SqlTokens::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let t = at(2026, 5, 1, 12, 0);
    tokens
        .create_reset_token(ada.id, "h", t, t + Duration::minutes(15), Vec::new())
        .await
        .unwrap();
    tokens
        .invalidate_reset_tokens(ada.id, t + Duration::minutes(1))
        .await
        .unwrap();
    let ok = tokens
        .complete_password_reset(
            ada.id,
            "h",
            &PasswordHash::new("x"),
            t + Duration::minutes(2),
            Vec::new(),
        )
        .await
        .unwrap();
    assert!(!ok);
}

ninepanels_persistence::test_on_both_engines!(
    revocations_are_idempotent_and_read_back_until_they_expire,
    a_reset_token_works_once_for_its_user_before_expiry,
    sign_in_invalidates_outstanding_reset_tokens,
);
