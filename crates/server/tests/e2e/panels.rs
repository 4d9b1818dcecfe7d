//! Panels over HTTP on both engines.

use crate::support::{TestServer, error_message};
use reqwest::Method;
use serde_json::{Value, json};

async fn creates_at_the_end_or_at_a_position(server: TestServer) {
    let (user_id, token) = server.new_account("ada@example.org").await;
    let a = server.create_panel(&token, "  read  ").await;
    assert_eq!(a["title"], "read");
    assert_eq!(a["position"], 0);
    assert_eq!(a["description"], Value::Null);
    assert_eq!(a["entries"], json!([]));
    assert_eq!(a["user_id"], user_id);
    assert_eq!(a["created_at"], "2026-06-15T12:00:00Z");
    server.create_panel(&token, "run").await;
    let (status, first) = server
        .send_form(
            Method::POST,
            "/v5/panels",
            &token,
            &[
                ("title", "meditate"),
                ("position", "0"),
                ("description", "ten minutes"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["data"]["position"], 0);
    assert_eq!(first["data"]["description"], "ten minutes");
    let (_, end) = server
        .send_form(
            Method::POST,
            "/v5/panels",
            &token,
            &[("title", "sleep"), ("position", "8"), ("description", "")],
        )
        .await;
    assert_eq!(end["data"]["position"], 3);
    assert_eq!(end["data"]["description"], Value::Null);
    let (_, undefined) = server
        .send_form(
            Method::POST,
            "/v5/panels",
            &token,
            &[("title", "call mum"), ("position", "undefined")],
        )
        .await;
    assert_eq!(undefined["data"]["position"], 4);
    assert_eq!(
        server.titles(&token).await,
        ["meditate", "read", "run", "sleep", "call mum"]
    );
    server.stop().await;
}

async fn a_tenth_panel_is_refused(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(server.create_panel(&token, &format!("panel {i}")).await["id"].clone());
    }
    let (status, ninth) = server
        .send_form(
            Method::POST,
            "/v5/panels",
            &token,
            &[("title", "ninth"), ("position", "9")],
        )
        .await;
    assert_eq!(status, 200, "past the end means at the end: {ninth}");
    assert_eq!(ninth["data"]["position"], 8);
    let (status, moved) = server
        .send_json(
            Method::PATCH,
            &format!("/v5/panels/{}", ids[0]),
            &token,
            &json!({"position": 1_000_000_000_000i64}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["data"]["position"], 8);
    let (status, body) = server
        .send_form(Method::POST, "/v5/panels", &token, &[("title", "tenth")])
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_message(&body, 400), "You already have nine panels.");
    assert_eq!(server.titles(&token).await.len(), 9);
    server.stop().await;
}

async fn bad_panel_fields_are_422_and_change_nothing(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let long = "x".repeat(101);
    let long_description = "d".repeat(2001);
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("description", "no title")], "title: field required"),
        (
            &[("title", "re\0ad")],
            "title: must not contain NUL characters",
        ),
        (
            &[("title", "ok"), ("description", "bell \u{7}")],
            "description: must not contain control characters",
        ),
        (&[("title", "   ")], "title: must not be empty"),
        (
            &[("title", long.as_str())],
            "title: must be at most 100 characters",
        ),
        (
            &[("title", "ok"), ("description", long_description.as_str())],
            "description: must be at most 2000 characters",
        ),
        (
            &[("title", "ok"), ("position", "-1")],
            "position: must not be negative",
        ),
        (
            &[("title", "ok"), ("position", "x1")],
            "position: 'x1' is not a whole number",
        ),
    ];
    for (fields, message) in cases {
        let (status, body) = server
            .send_form(Method::POST, "/v5/panels", &token, fields)
            .await;
        assert_eq!(status, 422, "{fields:?}: {body}");
        assert_eq!(error_message(&body, 422), message);
    }
    let not_utf8 = server
        .authed(Method::POST, "/v5/panels", &token)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(&b"title=caf%E9&description=\xff"[..])
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::read(not_utf8).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_message(&body, 422), "title: not valid UTF-8");
    assert!(server.titles(&token).await.is_empty());
    server.stop().await;
}

