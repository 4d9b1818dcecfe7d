//! Alerts reach a person: a route alert raised with a tiny threshold is mailed to every admin
//! and posted to a webhook receiver the test starts, and its clearing after the route recovers
//! too, with a restart in between that loses neither (the webhook's notice waits in the outbox
//! across it).

use crate::support::TestServer;
use axum::Json;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Duration;
use ninepanels_domain::config::{Config, Secret};
use ninepanels_persistence::testing::TestEngine;
use serde_json::Value;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// A webhook receiver on loopback: records each body with the status it answered.
struct Receiver {
    url: String,
    calls: Arc<Mutex<Vec<(u16, Value)>>>,
    answer: Arc<AtomicU16>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(answer: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let calls: Arc<Mutex<Vec<(u16, Value)>>> = Arc::default();
        let answer = Arc::new(AtomicU16::new(answer));
        let (seen, status) = (calls.clone(), answer.clone());
        let app = axum::Router::new().route(
            "/hook",
            post(move |Json(body): Json<Value>| async move {
                let code = status.load(Ordering::SeqCst);
                seen.lock().unwrap().push((code, body));
                StatusCode::from_u16(code).unwrap()
            }),
        );
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url,
            calls,
            answer,
            task,
        }
    }

    fn calls(&self) -> Vec<(u16, Value)> {
        self.calls.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Every request on `GET /v5/panels` is timed alone, and its alert threshold is `threshold_ms`.
fn alerting(config: &mut Config, webhook: &str, threshold_ms: u32) {
    let background = &mut config.background;
    background.timing_batch_size = 1;
    background.timing_window_size = 2;
    background.alert_thresholds = vec![("GET_/v5/panels".to_owned(), threshold_ms)];
    background.alerting.webhook_url = Some(Secret::new(webhook));
}

/// The subjects of the alert mails `to` got, oldest first.
async fn alert_subjects(server: &TestServer, to: &str) -> Vec<String> {
    server
        .mails_to(to)
        .await
        .iter()
        .filter_map(|mail| {
            mail.lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .filter(|s| s.starts_with("Nine Panels alert"))
                .map(str::to_owned)
        })
        .collect()
}

async fn a_route_alert_reaches_every_admin_and_the_webhook_across_a_restart(engine: TestEngine) {
    let receiver = Receiver::start(503).await;
    // A threshold of 0 ms: every request is over it.
    let Some(server) = TestServer::start_with(engine, |c| alerting(c, &receiver.url, 0)).await
    else {
        return;
    };
    let admins = ["root@example.org", "ops@example.org"];
    for admin in admins {
        let (id, _) = server.new_account(admin).await;
        server.make_admin(id).await;
    }
    let (_, token) = server.new_account("ada@example.org").await;
    let (status, _) = server.get_as("/v5/panels", &token).await;
    assert_eq!(status, 200);
    let raised = "Nine Panels alert: GET /v5/panels is slow";
    for admin in admins {
        assert_eq!(alert_subjects(&server, admin).await, [raised], "{admin}");
    }
    assert!(alert_subjects(&server, "ada@example.org").await.is_empty());
    let first = receiver.calls();
    assert_eq!(first.len(), 1, "one post, refused: {first:?}");
    assert_eq!(first[0].1["alert"]["state"], "raised");
    assert_eq!(
        first[0].1["text"].as_str().unwrap().lines().next(),
        Some(raised)
    );

    // The refused post waits in the outbox; the server restarts, now with a threshold the
    // route stays under, and the receiver accepts.
    let server = server
        .restart(|c| alerting(c, &receiver.url, 600_000))
        .await;
    receiver.answer.store(200, Ordering::SeqCst);
    server.clock.advance(Duration::seconds(10));
    server.drain().await;
    let (status, _) = server.get_as("/v5/panels", &token).await;
    assert_eq!(status, 200);
    let cleared = "Nine Panels alert cleared: GET /v5/panels is fast again";
    for admin in admins {
        assert_eq!(
            alert_subjects(&server, admin).await,
            [raised, cleared],
            "one mail per move for {admin}"
        );
    }
    let calls = receiver.calls();
    let states: Vec<(u16, &str)> = calls
        .iter()
        .map(|(code, body)| (*code, body["alert"]["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [(503, "raised"), (200, "raised"), (200, "cleared")],
        "the raise is posted again after the restart, then the clearing"
    );
    assert_eq!(
        calls[0].1["alert"]["id"], calls[1].1["alert"]["id"],
        "a retry carries the notice's id"
    );
    assert_eq!(calls[2].1["alert"]["cause"], "route:GET_/v5/panels");
    server.stop().await;
}

#[tokio::test]
async fn on_sqlite_a_route_alert_reaches_every_admin_and_the_webhook_across_a_restart() {
    a_route_alert_reaches_every_admin_and_the_webhook_across_a_restart(TestEngine::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_a_route_alert_reaches_every_admin_and_the_webhook_across_a_restart() {
    a_route_alert_reaches_every_admin_and_the_webhook_across_a_restart(TestEngine::Postgres).await;
}

/// A TCP proxy to PostgreSQL that the test can cut (every connection closed, none accepted)
/// and mend on the same port: a database that goes away and comes back.
struct Proxy {
    port: u16,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Self {
            port,
            tasks: Arc::default(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let tasks = self.tasks.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let conn = tokio::spawn(async move {
                    if let Ok(mut db) = tokio::net::TcpStream::connect("127.0.0.1:5432").await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut db).await;
                    }
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accepting);
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    async fn mend(&self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        self.serve(listener);
    }
}

/// Polls until `done` holds, for at most 30 s.
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited 30 s for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// PostgreSQL only: a SQLite file has no network to lose.
#[tokio::test]
async fn a_database_that_does_not_answer_is_told_at_once_and_its_return_through_the_outbox() {
    let receiver = Receiver::start(200).await;
    let proxy = Proxy::start().await;
    let Some(server) = TestServer::start_with(TestEngine::Postgres, |c| {
        let url = c
            .database
            .url
            .expose()
            .replace(":5432/", &format!(":{}/", proxy.port));
        c.database.url = ninepanels_domain::config::DatabaseUrl::parse(&url).unwrap();
        c.database.timeout_secs = 1;
        c.background.alerting.after_secs = 1;
        c.background.alerting.webhook_url = Some(Secret::new(&receiver.url));
    })
    .await
    else {
        return;
    };
    let (id, _) = server.new_account("root@example.org").await;
    server.make_admin(id).await;

    proxy.cut();
    let told = |state: &'static str| {
        move |calls: &[(u16, Value)]| {
            calls
                .iter()
                .any(|(_, b)| b["alert"]["cause"] == "database" && b["alert"]["state"] == state)
        }
    };
    wait_until("the webhook told of the outage", || {
        told("raised")(&receiver.calls())
    })
    .await;
    let down = receiver.calls();
    let down = &down
        .iter()
        .find(|(_, b)| b["alert"]["cause"] == "database")
        .unwrap()
        .1;
    assert_eq!(down["alert"]["summary"], "The database is unreachable");

    proxy.mend().await;
    wait_until("the webhook told of the return", || {
        told("cleared")(&receiver.calls())
    })
    .await;
    let back = alert_subjects(&server, "root@example.org").await;
    assert_eq!(
        back.last().map(String::as_str),
        Some("Nine Panels alert cleared: The database is reachable again"),
        "{back:?}"
    );
    server.stop().await;
}

/// A request that fails unexpectedly (here a column renamed behind the server's back) answers
/// 500 without the database's words, is counted by its route template, and alerts every admin
/// once per quiet time however often it fails.
async fn a_request_that_fails_unexpectedly_alerts_the_admins(engine: TestEngine) {
    use sea_orm::ConnectionTrait;
    let Some(server) = TestServer::start(engine).await else {
        return;
    };
    let (id, _) = server.new_account("root@example.org").await;
    server.make_admin(id).await;
    let (_, token) = server.new_account("ada@example.org").await;
    server.create_panel(&token, "Read").await;
    server
        .db
        .db
        .execute_unprepared("ALTER TABLE panels RENAME COLUMN title TO title_gone")
        .await
        .unwrap();
    for _ in 0..3 {
        let (status, body) = server.get_as("/v5/panels", &token).await;
        assert_eq!(status, 500, "{body}");
        assert!(
            !body.to_string().contains("title"),
            "the database's words: {body}"
        );
    }
    let failed = "Nine Panels alert: route GET /v5/panels failed";
    assert_eq!(alert_subjects(&server, "root@example.org").await, [failed]);
    let mail = server.mails_to("root@example.org").await;
    let alert = mail.iter().find(|m| m.contains(failed)).unwrap();
    assert!(alert.contains("title"), "the mail tells the cause: {alert}");
    assert!(alert_subjects(&server, "ada@example.org").await.is_empty());
    let scrape = server.text("/metrics").await;
    assert!(
        scrape.contains(r#"errors_raised_total{source="route GET /v5/panels"}"#),
        "{scrape}"
    );
    server.stop().await;
}

#[tokio::test]
async fn on_sqlite_a_request_that_fails_unexpectedly_alerts_the_admins() {
    a_request_that_fails_unexpectedly_alerts_the_admins(TestEngine::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_a_request_that_fails_unexpectedly_alerts_the_admins() {
    a_request_that_fails_unexpectedly_alerts_the_admins(TestEngine::Postgres).await;
}
