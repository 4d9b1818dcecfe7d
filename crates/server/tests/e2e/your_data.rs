//! Your data over HTTP on both engines: the export holds every panel and entry and no secret,
//! pages through long histories, is recorded before it is sent, and is only the caller's.

use crate::support::{TestServer, error_message};
use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// Writes `count` old entries into `panel` in one statement.
async fn many_entries(server: &TestServer, panel: i64, count: usize) {
    let rows: Vec<String> = (0..count)
        .map(|i| {
            let at = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
                + chrono::Duration::minutes(i as i64);
            format!(
                "({}, false, '{}', {panel})",
                i % 2 == 0,
                at.format("%Y-%m-%d %H:%M:%S")
            )
        })
        .collect();
    server
        .db
        .db
        .execute_unprepared(&format!(
            "INSERT INTO entries (is_complete, is_skip, timestamp, panel_id) VALUES {}",
            rows.join(",")
        ))
        .await
        .unwrap();
}

async fn export(
    server: &TestServer,
    token: &str,
    query: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = server
        .authed(Method::GET, &format!("/v5/users/export{query}"), token)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

async fn the_export_holds_every_panel_and_entry_and_no_secret(server: TestServer) {
    let (user_id, token) = server.new_account("ada@example.org").await;
    let read = server.create_panel(&token, "Read").await["id"]
        .as_i64()
        .unwrap();
    let walk = server.create_panel(&token, "Walk").await["id"]
        .as_i64()
        .unwrap();
    server.tap(&token, read, true).await;
    let (status, _) = server
        .send_json(
            Method::POST,
            &format!("/v5/panels/{walk}/entries"),
            &token,
            &json!({"is_complete": false, "is_skip": true}),
        )
        .await;
    assert_eq!(status, 200);
    many_entries(&server, walk, 2500).await;
    let (_, eve) = server.new_account("eve@example.org").await;
    server.create_panel(&eve, "Hers").await;

    let (status, headers, text) = export(&server, &token, "").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers["content-type"], "application/json");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"ninepanels-export-"),
        "{disposition}"
    );
    for secret in ["password", "hash", "token", "$argon2"] {
        assert!(!text.contains(secret), "{secret} in the export");
    }
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (&file["format"], &file["version"]),
        (&json!("ninepanels-export"), &json!(1))
    );
    assert_eq!(file["user"]["id"], user_id);
    assert_eq!(file["user"]["email"], "ada@example.org");
    let panels = file["panels"].as_array().unwrap();
    let titles: Vec<&str> = panels
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Read", "Walk"],
        "only the caller's, in position order"
    );
    assert_eq!(panels[0]["entries"].as_array().unwrap().len(), 1);
    let walked = panels[1]["entries"].as_array().unwrap();
    assert_eq!(walked.len(), 2501, "every entry, across pages");
    assert_eq!(
        (&walked[0]["is_complete"], &walked[0]["is_skip"]),
        (&json!(false), &json!(true)),
        "newest first: today's rest day"
    );
    let ids: std::collections::HashSet<i64> =
        walked.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 2501, "no entry twice");

    let recorded = server
        .db
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            server.db.db.get_database_backend(),
            "SELECT COUNT(*) FROM event_outbox WHERE kind = 'DataExported'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(recorded, 1, "the export is recorded");

    let (status, _, text) = export(&server, &token, "?format=xml").await;
    assert_eq!(status, 422);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(error_message(&body, 422).starts_with("format:"), "{text}");
    server.stop().await;
}

crate::e2e_on_both_engines!(the_export_holds_every_panel_and_entry_and_no_secret);
