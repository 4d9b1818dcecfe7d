//! The OpenAPI document: every route the router serves is documented, and every documented
//! operation is served (none answers the router's own 404 or 405).

use crate::support::TestServer;
use ninepanels_persistence::testing::TestEngine;
use reqwest::Method;

/// The contract's routes, method and path.
const API: [(&str, &str); 29] = [
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/token"),
    ("POST", "/v5/auth/logout"),
    ("POST", "/v5/auth/request_password_reset"),
    ("POST", "/v5/auth/password_reset"),
    ("POST", "/v5/users"),
    ("GET", "/v5/users"),
    ("PATCH", "/v5/users"),
    ("DELETE", "/v5/users"),
    ("POST", "/v5/panels"),
    ("GET", "/v5/panels"),
    ("PATCH", "/v5/panels/{panel_id}"),
    ("DELETE", "/v5/panels/{panel_id}"),
    ("POST", "/v5/panels/{panel_id}/entries"),
    ("GET", "/v5/panels/{panel_id}/entries"),
    ("DELETE", "/v5/panels/{panel_id}/entries"),
    ("GET", "/v5/panels/{panel_id}/history"),
    ("GET", "/v5/metrics/panels/consistency"),
    ("GET", "/v5/metrics/panels/{panel_id}/streaks"),
    ("GET", "/v5/metrics/panels/summary"),
    ("GET", "/v5/panels/{panel_id}/calendar"),
    ("GET", "/v5/users/export"),
    ("POST", "/v5/users/import"),
    ("GET", "/v5/admin/users"),
    ("GET", "/v5/admin/routes"),
    ("GET", "/v5/admin/routes/timings"),
    ("GET", "/openapi.json"),
];

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    let response = server
        .client
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["license"]["name"], "MIT");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["flows"]["password"]["tokenUrl"],
        "/token"
    );
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "patch", "delete", "put"].contains(&method.as_str()) {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = API
        .iter()
        .filter(|(_, p)| *p != "/openapi.json")
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(
        documented, expected,
        "documented operations differ from the contract"
    );

    let (id, token) = server.new_account("root@example.org").await;
    server.make_admin(id).await;
    let panel = server.create_panel(&token, "read").await["id"]
        .as_i64()
        .unwrap();
    for (method, path) in API {
        if (method, path) == ("DELETE", "/v5/users") {
            continue;
        }
        let concrete = path.replace("{panel_id}", &panel.to_string());
        let response = server
            .authed(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &concrete,
                &token,
            )
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        assert!(status != 405, "{method} {path} is not served: {status}");
        assert!(
            !(status == 404 && body.contains("\"Not found\"")),
            "{method} {path} is not routed: {body}"
        );
        let operation = &doc["paths"][path][method.to_lowercase()];
        if path != "/openapi.json" {
            let documented_statuses = operation["responses"].as_object().unwrap();
            assert!(
                documented_statuses.contains_key(&status.to_string()),
                "{method} {path} answered {status}, which its documentation does not list: {body}"
            );
        }
    }
    server.stop().await;
}

/// Every operation lists the answers the layers give (408 always, 413 with a body), and every
/// property of the bodies it takes and gives has an example the pages can show.
#[tokio::test]
async fn the_document_states_layer_answers_and_examples() {
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    let (_, doc) = server.get("/openapi.json").await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("408"), "{method} {path} lacks 408");
            assert_eq!(
                responses.contains_key("413"),
                operation.get("requestBody").is_some(),
                "{method} {path}: 413 goes with a request body"
            );
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let documented =
                    parameter.get("example").is_some() || parameter["name"] == "cursor";
                assert!(
                    documented,
                    "{method} {path}: {} has no example",
                    parameter["name"]
                );
            }
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if name.starts_with("Envelope_") {
            continue;
        }
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            let refers = |p: &serde_json::Value| p.get("$ref").is_some();
            let has_example = property.get("example").is_some()
                || property["oneOf"]
                    .as_array()
                    .is_some_and(|one| one.iter().any(refers))
                || property.get("examples").is_some()
                || property.get("$ref").is_some()
                || property.get("allOf").is_some()
                || property
                    .get("items")
                    .is_some_and(|i| i.get("$ref").is_some());
            assert!(has_example, "{name}.{field} has no example: {property}");
        }
    }
    server.stop().await;
}

/// `/docs` and `/redoc` render from this server alone: every script and style they load is
/// served here, none from a CDN.
#[tokio::test]
async fn the_documentation_pages_load_nothing_from_elsewhere() {
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    for page in ["/docs/", "/redoc"] {
        let response = server.client.get(server.url(page)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        for attribute in ["src=\"", "href=\""] {
            for (at, _) in html.match_indices(attribute) {
                let target: String = html[at + attribute.len()..]
                    .chars()
                    .take_while(|c| *c != '"')
                    .collect();
                assert!(
                    !target.starts_with("http") && !target.starts_with("//"),
                    "{page} loads {target}"
                );
                if target.ends_with(".js") || target.ends_with(".css") {
                    let asset = if target.starts_with('/') {
                        target.clone()
                    } else {
                        format!("/docs/{}", target.trim_start_matches("./"))
                    };
                    let got = server.client.get(server.url(&asset)).send().await.unwrap();
                    assert_eq!(got.status(), 200, "{page} needs {asset}");
                }
            }
        }
    }
    let script = server
        .client
        .get(server.url("/redoc/redoc.standalone.js"))
        .send()
        .await
        .unwrap();
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    assert!(script.bytes().await.unwrap().len() > 1_000_000);
    let initializer = server
        .client
        .get(server.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    let initializer = initializer.text().await.unwrap();
    assert!(initializer.contains("/openapi.json"), "{initializer}");
    server.stop().await;
}

/// The large documentation assets travel gzipped to a browser that accepts it, and unzip to
/// the same bytes; API answers are left as they are.
#[tokio::test]
async fn documentation_assets_are_gzipped() {
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    for asset in [
        "/redoc/redoc.standalone.js",
        "/docs/swagger-ui-bundle.js",
        "/openapi.json",
    ] {
        let plain = server.client.get(server.url(asset)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{asset}");
        let plain = plain.bytes().await.unwrap();
        let zipped = server
            .client
            .get(server.url(asset))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{asset}");
        let zipped = zipped.bytes().await.unwrap();
        assert!(
            zipped.len() * 2 < plain.len(),
            "{asset}: {} bytes gzipped of {}",
            zipped.len(),
            plain.len()
        );
        assert_eq!(gunzip(&zipped), plain, "{asset}");
    }
    let api = server
        .client
        .get(server.url("/healthz"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(api.headers().get("content-encoding").is_none());
    server.stop().await;
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let output = child.wait_with_output().unwrap().stdout;
    writer.join().unwrap();
    output
}

/// The document passes an OpenAPI validator (`openapi-spec-validator` from PyPI; `.ci/run`
/// installs it, and CI fails rather than skips without it).
#[tokio::test]
async fn the_document_is_valid_openapi() {
    let available = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs openapi-spec-validator (pip install openapi-spec-validator)"
        );
        eprintln!(
            "\n!!! SKIPPING the OpenAPI validation: pip install openapi-spec-validator to run it\n"
        );
        return;
    }
    let server = TestServer::start(TestEngine::Sqlite).await.unwrap();
    let doc = server.text("/openapi.json").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, doc).unwrap();
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))\nprint('valid')",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    server.stop().await;
}
