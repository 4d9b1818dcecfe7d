//! Totals over a period and a panel's year as a string of days, over HTTP on both engines.

use crate::support::{TestServer, error_message};
use chrono::Duration;
use reqwest::Method;
use serde_json::json;

async fn summaries_and_calendars_count_the_days_shown(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let read = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    let (_, eve) = server.new_account("eve@example.org").await;
    let hers = server.create_panel(&eve, "hers").await["id"]
        .as_i64()
        .unwrap();
    // From Monday 15 June 2026 (London): done, rest, nothing, done; today is the 18th.
    server.tap(&token, read, true).await;
    server.clock.advance(Duration::days(1));
    let (status, body) = server
        .send_json(
            Method::POST,
            &format!("/v5/panels/{read}/entries"),
            &token,
            &json!({"is_complete": false, "is_skip": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    server.clock.advance(Duration::days(2));
    server.tap(&token, read, true).await;

    let (status, june) = server
        .get_as(
            "/v5/metrics/panels/summary?from=2026-06-01&to=2026-06-30",
            &token,
        )
        .await;
    assert_eq!(status, 200, "{june}");
    assert_eq!(
        june["data"],
        json!([{
            "panel_id": read, "title": "read", "from": "2026-06-01", "to": "2026-06-30",
            "days": 4, "days_complete": 2, "days_skipped": 1,
            "consistency": 2.0 / 3.0,
        }]),
        "days before the panel and after today are not counted"
    );
    let (_, last_30) = server.get_as("/v5/metrics/panels/summary", &token).await;
    let item = &last_30["data"][0];
    assert_eq!(
        (&item["from"], &item["to"]),
        (&json!("2026-05-20"), &json!("2026-06-18"))
    );
    assert_eq!(item["days"], 4);
    let (_, one_day) = server
        .get_as(
            "/v5/metrics/panels/summary?from=2026-06-16&to=2026-06-17",
            &token,
        )
        .await;
    assert_eq!(
        (
            &one_day["data"][0]["days_skipped"],
            &one_day["data"][0]["consistency"]
        ),
        (&json!(1), &json!(0.0)),
        "a rest day and a missed one"
    );
    for (query, says) in [
        (
            "from=2026-06-30&to=2026-06-01",
            "from: must not be after to",
        ),
        ("from=30/06/2026", "from: must be a date as YYYY-MM-DD"),
        ("from=2000-01-01", "to: a summary covers at most 3660 days"),
        ("tz=Middle/Earth", "tz:"),
    ] {
        let (status, body) = server
            .get_as(&format!("/v5/metrics/panels/summary?{query}"), &token)
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(
            error_message(&body, 422).starts_with(says),
            "{query}: {body}"
        );
    }

    let (status, year) = server
        .get_as(&format!("/v5/panels/{read}/calendar?year=2026"), &token)
        .await;
    assert_eq!(status, 200, "{year}");
    let days = year["data"]["days"].as_str().unwrap();
    assert_eq!(days.len(), 365);
    assert_eq!(
        (&year["data"]["year"], &year["data"]["start"]),
        (&json!(2026), &json!("2026-01-01"))
    );
    // 15 June is the 166th day of 2026.
    assert_eq!(&days[160..172], ".....1s01...", "{days}");
    assert!(days[..165].chars().all(|c| c == '.') && days[169..].chars().all(|c| c == '.'));
    let (_, this_year) = server
        .get_as(&format!("/v5/panels/{read}/calendar"), &token)
        .await;
    assert_eq!(this_year["data"], year["data"], "this year by default");
    let (_, leap) = server
        .get_as(&format!("/v5/panels/{read}/calendar?year=2028"), &token)
        .await;
    assert_eq!(leap["data"]["days"].as_str().unwrap(), ".".repeat(366));
    let (status, _) = server
        .get_as(&format!("/v5/panels/{hers}/calendar"), &token)
        .await;
    assert_eq!(status, 404, "another user's panel");
    let (status, body) = server
        .get_as(&format!("/v5/panels/{read}/calendar?year=1800"), &token)
        .await;
    assert_eq!(status, 422);
    assert!(
        error_message(&body, 422).starts_with("year: must be"),
        "{body}"
    );
    server.stop().await;
}

crate::e2e_on_both_engines!(summaries_and_calendars_count_the_days_shown);
