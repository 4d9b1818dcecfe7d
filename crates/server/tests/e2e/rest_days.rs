//! Rest days over HTTP on both engines: a tap with `is_skip`, shown in entries and padded
//! history, left out of consistency (`days_skipped`), and neither breaking nor extending a streak.

use crate::support::{TestServer, error_message};
use reqwest::Method;
use serde_json::{Value, json};

async fn tap(server: &TestServer, token: &str, panel: i64, body: Value) -> (u16, Value) {
    let (status, body) = server
        .send_json(
            Method::POST,
            &format!("/v5/panels/{panel}/entries"),
            token,
            &body,
        )
        .await;
    (status.as_u16(), body)
}

async fn rest_days_leave_streaks_and_consistency_alone(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let read = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    let rest_only = server.create_panel(&token, "rest").await["id"]
        .as_i64()
        .unwrap();
    let done = json!({"is_complete": true});
    let rest = json!({"is_complete": false, "is_skip": true});
    // Seven days: done, rest, done, rest, nothing, done, and today a rest day.
    let days: [Option<&Value>; 7] = [
        Some(&done),
        Some(&rest),
        Some(&done),
        Some(&rest),
        None,
        Some(&done),
        Some(&rest),
    ];
    for (day, body) in days.iter().enumerate() {
        if let Some(body) = body {
            let (status, entry) = tap(&server, &token, read, (*body).clone()).await;
            assert_eq!(status, 200, "{entry}");
            assert_eq!(entry["data"]["is_skip"], body["is_skip"] == true, "{entry}");
        }
        let (status, _) = tap(&server, &token, rest_only, rest.clone()).await;
        assert_eq!(status, 200);
        if day < 6 {
            server.clock.advance(chrono::Duration::days(1));
        }
    }
    let (status, refused) = tap(
        &server,
        &token,
        read,
        json!({"is_complete": true, "is_skip": true}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        error_message(&refused, 422).contains("is_skip"),
        "{refused}"
    );

    let (_, history) = server
        .get_as(
            &format!("/v5/panels/{read}/entries?limit=7&sort_by=timestamp.asc"),
            &token,
        )
        .await;
    let shown: Vec<(bool, bool, bool)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let padded = d["id"].as_str().is_some_and(|id| id.ends_with("_padded"));
            (
                d["is_complete"].as_bool().unwrap(),
                d["is_skip"].as_bool().unwrap(),
                padded,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (true, false, false),
            (false, true, false),
            (true, false, false),
            (false, true, false),
            (false, false, true),
            (true, false, false),
            (false, true, false),
        ],
        "the refused tap stored nothing: today is still a rest day"
    );

    let (_, consistency) = server
        .get_as("/v5/metrics/panels/consistency", &token)
        .await;
    let figures = |i: usize| {
        let c = &consistency["data"][i];
        (
            c["panel_age"].as_i64().unwrap(),
            c["days_complete"].as_i64().unwrap(),
            c["days_skipped"].as_i64().unwrap(),
            c["consistency"].as_f64().unwrap(),
        )
    };
    assert_eq!(
        figures(0),
        (7, 3, 3, 0.75),
        "3 done of the 4 days not rested"
    );
    assert_eq!(figures(1), (7, 0, 7, 0.0), "every day rested");

    let (_, streaks) = server
        .get_as(&format!("/v5/metrics/panels/{read}/streaks"), &token)
        .await;
    let first = history["data"][0]["timestamp"].clone();
    let third = history["data"][2]["timestamp"].clone();
    assert_eq!(
        streaks["data"],
        json!({"current": 1, "longest": 2, "longest_start": first, "longest_end": third}),
        "rest days neither break nor extend a run; the missed fifth day breaks it"
    );
    server.stop().await;
}

crate::e2e_on_both_engines!(rest_days_leave_streaks_and_consistency_alone);
