//! Sign-in limits that stop attackers, not users: only failures count, a success clears its
//! email's failures, the counts hold across processes, the client address is found behind
//! trusted proxies only, and the wait told is honest.

use crate::support::{TestServer, error_message, read};
use chrono::Duration;
use ninepanels_domain::config::Config;
use ninepanels_domain::proxies::TrustedProxies;

const PASSWORD: &str = "a fine password";

/// Five failures per email and eight per address in a minute; the test client's loopback
/// address is a trusted proxy, so `X-Forwarded-For` picks the client.
fn limited(config: &mut Config) {
    config.auth.rate_limits.window_secs = 60;
    config.auth.rate_limits.per_email = 5;
    config.auth.rate_limits.per_address = 8;
    config.http.trusted_proxies = TrustedProxies::parse("127.0.0.1/32, ::1/128").unwrap();
}

/// `POST /token` from `client` (as the proxy writes it in `X-Forwarded-For`).
async fn sign_in_from(
    server: &TestServer,
    client: &str,
    email: &str,
    password: &str,
) -> (u16, Option<String>, serde_json::Value) {
    let response = server
        .client
        .post(server.url("/token"))
        .header("X-Forwarded-For", client)
        .form(&[("username", email), ("password", password)])
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = read(response).await;
    (status.as_u16(), retry_after, body)
}

async fn successful_sign_ins_do_not_count(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    for device in 0..12 {
        let (status, _, body) =
            sign_in_from(&server, "203.0.113.1", "ada@example.org", PASSWORD).await;
        assert_eq!(status, 200, "sign-in {device}: {body}");
    }
    server.stop().await;
}

/// A username longer than any email (the attempts' key is indexed: PostgreSQL refuses an index
/// entry over about 2.7 kB) is a wrong username like any other, and is counted: two that differ
/// only past the longest email share one count.
async fn an_overlong_username_is_refused_and_counted_like_any_other(server: TestServer) {
    let stem = "a".repeat(300);
    // Letters that do not compress, as PostgreSQL would shrink a repeated one under the limit.
    let mut seed = 0x2545_f491_u64;
    let mut letters = |count: usize| -> String {
        (0..count)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                char::from(b'a' + ((seed >> 33) % 26) as u8)
            })
            .collect()
    };
    for n in 0..5 {
        let username = format!("{stem}{}@example.org", letters(6000));
        let (status, _, body) =
            sign_in_from(&server, &format!("203.0.113.{n}"), &username, "x").await;
        assert_eq!(status, 401, "{body}");
    }
    let (status, ..) = sign_in_from(&server, "203.0.113.9", &format!("{stem}c"), "x").await;
    assert_eq!(
        status, 429,
        "five failures under one key of the first 254 characters"
    );
    server.stop().await;
}

async fn failures_lock_the_email_even_for_the_right_password_and_say_how_long(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    for _ in 0..5 {
        let (status, ..) = sign_in_from(&server, "203.0.113.1", "ada@example.org", "wrong").await;
        assert_eq!(status, 401);
    }
    server.clock.advance(Duration::milliseconds(20_500));
    let (status, retry_after, body) =
        sign_in_from(&server, "203.0.113.2", "ada@example.org", PASSWORD).await;
    assert_eq!(
        status, 429,
        "the right password is refused during a lockout"
    );
    assert_eq!(retry_after.as_deref(), Some("40"), "39.5 s rounded up");
    assert_eq!(
        error_message(&body, 429),
        "Too many attempts; please try again in 40 seconds."
    );
    let (status, ..) = sign_in_from(&server, "203.0.113.2", "bob@example.org", "wrong").await;
    assert_eq!(status, 401, "another email is counted apart");
    server.clock.advance(Duration::seconds(40));
    let (status, _, body) = sign_in_from(&server, "203.0.113.1", "ada@example.org", PASSWORD).await;
    assert_eq!(
        status, 200,
        "waiting exactly as long as told is enough: {body}"
    );
    server.stop().await;
}

async fn a_success_clears_its_emails_failures(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    // Each phase from its own address: only the email's count is cleared.
    let attempt = async |client: &str, password: &str| {
        sign_in_from(&server, client, "ada@example.org", password)
            .await
            .0
    };
    for _ in 0..4 {
        assert_eq!(attempt("203.0.113.1", "wrong").await, 401);
    }
    assert_eq!(attempt("203.0.113.1", PASSWORD).await, 200);
    for _ in 0..5 {
        assert_eq!(
            attempt("203.0.113.2", "wrong").await,
            401,
            "the count started again"
        );
    }
    assert_eq!(attempt("203.0.113.3", "wrong").await, 429);
    server.stop().await;
}

async fn an_address_is_limited_on_its_own_and_cannot_be_forged(server: TestServer) {
    for n in 0..8 {
        let email = format!("guess{n}@example.org");
        let (status, ..) = sign_in_from(&server, "198.51.100.7", &email, "wrong").await;
        assert_eq!(status, 401);
    }
    // The client wrote its own X-Forwarded-For; the proxy appended the real address.
    let forged = "192.0.2.99, 198.51.100.7";
    let (status, ..) = sign_in_from(&server, forged, "fresh@example.org", "wrong").await;
    assert_eq!(status, 429, "the address is the right-most one not a proxy");
    let (status, ..) = sign_in_from(&server, "198.51.100.8", "fresh@example.org", "wrong").await;
    assert_eq!(
        status, 401,
        "other clients behind the same proxy are not locked out"
    );
    server.stop().await;
}

async fn failures_at_one_process_count_at_another(server: TestServer) {
    let peer = server.start_peer(limited).await;
    server.sign_up("ada@example.org", PASSWORD).await;
    for n in 0..5 {
        let url = if n % 2 == 0 {
            server.url("/token")
        } else {
            peer.url("/token")
        };
        let response = server
            .client
            .post(url)
            .form(&[("username", "ada@example.org"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let at_peer = server
        .client
        .post(peer.url("/token"))
        .form(&[("username", "ada@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(at_peer.status(), 429, "the peer counts the same failures");
    peer.stop().await;
    server.stop().await;
}

async fn reset_requests_count_every_request(server: TestServer) {
    for n in 0..5 {
        let (status, body) = server
            .post_form(
                "/v5/auth/request_password_reset",
                &[("email", "nobody@example.org")],
            )
            .await;
        assert_eq!(status, 200, "request {n}: {body}");
    }
    let (status, body) = server
        .post_form(
            "/v5/auth/request_password_reset",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(
        error_message(&body, 429),
        "Too many attempts; please try again in 60 seconds."
    );
    server.stop().await;
}

crate::e2e_on_both_engines!(
    config = limited;
    successful_sign_ins_do_not_count,
    an_overlong_username_is_refused_and_counted_like_any_other,
    failures_lock_the_email_even_for_the_right_password_and_say_how_long,
    a_success_clears_its_emails_failures,
    an_address_is_limited_on_its_own_and_cannot_be_forged,
    failures_at_one_process_count_at_another,
    reset_requests_count_every_request,
);
