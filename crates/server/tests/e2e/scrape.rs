//! `GET /metrics`: the Prometheus text after some requests, and the token that guards it.

use crate::support::TestServer;
use ninepanels_domain::config::Secret;
use ninepanels_persistence::testing::TestEngine;

async fn scrape(server: &TestServer, token: Option<&str>) -> (u16, String) {
    let mut request = server.client.get(server.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The line of `metric` whose labels include every one of `labels`.
fn line<'a>(text: &'a str, metric: &str, labels: &[&str]) -> Option<&'a str> {
    text.lines()
        .find(|l| l.starts_with(metric) && labels.iter().all(|label| l.contains(label)))
}

/// How many `GET /v5/panels` answered 200 the scrape counts (the recorder is the process's, so
/// servers of other tests running in it add theirs).
fn panel_lists(text: &str) -> u64 {
    let bucket = ["route=\"/v5/panels\"", "method=\"GET\"", "status=\"200\""];
    line(text, "http_request_duration_seconds_count", &bucket)
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0, |n| n.parse().unwrap())
}

async fn a_scrape_shows_route_histograms_pool_gauges_and_the_outbox(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    let before = panel_lists(&scrape(&server, None).await.1);
    for _ in 0..3 {
        let (status, _) = server.get_as("/v5/panels", &token).await;
        assert_eq!(status, 200);
    }
    let (status, text) = scrape(&server, None).await;
    assert_eq!(status, 200);
    assert!(panel_lists(&text) >= before + 3, "{text}");
    let bucket = ["route=\"/v5/panels\"", "method=\"GET\"", "status=\"200\""];
    assert!(line(&text, "http_request_duration_seconds_bucket", &bucket).is_some());
    let (status, _) = server.get_as("/v5/panels/987654/history", &token).await;
    assert_eq!(status, 404);
    let text = scrape(&server, None).await.1;
    let labelled = ["route=\"/v5/panels/{panel_id}/history\"", "status=\"404\""];
    assert!(line(&text, "http_request_duration_seconds_count", &labelled).is_some());
    assert!(
        !text.contains("987654"),
        "routes are labelled by template, never by id"
    );
    for (metric, labels) in [
        ("db_pool_connections", &["state=\"idle\""][..]),
        ("db_pool_connections", &["state=\"busy\""][..]),
        ("db_pool_max_connections", &[][..]),
        ("outbox_messages", &["state=\"waiting\""][..]),
        ("outbox_messages", &["state=\"parked\""][..]),
        ("events_dropped_total", &[][..]),
        ("http_requests_in_flight", &[][..]),
        ("process_resident_memory_bytes", &[][..]),
    ] {
        assert!(
            line(&text, metric, labels).is_some(),
            "{metric} {labels:?} in {text}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn the_metrics_token_guards_the_scrape() {
    let server = TestServer::start_with(TestEngine::Sqlite, |c| {
        c.http.metrics_token = Some(Secret::new("scrape-token"));
    })
    .await
    .unwrap();
    assert_eq!(scrape(&server, None).await.0, 401);
    assert_eq!(scrape(&server, Some("wrong")).await.0, 401);
    let (status, text) = scrape(&server, Some("scrape-token")).await;
    assert_eq!(status, 200);
    assert!(text.contains("db_pool_max_connections"));
    server.stop().await;
}

crate::e2e_on_both_engines!(a_scrape_shows_route_histograms_pool_gauges_and_the_outbox);
