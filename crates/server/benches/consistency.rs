//! `GET /v5/metrics/panels/consistency` for nine panels with ten years of daily entries each,
//! served from SQLite and PostgreSQL (the computation alone is the divan bench `day_series` of
//! ninepanels-domain). Run with `cargo bench -p ninepanels --bench consistency`.

use chrono::{Duration, TimeZone as _, Utc};
use ninepanels::Server;
use ninepanels_domain::clock::TestClock;
use ninepanels_domain::config::Config;
use ninepanels_persistence::entities::entries;
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::time::to_db;
use sea_orm::{EntityTrait, Set};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

const PANELS: usize = 9;

fn percentile(samples: &mut [StdDuration], p: f64) -> StdDuration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

async fn seed(db: &TestDb, panel_ids: &[i32], days: i64, start: chrono::DateTime<Utc>) {
    for &panel_id in panel_ids {
        let rows: Vec<entries::ActiveModel> = (0..days)
            .map(|d| entries::ActiveModel {
                is_complete: Set(Some(d % 3 != 0)),
                timestamp: Set(Some(to_db(start + Duration::days(d) + Duration::hours(8)))),
                panel_id: Set(Some(panel_id)),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(2000) {
            entries::Entity::insert_many(chunk.to_vec())
                .exec(&db.db)
                .await
                .unwrap();
        }
    }
}

async fn sign_in(client: &reqwest::Client, token_url: &str) -> String {
    let body: serde_json::Value = client
        .post(token_url)
        .form(&[
            ("username", "bench@example.org"),
            ("password", "bench password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["access_token"].as_str().unwrap().to_owned()
}

async fn route_figures(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        println!("{engine:?}: not reachable, skipped");
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap();
    let days = 3650;
    let start = now - Duration::days(days - 1);
    let clock = TestClock::at(start);
    let server = Server::start_with_clock(Config::for_tests(&db.url), Arc::new(clock.clone()))
        .await
        .unwrap()
        .spawn()
        .await
        .unwrap();
    let addr = server.addr;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("http://{addr}{p}");
    client
        .post(url("/v5/users"))
        .form(&[
            ("email", "bench@example.org"),
            ("name", "Bench"),
            ("password", "bench password"),
        ])
        .send()
        .await
        .unwrap();
    let token = sign_in(&client, &url("/token")).await;
    let mut panel_ids = Vec::new();
    for i in 0..PANELS {
        let panel: serde_json::Value = client
            .post(url("/v5/panels"))
            .bearer_auth(&token)
            .form(&[("title", format!("panel {i}"))])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        panel_ids.push(panel["data"]["id"].as_i64().unwrap() as i32);
    }
    seed(&db, &panel_ids, days, start).await;
    clock.set(now);
    let token = sign_in(&client, &url("/token")).await;

    let get = || {
        client
            .get(url("/v5/metrics/panels/consistency"))
            .bearer_auth(&token)
            .send()
    };
    for _ in 0..5 {
        get().await.unwrap().bytes().await.unwrap();
    }
    let mut samples = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let response = get().await.unwrap();
        assert!(response.status().is_success());
        response.bytes().await.unwrap();
        samples.push(started.elapsed());
    }
    let p50 = percentile(&mut samples, 0.5);
    let p99 = percentile(&mut samples, 0.99);
    println!(
        "{engine:?}: GET /v5/metrics/panels/consistency, {PANELS} panels x {days} days ({} entries): p50 {:.1} ms, p99 {:.1} ms (100 sequential requests)",
        PANELS as i64 * days,
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    server.stop().await.unwrap();
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs bench targets with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    route_figures(TestEngine::Sqlite).await;
    route_figures(TestEngine::Postgres).await;
}
