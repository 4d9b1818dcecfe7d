//! Days in each person's own calendar, consistency and streaks, over HTTP on both engines.

use crate::support::{TestServer, error_message};
use chrono::{TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};

async fn account_in(server: &TestServer, email: &str, zone: &str) -> String {
    let (status, body) = server
        .post_form(
            "/v5/users",
            &[
                ("email", email),
                ("name", "Tz"),
                ("password", "a fine password"),
                ("time_zone", zone),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    server.sign_in(email, "a fine password").await
}

fn day_list(body: &Value) -> Vec<(String, bool)> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["timestamp"].as_str().unwrap().to_owned(),
                d["is_complete"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Auckland leaves daylight saving at 03:00 on 5 April 2026 (NZDT, UTC+13 → NZST, UTC+12).
async fn auckland_counts_local_days_across_the_clock_change(server: TestServer) {
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 4, 3, 22, 0, 0).unwrap()); // 4 April 11:00 NZDT
    let token = account_in(&server, "kiri@example.org", "Pacific/Auckland").await;
    let panel = server.create_panel(&token, "swim").await["id"]
        .as_i64()
        .unwrap();
    // 23:30 NZDT on 4 April = 10:30 UTC on 4 April.
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 4, 4, 10, 30, 0).unwrap());
    server.tap(&token, panel, true).await;
    // 23:30 NZST on 5 April = 11:30 UTC on 5 April (the day is 25 hours long).
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 4, 5, 11, 30, 0).unwrap());
    server.tap(&token, panel, true).await;
    let (_, listed) = server.get_as("/v5/panels", &token).await;
    assert_eq!(
        listed["data"][0]["is_complete"], true,
        "23:30 local is still today"
    );
    // 00:30 NZST on 6 April = 12:30 UTC on 5 April: a new, undone day.
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 4, 5, 12, 30, 0).unwrap());
    let (_, listed) = server.get_as("/v5/panels", &token).await;
    assert_eq!(listed["data"][0]["is_complete"], false);
    let (_, days) = server
        .get_as(&format!("/v5/panels/{panel}/entries"), &token)
        .await;
    assert_eq!(
        day_list(&days),
        [
            ("2026-04-06".into(), false),
            ("2026-04-05".into(), true),
            ("2026-04-04".into(), true)
        ]
    );
    server.stop().await;
}

/// Los Angeles enters daylight saving at 02:00 on 8 March 2026 (PST, UTC-8 → PDT, UTC-7).
async fn los_angeles_counts_local_days_across_the_clock_change(server: TestServer) {
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 3, 7, 18, 0, 0).unwrap()); // 7 March 10:00 PST
    let token = account_in(&server, "lee@example.org", "America/Los_Angeles").await;
    let panel = server.create_panel(&token, "walk").await["id"]
        .as_i64()
        .unwrap();
    // 23:30 PST on 7 March = 07:30 UTC on 8 March.
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 3, 8, 7, 30, 0).unwrap());
    server.tap(&token, panel, true).await;
    // 23:30 PDT on 8 March = 06:30 UTC on 9 March (the day is 23 hours long).
    server
        .clock
        .set(Utc.with_ymd_and_hms(2026, 3, 9, 6, 30, 0).unwrap());
    server.tap(&token, panel, false).await;
    let (_, days) = server
        .get_as(&format!("/v5/panels/{panel}/entries"), &token)
        .await;
    assert_eq!(
        day_list(&days),
        [("2026-03-08".into(), false), ("2026-03-07".into(), true)]
    );
    // The same instant seen from London is already 9 March there.
    let (_, london) = server
        .get_as(
            &format!("/v5/panels/{panel}/entries?tz=Europe/London"),
            &token,
        )
        .await;
    assert_eq!(
        day_list(&london),
        [
            ("2026-03-09".into(), false),
            ("2026-03-08".into(), true),
            ("2026-03-07".into(), false)
        ]
    );
    let (_, listed) = server.get_as("/v5/panels?tz=Asia/Tokyo", &token).await;
    assert_eq!(
        listed["data"][0]["is_complete"], false,
        "in Tokyo it is 9 March afternoon, the last tap was 'undone'"
    );
    let (status, reply) = server.get_as("/v5/panels?tz=Middle/Earth", &token).await;
    assert_eq!(status, 422);
    error_message(&reply, 422);
    server.stop().await;
}

async fn consistency_and_streaks_come_from_the_same_days(server: TestServer) {
    let (user_id, token) = server.new_account("ada@example.org").await;
    let read = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    let run = server.create_panel(&token, "run").await["id"]
        .as_i64()
        .unwrap();
    // Ten days of "read": done on days 0,1,3,4,5,7,8 (today is day 9, still open).
    for day in 0..10 {
        if [0, 1, 3, 4, 5, 7, 8].contains(&day) {
            server.tap(&token, read, true).await;
        }
        if day == 2 {
            server.tap(&token, run, true).await;
        }
        if day < 9 {
            server.clock.advance(chrono::Duration::days(1));
        }
    }
    let (status, body) = server
        .get_as("/v5/metrics/panels/consistency", &token)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!([
            {"panel_pos": 0, "consistency": 0.7, "panel_age": 10, "days_complete": 7, "days_skipped": 0, "panel_id": read, "user_id": user_id, "title": "read"},
            {"panel_pos": 1, "consistency": 0.1, "panel_age": 10, "days_complete": 1, "days_skipped": 0, "panel_id": run, "user_id": user_id, "title": "run"},
        ])
    );
    let (_, streaks) = server
        .get_as(&format!("/v5/metrics/panels/{read}/streaks"), &token)
        .await;
    assert_eq!(
        streaks["data"],
        json!({"current": 2, "longest": 3, "longest_start": "2026-06-18", "longest_end": "2026-06-20"})
    );
    server
        .send_json(
            Method::PATCH,
            &format!("/v5/panels/{run}"),
            &token,
            &json!({"position": 0}),
        )
        .await;
    let (_, body) = server
        .get_as("/v5/metrics/panels/consistency", &token)
        .await;
    assert_eq!(body["data"][0]["title"], "run", "position order");
    let (_, empty) = server
        .get_as(&format!("/v5/metrics/panels/{run}/streaks"), &token)
        .await;
    assert_eq!(
        empty["data"],
        json!({"current": 0, "longest": 1, "longest_start": "2026-06-17", "longest_end": "2026-06-17"})
    );
    server.stop().await;
}

crate::e2e_on_both_engines!(
    auckland_counts_local_days_across_the_clock_change,
    los_angeles_counts_local_days_across_the_clock_change,
    consistency_and_streaks_come_from_the_same_days,
);
