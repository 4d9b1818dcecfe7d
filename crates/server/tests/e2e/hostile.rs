//! Hostile text in every field: NUL bytes, control characters and invalid UTF-8 get a 422 that
//! names the field, never a 500, and nothing is stored.

use crate::support::{TestServer, error_message, read};
use reqwest::Method;
use serde_json::json;

async fn refused_sign_ups_store_nothing(server: TestServer) {
    let cases = [
        (
            "email",
            "ada\0@example.org",
            "email: must not contain NUL characters",
        ),
        (
            "name",
            "Ada\u{1b}",
            "name: must not contain control characters",
        ),
        (
            "password",
            "long enough\0",
            "password: must not contain NUL characters",
        ),
        (
            "time_zone",
            "Europe/London\0",
            "time_zone: must not contain NUL characters",
        ),
    ];
    for (field, value, message) in cases {
        let mut fields = vec![
            ("email", "ada@example.org"),
            ("name", "Ada"),
            ("password", "long enough"),
        ];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        let (status, body) = server.post_form("/v5/users", &fields).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(error_message(&body, 422), message);
    }
    let raw = server
        .client
        .post(server.url("/v5/users"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(&b"email=ada%40example.org&name=Ad%C3a&password=long+enough"[..])
        .send()
        .await
        .unwrap();
    let (status, body) = read(raw).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_message(&body, 422), "name: not valid UTF-8");
    let (status, body) = server
        .post_form(
            "/token",
            &[("username", "ada@example.org"), ("password", "long enough")],
        )
        .await;
    assert_eq!(status, 401, "no account was made: {body}");
    server.stop().await;
}

async fn refused_changes_leave_the_account_and_panels_as_they_were(server: TestServer) {
    let (user_id, token) = server.new_account("ada@example.org").await;
    server.make_admin(user_id).await;
    let panel = server.create_panel(&token, "read").await["id"].clone();
    let user_changes = [
        (
            json!({"name": "A\0da"}),
            "name: must not contain control characters",
        ),
        (
            json!({"time_zone": "UTC\0"}),
            "time_zone: must not contain NUL characters",
        ),
        (
            json!({"new_password": "new one\0!", "current_password": "a fine password"}),
            "new_password: must not contain NUL characters",
        ),
    ];
    for (change, message) in user_changes {
        let (status, body) = server
            .send_json(Method::PATCH, "/v5/users", &token, &change)
            .await;
        assert_eq!(status, 422, "{change}: {body}");
        assert_eq!(error_message(&body, 422), message);
    }
    let (_, me) = server.get_as("/v5/users", &token).await;
    assert_eq!(me["data"]["name"], "Ada");
    let reads = [
        (
            "/v5/panels/{id}/entries?tz=UTC%00",
            "tz: must not contain NUL characters",
        ),
        ("/v5/panels/{id}/entries?tz=%FF", "tz: not valid UTF-8"),
        (
            "/v5/admin/routes/timings?method_path=GET_%00",
            "method_path: must not contain NUL characters",
        ),
    ];
    for (path, message) in reads {
        let path = path.replace("{id}", &panel.to_string());
        let (status, body) = server.get_as(&path, &token).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(error_message(&body, 422), message, "{path}");
    }
    let (_, panels) = server.get_as("/v5/panels", &token).await;
    assert_eq!(panels["data"][0]["title"], "read");
    server.stop().await;
}

crate::e2e_on_both_engines!(
    refused_sign_ups_store_nothing,
    refused_changes_leave_the_account_and_panels_as_they_were,
);
