//! A server started in-process on 127.0.0.1:0 over a fresh test database, with a test clock.

use chrono::{TimeZone, Utc};
use ninepanels::{Running, Server};
use ninepanels_domain::clock::TestClock;
use ninepanels_domain::config::{Config, MailerConfig};
use ninepanels_persistence::testing::{TestDb, TestEngine};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;

pub struct TestServer {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub clock: TestClock,
    pub db: TestDb,
    pub mail_dir: tempfile::TempDir,
    running: Running,
}

impl TestServer {
    /// `None` when the engine is PostgreSQL and it is absent (the skip is announced loudly).
    pub async fn start(engine: TestEngine) -> Option<Self> {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: TestEngine, adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        let db = TestDb::new(engine).await?;
        Some(Self::start_on(db, adjust, None).await)
    }

    /// A server on `db`, through `pool` when given (a pool opened with changed options).
    pub async fn start_on(
        db: TestDb,
        adjust: impl FnOnce(&mut Config),
        pool: Option<ninepanels_persistence::DatabaseConnection>,
    ) -> Self {
        let mail_dir = tempfile::tempdir().unwrap();
        let mut config = config_on(&db, &mail_dir);
        adjust(&mut config);
        let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap());
        let running = match pool {
            Some(pool) => {
                serve(
                    Server::start_on(config, pool, Arc::new(clock.clone()))
                        .await
                        .expect("the test server starts"),
                )
                .await
            }
            None => spawn(config, clock.clone()).await,
        };
        Self {
            addr: running.addr,
            client: reqwest::Client::new(),
            clock,
            db,
            mail_dir,
            running,
        }
    }

    /// Stops this server as on SIGTERM and starts another on the same database, mail folder and
    /// clock, configured anew: an operator's restart.
    pub async fn restart(self, adjust: impl FnOnce(&mut Config)) -> Self {
        let Self {
            client,
            clock,
            db,
            mail_dir,
            running,
            ..
        } = self;
        running.stop().await.expect("the test server serves");
        let mut config = config_on(&db, &mail_dir);
        adjust(&mut config);
        let running = spawn(config, clock.clone()).await;
        Self {
            addr: running.addr,
            client,
            clock,
            db,
            mail_dir,
            running,
        }
    }

    /// A second server process on the same database (same secret), as when scaling out.
    pub async fn start_peer(&self, adjust: impl FnOnce(&mut Config)) -> PeerServer {
        let mut config = Config::for_tests(&self.db.url);
        adjust(&mut config);
        let running = spawn(config, self.clock.clone()).await;
        PeerServer {
            addr: running.addr,
            running,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, Value) {
        read(self.client.get(self.url(path)).send().await.unwrap()).await
    }

    /// The body of an unauthenticated `GET` as text (the metrics, the OpenAPI document).
    pub async fn text(&self, path: &str) -> String {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        response.text().await.unwrap()
    }

    /// A request with `Authorization: Bearer <token>`.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get_as(&self, path: &str, token: &str) -> (reqwest::StatusCode, Value) {
        read(
            self.authed(reqwest::Method::GET, path, token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (reqwest::StatusCode, Value) {
        read(
            self.client
                .post(self.url(path))
                .form(fields)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Signs up and returns the user object.
    pub async fn sign_up(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .post_form(
                "/v5/users",
                &[("email", email), ("name", "Ada"), ("password", password)],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// Signs in and returns the access token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .post_form("/token", &[("username", email), ("password", password)])
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    /// Signs up and in; returns (user id, token).
    pub async fn new_account(&self, email: &str) -> (i64, String) {
        let user = self.sign_up(email, "a fine password").await;
        let token = self.sign_in(email, "a fine password").await;
        (user["id"].as_i64().unwrap(), token)
    }

    /// Gives the user the admin role, as an operator would.
    pub async fn make_admin(&self, user_id: i64) {
        use ninepanels_domain::ports::UserRepository;
        let changes = ninepanels_domain::user::UserChanges {
            is_admin: Some(true),
            ..Default::default()
        };
        ninepanels_persistence::SqlUsers::new(self.db.db.clone())
            .update(user_id as i32, changes)
            .await
            .unwrap();
    }

    /// Creates a panel at the end and returns it.
    pub async fn create_panel(&self, token: &str, title: &str) -> Value {
        let (status, body) = self
            .send_form(
                reqwest::Method::POST,
                "/v5/panels",
                token,
                &[("title", title)],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// Records a tap now (by the test clock).
    pub async fn tap(&self, token: &str, panel_id: i64, is_complete: bool) -> Value {
        let (status, body) = self
            .send_json(
                reqwest::Method::POST,
                &format!("/v5/panels/{panel_id}/entries"),
                token,
                &serde_json::json!({"is_complete": is_complete}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    pub async fn send_form(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
    ) -> (reqwest::StatusCode, Value) {
        read(
            self.authed(method, path, token)
                .form(fields)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> (reqwest::StatusCode, Value) {
        read(
            self.authed(method, path, token)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> (reqwest::StatusCode, Value) {
        read(self.authed(method, path, token).send().await.unwrap()).await
    }

    /// The caller's panel titles in the order the list comes back, checking positions are 0..n-1.
    pub async fn titles(&self, token: &str) -> Vec<String> {
        let (status, body) = self.get_as("/v5/panels", token).await;
        assert_eq!(status, 200, "{body}");
        let panels = body["data"].as_array().unwrap();
        for (i, p) in panels.iter().enumerate() {
            assert_eq!(p["position"], i, "{body}");
        }
        panels
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Runs the background work the requests so far have caused (events, then the outbox
    /// messages due), so a test asserts on its effects without waiting.
    pub async fn drain(&self) {
        self.running.drain().await.expect("the outbox can be read");
    }

    /// The mails written to `to` once the background work is done, oldest first.
    pub async fn mails_to(&self, to: &str) -> Vec<String> {
        self.drain().await;
        let mut found: Vec<(std::path::PathBuf, String)> = std::fs::read_dir(self.mail_dir.path())
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
                    .filter(|(_, text)| text.contains(&format!("\nTo: {to}\n")))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found.into_iter().map(|(_, text)| text).collect()
    }

    /// Stops accepting, finishes requests in flight, and waits for the server to stop.
    pub async fn stop(self) {
        self.running.stop().await.expect("the test server serves");
    }
}

/// The tests' configuration on `db`, with mail written to files in `mail_dir`.
fn config_on(db: &TestDb, mail_dir: &tempfile::TempDir) -> Config {
    let mut config = Config::for_tests(&db.url);
    config.mail.mailer = MailerConfig::Log {
        dir: mail_dir.path().to_path_buf(),
    };
    config
}

async fn spawn(config: Config, clock: TestClock) -> Running {
    serve(
        Server::start_with_clock(config, Arc::new(clock))
            .await
            .expect("the test server starts"),
    )
    .await
}

async fn serve(server: Server) -> Running {
    server.spawn().await.expect("a loopback port")
}

/// Another server on a [`TestServer`]'s database.
pub struct PeerServer {
    pub addr: SocketAddr,
    running: Running,
}

impl PeerServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn stop(self) {
        self.running.stop().await.expect("the peer server serves");
    }
}

pub async fn read(response: reqwest::Response) -> (reqwest::StatusCode, Value) {
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Asserts the error envelope and returns its message.
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

/// Runs each `async fn(TestServer)` test body against a server on SQLite and one on PostgreSQL;
/// `config = f;` first adjusts both servers' configuration with `f(&mut Config)`.
#[macro_export]
macro_rules! e2e_on_both_engines {
    (config = $adjust:ident; $($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let server = $crate::support::TestServer::start_with(
                        ninepanels_persistence::testing::TestEngine::Sqlite,
                        super::$adjust,
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
                    if let Some(server) = $crate::support::TestServer::start_with(
                        ninepanels_persistence::testing::TestEngine::Postgres,
                        super::$adjust,
                    )
                    .await
                    {
                        super::$name(server).await;
                    }
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        fn test_configuration(_: &mut ninepanels_domain::config::Config) {}
        $crate::e2e_on_both_engines!(config = test_configuration; $($name),*);
    };
}
