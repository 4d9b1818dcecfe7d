//! A server started in-process on 127.0.0.1:0 over a fresh test database, with a test clock.

use chrono::{TimeZone, Utc};
use ninepanels::Server;
use ninepanels_domain::clock::TestClock;
use ninepanels_domain::config::Config;
use ninepanels_persistence::testing::{TestDb, TestEngine};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    #[expect(dead_code, reason = "the accounts and panels tests move time")]
    pub clock: TestClock,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// `None` when the engine is PostgreSQL and it is absent (the skip is announced loudly).
    pub async fn start(engine: TestEngine) -> Option<Self> {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: TestEngine, adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        let db = TestDb::new(engine).await?;
        let mut config = Config::for_tests(&db.url);
        adjust(&mut config);
        let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap());
        let server = Server::start_with_clock(config, Arc::new(clock.clone()))
            .await
            .expect("the test server starts");
        let listener = server.bind().await.expect("a loopback port");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .serve(listener, async {
                    stopped.await.ok();
                })
                .await
                .expect("the test server serves");
        });
        Some(Self {
            addr,
            client: reqwest::Client::new(),
            clock,
            db,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, Value) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// Stops accepting, finishes requests in flight, and waits for the server to stop.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

/// Asserts the error envelope of API.md section 1 and returns its message.
pub fn error_message(body: &Value, status: u16) -> String {
    assert_eq!(body["status_code"], status, "{body}");
    assert_eq!(body["is_error"], true, "{body}");
    let message = body["error_message"]
        .as_str()
        .expect("a message")
        .to_owned();
    assert_eq!(body["data"]["detail"], message.as_str(), "{body}");
    message
}

/// Runs each `async fn(TestServer)` test body against a server on SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! e2e_on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let server = $crate::support::TestServer::start(
                        ninepanels_persistence::testing::TestEngine::Sqlite,
                    )
                    .await
                    .expect("SQLite is always available");
                    super::$name(server).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(server) = $crate::support::TestServer::start(
                        ninepanels_persistence::testing::TestEngine::Postgres,
                    )
                    .await
                    {
                        super::$name(server).await;
                    }
                }
            )*
        }
    };
}