async fn patch_moves_renames_and_refuses_bad_bodies(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let mut ids = Vec::new();
    for t in ["a", "b", "c", "d"] {
        ids.push(server.create_panel(&token, t).await["id"].as_i64().unwrap());
    }
    let path = |id: i64| format!("/v5/panels/{id}");
    let (status, body) = server
        .send_json(
            Method::PATCH,
            &path(ids[0]),
            &token,
            &json!({"position": 2}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["position"], 2);
    assert_eq!(server.titles(&token).await, ["b", "c", "a", "d"]);
    let (status, body) = server
        .send_json(
            Method::PATCH,
            &path(ids[3]),
            &token,
            &json!({"position": 3}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["data"]["position"]),
        (200, &json!(3)),
        "same place is a no-op success"
    );
    let (status, body) = server
        .send_json(
            Method::PATCH,
            &path(ids[1]),
            &token,
            &json!({"title": "  read more ", "description": "a chapter"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["title"], "read more");
    assert_eq!(body["data"]["description"], "a chapter");
    let (_, body) = server
        .send_json(
            Method::PATCH,
            &path(ids[1]),
            &token,
            &json!({"description": null}),
        )
        .await;
    assert_eq!(body["data"]["description"], Value::Null);

    let refusals = [
        (
            json!({"colour": "blue"}),
            400,
            "colour: unknown field (a panel has title, description and position)",
        ),
        (
            json!({}),
            422,
            "body: give at least one of title, description, position",
        ),
        (
            json!({"position": -1}),
            422,
            "position: must not be negative",
        ),
        (
            json!({"title": "a\u{0}b"}),
            422,
            "title: must not contain NUL characters",
        ),
        (
            json!({"description": "esc \u{1b}[31m"}),
            422,
            "description: must not contain control characters",
        ),
        (
            json!({"position": "first"}),
            422,
            "position: invalid type: string \"first\", expected i64",
        ),
        (json!({"title": "   "}), 422, "title: must not be empty"),
        (
            json!({"title": "x".repeat(101)}),
            422,
            "title: must be at most 100 characters",
        ),
    ];
    for (body, status, message) in refusals {
        let (got, reply) = server
            .send_json(Method::PATCH, &path(ids[2]), &token, &body)
            .await;
        assert_eq!(got, status, "{body}: {reply}");
        assert_eq!(error_message(&reply, status), message);
    }
    let empty = server
        .authed(Method::PATCH, &path(ids[2]), &token)
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    let (status, body) = server
        .send_json(
            Method::PATCH,
            "/v5/panels/abc",
            &token,
            &json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        error_message(&body, 422),
        "panel_id: 'abc' is not a panel id (a whole number)"
    );
    assert_eq!(server.titles(&token).await, ["read more", "c", "a", "d"]);
    server.stop().await;
}

async fn delete_closes_the_gap(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let a = server.create_panel(&token, "a").await["id"]
        .as_i64()
        .unwrap();
    let b = server.create_panel(&token, "b").await["id"]
        .as_i64()
        .unwrap();
    server.create_panel(&token, "c").await;
    server.tap(&token, b, true).await;
    let (status, body) = server
        .send(Method::DELETE, &format!("/v5/panels/{b}"), &token)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({"success": true}));
    assert_eq!(server.titles(&token).await, ["a", "c"]);
    let (status, body) = server
        .send(Method::DELETE, &format!("/v5/panels/{b}"), &token)
        .await;
    assert_eq!(status, 404);
    assert_eq!(error_message(&body, 404), "Panel not found");
    let (status, _) = server
        .send(Method::DELETE, &format!("/v5/panels/{a}"), &token)
        .await;
    assert_eq!(status, 200);
    assert_eq!(server.titles(&token).await, ["c"]);
    server.stop().await;
}

async fn the_list_says_what_is_done_today(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let a = server.create_panel(&token, "a").await["id"]
        .as_i64()
        .unwrap();
    let b = server.create_panel(&token, "b").await["id"]
        .as_i64()
        .unwrap();
    server.tap(&token, a, true).await;
    server.tap(&token, b, true).await;
    server.clock.advance(chrono::Duration::minutes(5));
    server.tap(&token, b, false).await;
    let (_, body) = server.get_as("/v5/panels", &token).await;
    let done: Vec<bool> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["is_complete"].as_bool().unwrap())
        .collect();
    assert_eq!(done, [true, false], "the latest entry of today decides");
    server.clock.advance(chrono::Duration::days(1));
    let (_, body) = server.get_as("/v5/panels", &token).await;
    assert_eq!(
        body["data"][0]["is_complete"], false,
        "a new day starts undone"
    );
    server.stop().await;
}

/// Many concurrent moves of one user's panels never leave duplicate or missing positions.
async fn concurrent_moves_keep_positions_dense(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let mut ids = Vec::new();
    for i in 0..9 {
        ids.push(
            server.create_panel(&token, &format!("p{i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let moves = (0..27).map(|round| {
        let request = server
            .authed(
                Method::PATCH,
                &format!("/v5/panels/{}", ids[round % 9]),
                &token,
            )
            .json(&json!({"position": (round * 4) % 9}));
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures_join_all(moves).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let mut titles = server.titles(&token).await;
    titles.sort();
    assert_eq!(titles, (0..9).map(|i| format!("p{i}")).collect::<Vec<_>>());
    server.stop().await;
}

async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

crate::e2e_on_both_engines!(
    creates_at_the_end_or_at_a_position,
    a_tenth_panel_is_refused,
    bad_panel_fields_are_422_and_change_nothing,
    patch_moves_renames_and_refuses_bad_bodies,
    delete_closes_the_gap,
    the_list_says_what_is_done_today,
    concurrent_moves_keep_positions_dense,
);
