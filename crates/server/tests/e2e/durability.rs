//! A disk that fills up under load: every write answered 2xx is stored, every refusal is a 503,
//! and writes work again once space returns, without a restart. Two ways to fill it without
//! root: a page cap on every pooled connection (writes fail inside statements), and a file
//! size limit on the server process (commits fail as they write the log).

use crate::binary::start_binary_with_file_limit;
use crate::support::{TestServer, error_message, read};
use ninepanels_persistence::testing::TestDb;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Taps posted at once while the disk fills.
const WRITERS: usize = 4;
/// The password of every account made here.
const PASSWORD: &str = "a fine password";

/// A client of one server at `base`.
struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    fn new(url: impl FnOnce(&str) -> String) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: url(""),
        }
    }

    async fn sign_up(&self, email: &str) -> (reqwest::StatusCode, Value) {
        let fields = [("email", email), ("name", "F"), ("password", PASSWORD)];
        let request = self.client.post(format!("{}/v5/users", self.base));
        read(request.form(&fields).send().await.unwrap()).await
    }

    /// The account `taken@example.org`, signed in, with one panel: (token, panel id).
    async fn account_with_a_panel(&self) -> (String, i64) {
        assert_eq!(self.sign_up("taken@example.org").await.0, 200);
        let token = self.sign_in("taken@example.org").await;
        let panel = self.create_panel(&token).await;
        (token, panel)
    }

    async fn sign_in(&self, email: &str) -> String {
        let fields = [("username", email), ("password", PASSWORD)];
        let request = self.client.post(format!("{}/token", self.base));
        let (status, body) = read(request.form(&fields).send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    async fn create_panel(&self, token: &str) -> i64 {
        let request = self.client.post(format!("{}/v5/panels", self.base));
        let sent = request.bearer_auth(token).form(&[("title", "read")]);
        let (status, body) = read(sent.send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["id"].as_i64().unwrap()
    }

    async fn tap(&self, token: &str, panel: i64) -> (reqwest::StatusCode, Value) {
        let request = self
            .client
            .post(format!("{}/v5/panels/{panel}/entries", self.base));
        let sent = request
            .bearer_auth(token)
            .json(&json!({"is_complete": true}));
        read(sent.send().await.unwrap()).await
    }
}

/// What the server acknowledged.
#[derive(Default)]
struct Acknowledged {
    taps: Vec<i64>,
    accounts: Vec<String>,
}

/// Whether a write was done; a refusal must be a 503 that says nothing changed.
fn done_or_refused(status: reqwest::StatusCode, body: &Value) -> bool {
    match status.as_u16() {
        200 => true,
        503 => {
            let message = error_message(body, 503);
            assert!(message.contains("nothing was changed"), "{message}");
            false
        }
        other => panic!("a write on a full disk answered {other}: {body}"),
    }
}

impl Acknowledged {
    /// Posts sign-ups (transactions), sign-ups with a taken email (transactions that roll back)
    /// and taps (single statements) until `refusals` writes were refused.
    async fn write_until_refused(&mut self, api: &Api, token: &str, panel: i64, refusals: usize) {
        let mut refused = 0;
        for round in 0..2_000 {
            let email = format!("filler{round}@example.org");
            // On a connection whose transaction state was lost, a rollback would leave a
            // transaction open that later writes disappear into.
            let (status, body) = api.sign_up("taken@example.org").await;
            assert!(matches!(status.as_u16(), 400 | 503), "{status}: {body}");
            let taps = futures::future::join_all((0..WRITERS).map(|_| api.tap(token, panel)));
            let ((status, body), taps) = futures::future::join(api.sign_up(&email), taps).await;
            if done_or_refused(status, &body) {
                self.accounts.push(email);
            } else {
                refused += 1;
            }
            for (status, body) in taps {
                if done_or_refused(status, &body) {
                    self.taps.push(body["data"]["id"].as_i64().expect("an id"));
                } else {
                    refused += 1;
                }
            }
            if refused >= refusals {
                return;
            }
        }
        panic!("the disk never filled: {} taps accepted", self.taps.len());
    }

    /// Once space is back: taps and a sign-up succeed at once.
    async fn write_after_space_returns(&mut self, api: &Api, token: &str, panel: i64) {
        for _ in 0..20 {
            let (status, body) = api.tap(token, panel).await;
            assert_eq!(status, 200, "writes work again: {body}");
            self.taps.push(body["data"]["id"].as_i64().unwrap());
        }
        let (status, body) = api.sign_up("after@example.org").await;
        assert_eq!(status, 200, "{body}");
        self.accounts.push("after@example.org".into());
    }

    /// Reads the database afresh: the stored taps are exactly the acknowledged ones, and every
    /// acknowledged account is there.
    async fn assert_stored(&self, url: &str, panel: i64) {
        let fresh = Database::connect(url).await.unwrap();
        let stored: BTreeSet<i64> = column::<i32>(
            &fresh,
            &format!("SELECT id FROM entries WHERE panel_id = {panel}"),
        )
        .await
        .into_iter()
        .map(i64::from)
        .collect();
        let taps: BTreeSet<i64> = self.taps.iter().copied().collect();
        assert_eq!(taps.len(), self.taps.len(), "tap ids are unique");
        assert_eq!(stored, taps, "the stored taps are the acknowledged ones");
        let accounts: BTreeSet<String> = column(&fresh, "SELECT email FROM users")
            .await
            .into_iter()
            .collect();
        for email in &self.accounts {
            assert!(accounts.contains(email), "{email} acknowledged, not stored");
        }
        fresh.close().await.unwrap();
    }
}

/// Makes an account and a panel, writes until the disk is full, lets `make_room` give space
/// back, and writes again: what was acknowledged, and the panel.
async fn fill_and_recover(api: &Api, make_room: impl AsyncFnOnce(&str)) -> (Acknowledged, i64) {
    let (token, panel) = api.account_with_a_panel().await;
    let mut acknowledged = Acknowledged::default();
    acknowledged
        .write_until_refused(api, &token, panel, 12)
        .await;
    make_room(&token).await;
    acknowledged
        .write_after_space_returns(api, &token, panel)
        .await;
    (acknowledged, panel)
}

async fn column<T: sea_orm::TryGetable>(db: &impl ConnectionTrait, sql: &str) -> Vec<T> {
    db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect()
}

#[tokio::test]
async fn writes_failing_inside_statements_lose_nothing_and_recover() {
    let test_db = TestDb::sqlite().await;
    // Two fillers reserve pages: dropping the first gives the server its room, dropping the
    // second gives space back later. No connection of the server's pool may grow the file.
    test_db
        .db
        .execute_unprepared(&format!(
            "CREATE TABLE room (b BLOB); INSERT INTO room VALUES (zeroblob({}));
             CREATE TABLE returned (b BLOB); INSERT INTO returned VALUES (zeroblob({}));
             DROP TABLE room;",
            16 * 4096,
            64 * 4096
        ))
        .await
        .unwrap();
    let cap: i64 = column(&test_db.db, "PRAGMA page_count").await[0];
    let url = test_db.url.clone();
    let pool = ninepanels_persistence::connect_with(
        &ninepanels_domain::config::Config::for_tests(&url).database,
        move |o| o.pragma("max_page_count", cap.to_string()),
    )
    .await
    .unwrap();
    let server = TestServer::start_on(test_db, |_| {}, Some(pool)).await;
    let api = Api::new(|path| server.url(path));
    let (acknowledged, panel) = fill_and_recover(&api, async |token: &str| {
        let (status, body) = server.get_as("/v5/panels", token).await;
        assert_eq!(status, 200, "reads go on while the disk is full: {body}");
        let dropped = server.db.db.execute_unprepared("DROP TABLE returned");
        dropped.await.unwrap();
    })
    .await;
    acknowledged.assert_stored(&url, panel).await;
    let pages: Vec<i64> = column(&server.db.db, "PRAGMA page_count").await;
    assert!(pages[0] <= cap, "the cap held");
    server.stop().await;
}

#[tokio::test]
async fn commits_failing_on_a_full_file_system_lose_nothing_and_recover() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ninepanels.db").display()
    );
    // Commits append to the write-ahead log, which may not pass 1 MiB until the limit lifts.
    let server = start_binary_with_file_limit(
        dir.path(),
        &[("DATABASE_URL", &url), ("LOG_LEVEL", "error")],
        1 << 20,
    );
    let api = Api::new(|path| server.url(path));
    let (acknowledged, panel) =
        fill_and_recover(&api, async |_: &str| server.lift_file_limit()).await;
    let (stopped, _) = server.stop();
    assert!(stopped, "the server stops cleanly");
    acknowledged.assert_stored(&url, panel).await;
}
