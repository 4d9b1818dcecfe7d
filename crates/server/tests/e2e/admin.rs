//! The admin performance views over HTTP: route statistics and timings from real requests.

use crate::support::{TestServer, error_message};
use ninepanels_persistence::testing::TestEngine;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use std::time::{Duration, Instant};

async fn admin(server: &TestServer) -> String {
    let (id, token) = server.new_account("root@example.org").await;
    server.make_admin(id).await;
    token
}

async fn route_views_show_what_was_measured(engine: TestEngine) {
    let Some(server) = TestServer::start_with(engine, |c| {
        c.background.timing_batch_size = 1;
        c.background.alert_thresholds = vec![("GET_/v5/panels/x/entries".into(), 100_000)];
    })
    .await
    else {
        return;
    };
    let token = admin(&server).await;
    let panel = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    for _ in 0..3 {
        let (status, _) = server
            .get_as(&format!("/v5/panels/{panel}/entries"), &token)
            .await;
        assert_eq!(status, 200);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let entries_route = loop {
        let (status, body) = server.get_as("/v5/admin/routes", &token).await;
        assert_eq!(status, 200, "{body}");
        let found = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["method_path"] == "GET_/v5/panels/x/entries"
                    && r["last"].as_f64().unwrap_or(0.0) > 0.0
            })
            .cloned();
        let (_, timings) = server
            .get_as(
                "/v5/admin/routes/timings?method_path=GET_/v5/panels/x/entries&window_size=100",
                &token,
            )
            .await;
        if let Some(route) = found
            && timings["data"]["readings"].as_array().unwrap().len() == 3
        {
            assert_eq!(timings["data"]["timestamps"].as_array().unwrap().len(), 3);
            break route;
        }
        assert!(Instant::now() < deadline, "timings never arrived: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(entries_route["method"], "GET");
    assert_eq!(entries_route["path"], "/v5/panels/x/entries");
    assert_eq!(entries_route["alert_threshold_ms"], 100_000);
    assert_eq!(entries_route["in_alert"], false);
    assert_eq!(entries_route["alert_id"], Value::Null);
    for key in ["avg", "min", "max", "last"] {
        assert!(
            entries_route[key].as_f64().unwrap() > 0.0,
            "{key}: {entries_route}"
        );
    }
    let (status, body) = server.get_as("/v5/admin/routes/timings", &token).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_message(&body, 422),
        "method_path: field required (e.g. GET_/v5/panels)"
    );
    let (_, plain) = server.new_account("plain@example.org").await;
    let (status, _) = server.get_as("/v5/admin/routes", &plain).await;
    assert_eq!(status, 403);
    server.stop().await;
}

async fn a_stored_timing_names_its_request(engine: TestEngine) {
    let Some(server) = TestServer::start_with(engine, |c| c.background.timing_batch_size = 1).await
    else {
        return;
    };
    let response = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", "timing-check-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let sql = "SELECT method_path, event_id FROM timings WHERE request_id = 'timing-check-1'";
    let deadline = Instant::now() + Duration::from_secs(10);
    let row = loop {
        let found = server
            .db
            .db
            .query_one_raw(Statement::from_string(
                server.db.db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap();
        if let Some(row) = found {
            break row;
        }
        assert!(
            Instant::now() < deadline,
            "no timing carries the request id"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "GET_/healthz");
    assert_eq!(
        row.try_get_by_index::<String>(1).unwrap().len(),
        36,
        "an event id"
    );
    server.stop().await;
}

/// Ids a client makes up (letters, exponents, encoded bytes) are timed under the route's one
/// name, and methods it makes up as `_OTHER`: they add neither routes to the admin view, nor
/// rows of statistics, nor series to the metrics.
async fn made_up_ids_and_methods_are_timed_under_their_route(engine: TestEngine) {
    let Some(server) = TestServer::start_with(engine, |c| c.background.timing_batch_size = 1).await
    else {
        return;
    };
    let ids = ["abc", "1e9", "%00", "-1", "12%20"];
    for (n, id) in ids.iter().enumerate() {
        let response = server
            .client
            .get(server.url(&format!("/v5/panels/{id}/entries")))
            .header("x-request-id", format!("made-up-{n}"))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{id}: {}",
            response.status()
        );
    }
    let made_up = reqwest::Method::from_bytes(b"FOOBAR").unwrap();
    let response = server
        .client
        .request(made_up, server.url("/v5/panels"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let backend = server.db.db.get_database_backend();
    let rows = |sql: &'static str| {
        let db = &server.db.db;
        async move {
            db.query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get_by_index::<String>(0).unwrap())
                .collect::<Vec<_>>()
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let (timed, routes) = loop {
        let timed = rows("SELECT method_path FROM timings WHERE request_id LIKE 'made-up-%'").await;
        let routes =
            rows("SELECT method_path FROM timing_stats WHERE method_path LIKE '%/entries'").await;
        if timed.len() == ids.len() && !routes.is_empty() {
            break (timed, routes);
        }
        assert!(Instant::now() < deadline, "timed so far: {timed:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        timed.iter().all(|m| m == "GET_/v5/panels/x/entries"),
        "{timed:?}"
    );
    assert_eq!(routes, ["GET_/v5/panels/x/entries"]);
    let metrics = server.text("/metrics").await;
    assert!(metrics.contains("method=\"_OTHER\",route=\"/v5/panels\",status=\"405\""));
    assert!(!metrics.contains("FOOBAR"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while rows("SELECT method_path FROM timing_stats WHERE method_path = '_OTHER_/v5/panels'")
        .await
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the made-up method was never timed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let invented = rows("SELECT method_path FROM timing_stats WHERE method_path LIKE 'FOO%'").await;
    assert!(invented.is_empty(), "{invented:?}");
    server.stop().await;
}

ninepanels_persistence::test_with_each_engine!(
    route_views_show_what_was_measured,
    a_stored_timing_names_its_request,
    made_up_ids_and_methods_are_timed_under_their_route
);
