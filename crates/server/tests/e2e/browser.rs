//! `/redoc` and `/docs` in headless Chromium (Debian's `chromium`; `.ci/run` installs it) with
//! every host but loopback unresolvable: the route list renders, so nothing the pages need
//! comes from elsewhere; and Swagger UI's "Authorize" signs in through `/token`, driven over the
//! DevTools protocol as a person would click and type.

use crate::support::TestServer;
use futures::{SinkExt, StreamExt};
use ninepanels_persistence::testing::TestEngine;
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

const CHROMIUM: &str = "/usr/bin/chromium";
/// Headless, quiet, and with every host but loopback unresolvable.
const HEADLESS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
];

/// `false` (after a loud message) when Chromium is absent outside CI; CI fails instead.
fn chromium_present() -> bool {
    if std::path::Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI needs Debian's chromium (apt-get install chromium)"
    );
    eprintln!(
        "\n!!! SKIPPING a browser test: {CHROMIUM} is not installed (apt-get install chromium)\n"
    );
    false
}

fn rendered_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(CHROMIUM)
        .args(HEADLESS)
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn redoc_and_swagger_render_the_routes_offline() {
    if !chromium_present() {
        return;
    }
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    for page in ["/redoc", "/docs/"] {
        let url = server.url(page);
        let dom = tokio::task::spawn_blocking(move || rendered_dom(&url))
            .await
            .unwrap();
        assert!(
            dom.contains("Nine Panels API"),
            "{page} did not render its title"
        );
        for path in [
            "/v5/panels/{panel_id}/history",
            "/v5/metrics/panels/consistency",
            "/token",
        ] {
            assert!(dom.contains(path), "{page} did not render {path}");
        }
    }
    server.stop().await;
}

/// One tab of a headless Chromium, driven over the DevTools protocol.
struct Tab {
    _browser: tokio::process::Child,
    _profile: tempfile::TempDir,
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    /// Every URL the tab asked for, from `Network.requestWillBeSent`.
    requested: Vec<String>,
}

impl Tab {
    async fn open() -> Self {
        let profile = tempfile::tempdir().unwrap();
        let mut browser = tokio::process::Command::new(CHROMIUM)
            .args(HEADLESS)
            .args(["--remote-debugging-port=0", "about:blank"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(browser.stderr.take().unwrap()).lines();
        let browser_socket = loop {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("Chromium announced no DevTools port")
                .unwrap()
                .expect("Chromium exited before announcing its DevTools port");
            if let Some(at) = line.find("ws://") {
                break line[at..].trim().to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let port = browser_socket["ws://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let targets: Vec<Value> = reqwest::get(format!("http://127.0.0.1:{port}/json/list"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = targets
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let (socket, _) =
            tokio_tungstenite::connect_async(page["webSocketDebuggerUrl"].as_str().unwrap())
                .await
                .unwrap();
        let mut tab = Self {
            _browser: browser,
            _profile: profile,
            socket,
            next_id: 0,
            requested: Vec::new(),
        };
        tab.call("Network.enable", json!({})).await;
        tab.call("Runtime.enable", json!({})).await;
        tab
    }

    /// Sends one command and returns its result, noting the network events on the way.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let command = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::Text(command.to_string().into()))
            .await
            .unwrap();
        loop {
            let message = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method}"))
                .unwrap()
                .unwrap();
            let Message::Text(text) = message else {
                continue;
            };
            let message: Value = serde_json::from_str(&text).unwrap();
            if message["method"] == "Network.requestWillBeSent" {
                let url = &message["params"]["request"]["url"];
                self.requested
                    .push(url.as_str().unwrap_or_default().to_owned());
            }
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it gives something other than null or false.
    async fn wait_for(&mut self, expression: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.eval(expression).await;
            if !(value.is_null() || value == false) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting for {expression}; page text: {}",
                self.eval("document.body.innerText").await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Focuses the input and types `text` into it.
    async fn type_into(&mut self, selector: &str, text: &str) {
        self.wait_for(&format!("document.querySelector('{selector}') !== null"))
            .await;
        self.eval(&format!("document.querySelector('{selector}').focus()"))
            .await;
        self.call("Input.insertText", json!({"text": text})).await;
    }

    /// Clicks the first button whose text is `label` inside `scope`.
    async fn click_button(&mut self, scope: &str, label: &str) {
        self.wait_for(&format!(
            "(() => {{ const b = [...document.querySelectorAll('{scope} button')]
                 .find(b => b.innerText.trim() === '{label}');
               if (b) b.click(); return !!b; }})()"
        ))
        .await;
    }
}

#[tokio::test]
async fn swagger_authorize_signs_in_through_token_and_try_it_out_uses_it() {
    if !chromium_present() {
        return;
    }
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    server
        .sign_up("swagger@example.org", "a fine password")
        .await;
    let mut tab = Tab::open().await;
    tab.call("Page.navigate", json!({"url": server.url("/docs/")}))
        .await;
    tab.click_button(".auth-wrapper", "Authorize").await;
    tab.type_into("#oauth_username", "swagger@example.org")
        .await;
    tab.type_into("#oauth_password", "a fine password").await;
    tab.click_button(".modal-ux", "Authorize").await;
    tab.wait_for(
        "[...document.querySelectorAll('.modal-ux button')].some(b => b.innerText.trim() === 'Logout')",
    )
    .await;
    tab.click_button(".modal-ux", "Close").await;

    tab.wait_for(
        "(() => { const c = document.querySelector('#operations-users-get_user .opblock-summary-control');
                  if (c) c.click(); return !!c; })()",
    )
    .await;
    tab.click_button("#operations-users-get_user", "Try it out")
        .await;
    tab.click_button("#operations-users-get_user", "Execute")
        .await;
    let shown = tab
        .wait_for(
            "(() => { const live = document.querySelector('#operations-users-get_user .live-responses-table');
                      return live && live.innerText.includes('swagger@example.org') ? live.innerText : null; })()",
        )
        .await;
    assert!(shown.as_str().unwrap().contains("200"), "{shown}");
    let elsewhere: Vec<&String> = tab
        .requested
        .iter()
        .filter(|url| !url.starts_with("http://127.0.0.1:") && !url.starts_with("data:"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests left loopback: {elsewhere:?}"
    );
    assert!(
        tab.requested.iter().any(|url| url.ends_with("/token")),
        "{:?}",
        tab.requested
    );
    server.stop().await;
}
