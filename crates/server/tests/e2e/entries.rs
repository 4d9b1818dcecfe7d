//! Entries over HTTP on both engines.

use crate::support::{TestServer, error_message};
use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

fn summary(days: &Value) -> Vec<(String, bool, bool)> {
    days.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let padded = d["id"].as_str().is_some_and(|id| id.ends_with("_padded"));
            (
                d["timestamp"].as_str().unwrap().to_owned(),
                d["is_complete"].as_bool().unwrap(),
                padded,
            )
        })
        .collect()
}

async fn a_tap_is_stamped_now_in_utc(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let panel = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    let entry = server.tap(&token, panel, true).await;
    assert_eq!(entry["is_complete"], true);
    assert_eq!(entry["panel_id"], panel);
    assert_eq!(entry["timestamp"], "2026-06-15T12:00:00Z");
    assert!(entry["id"].is_i64());
    let path = format!("/v5/panels/{panel}/entries");
    for (body, message) in [
        (
            json!({"is_complete": "yes"}),
            "is_complete: invalid type: string \"yes\", expected a boolean",
        ),
        (json!({}), "is_complete: field required"),
        (
            json!({"is_complete": true, "extra": 1}),
            "extra: unknown field",
        ),
    ] {
        let (status, reply) = server.send_json(Method::POST, &path, &token, &body).await;
        assert_eq!(status, 422, "{reply}");
        assert_eq!(error_message(&reply, 422), message);
    }
    let (_, history) = server
        .get_as(&format!("/v5/panels/{panel}/history"), &token)
        .await;
    assert_eq!(
        history["data"].as_array().unwrap().len(),
        1,
        "refused taps stored nothing"
    );
    server.stop().await;
}

async fn the_day_history_is_padded_and_pages(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let panel = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    // Created 15 June; taps on 15 (done), 17 (done, then undone), 18 (done). Today is 19 June.
    server.tap(&token, panel, true).await;
    server.clock.advance(Duration::days(2));
    server.tap(&token, panel, true).await;
    server.clock.advance(Duration::hours(3));
    server.tap(&token, panel, false).await;
    server.clock.advance(Duration::days(1));
    server.tap(&token, panel, true).await;
    server.clock.advance(Duration::days(1));
    let path = format!("/v5/panels/{panel}/entries");
    let (status, body) = server.get_as(&path, &token).await;
    assert_eq!(status, 200, "{body}");
    let expected = vec![
        ("2026-06-19".to_owned(), false, true),
        ("2026-06-18".to_owned(), true, false),
        ("2026-06-17".to_owned(), false, false),
        ("2026-06-16".to_owned(), false, true),
        ("2026-06-15".to_owned(), true, false),
    ];
    assert_eq!(summary(&body["data"]), expected);
    assert_eq!(body["data"][0]["panel_id"], panel);
    let (_, asc) = server
        .get_as(&format!("{path}?sort_by=timestamp.asc"), &token)
        .await;
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(summary(&asc["data"]), reversed);
    let (_, page) = server
        .get_as(&format!("{path}?limit=2&offset=1"), &token)
        .await;
    assert_eq!(summary(&page["data"]), expected[1..3].to_vec());
    let (_, past) = server.get_as(&format!("{path}?offset=10"), &token).await;
    assert_eq!(past["data"], json!([]));
    for (query, message) in [
        ("limit=0", "limit: must be a whole number from 1 to 3660"),
        (
            "limit=999999",
            "limit: must be a whole number from 1 to 3660",
        ),
        (
            "offset=-1",
            "offset: must be a whole number from 0 to 1000000",
        ),
        (
            "sort_by=password.desc",
            "sort_by: 'password.desc' is not timestamp.desc or timestamp.asc",
        ),
        (
            "tz=Not/AZone",
            "tz: 'Not/AZone' is not a known time zone (use an IANA name such as Europe/London)",
        ),
    ] {
        let (status, reply) = server.get_as(&format!("{path}?{query}"), &token).await;
        assert_eq!(status, 422, "{query}: {reply}");
        assert_eq!(error_message(&reply, 422), message);
    }
    server.stop().await;
}

async fn clearing_starts_the_panel_again_today(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let panel = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    server.tap(&token, panel, true).await;
    server.clock.advance(Duration::days(3));
    let (status, body) = server
        .send(
            Method::DELETE,
            &format!("/v5/panels/{panel}/entries"),
            &token,
        )
        .await;
    assert_eq!((status.as_u16(), &body["data"]), (200, &json!(true)));
    let (_, days) = server
        .get_as(&format!("/v5/panels/{panel}/entries"), &token)
        .await;
    assert_eq!(
        summary(&days["data"]),
        [("2026-06-18".to_owned(), false, true)]
    );
    let (_, panels) = server.get_as("/v5/panels", &token).await;
    assert_eq!(panels["data"][0]["created_at"], "2026-06-18T12:00:00Z");
    server.stop().await;
}

async fn the_raw_history_pages_by_cursor(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let panel = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(
            server.tap(&token, panel, i % 2 == 0).await["id"]
                .as_i64()
                .unwrap(),
        );
        server.clock.advance(Duration::minutes(1));
    }
    let path = format!("/v5/panels/{panel}/history");
    let (status, first) = server.get_as(&format!("{path}?limit=2"), &token).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["meta"]["count"], 2);
    let ids = |page: &Value| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), [made[4], made[3]]);
    server.tap(&token, panel, true).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = server
        .get_as(&format!("{path}?limit=2&cursor={cursor}"), &token)
        .await;
    assert_eq!(
        ids(&second),
        [made[2], made[1]],
        "a new entry does not shift the pages"
    );
    let cursor = second["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let (_, last) = server
        .get_as(&format!("{path}?limit=2&cursor={cursor}"), &token)
        .await;
    assert_eq!(ids(&last), [made[0]]);
    assert_eq!(last["meta"]["next_cursor"], Value::Null);
    let (status, reply) = server
        .get_as(&format!("{path}?cursor=garbage"), &token)
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        error_message(&reply, 422),
        "cursor: not a cursor this server gave out"
    );
    let (status, _) = server.get_as(&format!("{path}?limit=1001"), &token).await;
    assert_eq!(status, 422);
    server.stop().await;
}

crate::e2e_on_both_engines!(
    a_tap_is_stamped_now_in_utc,
    the_day_history_is_padded_and_pages,
    clearing_starts_the_panel_again_today,
    the_raw_history_pages_by_cursor,
);
