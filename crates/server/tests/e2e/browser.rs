//! `/redoc` and `/docs` in headless Chromium (Debian's `chromium`; `.ci/run` installs it) with
//! every host but loopback unresolvable: the route list renders, so nothing the pages need
//! comes from elsewhere.

use crate::support::TestServer;
use ninepanels_persistence::testing::TestEngine;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn rendered_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn redoc_and_swagger_render_the_routes_offline() {
    if !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs Debian's chromium (apt-get install chromium)"
        );
        eprintln!(
            "\n!!! SKIPPING the browser test: {CHROMIUM} is not installed (apt-get install chromium)\n"
        );
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
