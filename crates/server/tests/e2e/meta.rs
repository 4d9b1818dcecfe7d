//! `GET /`, `/healthz`, `/readyz`, the envelope, request ids and CORS, over HTTP.

use crate::support::{TestServer, error_message};
use ninepanels_persistence::testing::TestEngine;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn root_names_the_service(server: TestServer) {
    let (status, body) = server.get("/").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"data": {"name": "ninepanels", "version": env!("CARGO_PKG_VERSION"), "env": "TEST", "commit": null},
               "status_code": 200, "is_error": false, "error_message": null, "meta": null})
    );
    server.stop().await;
}

async fn health_and_readiness_answer(server: TestServer) {
    let (status, body) = server.get("/healthz").await;
    assert_eq!(
        (status.as_u16(), &body["data"]),
        (200, &json!({"status": "ok"}))
    );
    let (status, body) = server.get("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["database"], "ok");
    assert_eq!(body["data"]["migrations"], "current");
    assert_eq!(body["data"]["events_dropped"], 0);
    assert!(body["data"]["events_queued"].is_u64());
    server.stop().await;
}

async fn unknown_paths_and_methods_are_wrapped(server: TestServer) {
    let (status, body) = server.get("/v5/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(error_message(&body, 404), "Not found");
    let response = server
        .client
        .delete(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        error_message(&body, 405),
        "This method is not allowed on this path."
    );
    server.stop().await;
}

async fn request_ids_are_echoed_or_made(server: TestServer) {
    let sent = "0b6c3f9e-4a2d-4f7e-9a51-2c8d7e6f5a4b";
    let response = server
        .client
        .get(server.url("/"))
        .header("X-Request-ID", sent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], sent);
    let made = server.client.get(server.url("/nope")).send().await.unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let junk = server
        .client
        .get(server.url("/"))
        .header("X-Request-ID", "not an id <script>")
        .send()
        .await
        .unwrap();
    assert_ne!(junk.headers()["x-request-id"], "not an id <script>");
    server.stop().await;
}

async fn cors_preflight_allows_the_web_client(server: TestServer) {
    let response = server
        .client
        .request(reqwest::Method::OPTIONS, server.url("/v5/panels"))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,x-request-id",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    for h in ["authorization", "content-type", "x-request-id"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    let simple = server
        .client
        .get(server.url("/"))
        .header("Origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(
        simple.headers()["access-control-expose-headers"],
        "x-request-id"
    );
    let foreign = server
        .client
        .get(server.url("/"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    server.stop().await;
}

async fn oversized_bodies_are_refused_in_the_envelope(server: TestServer) {
    let response = server
        .client
        .post(server.url("/"))
        .body(vec![b'x'; 10 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert!(status == 405 || status == 413, "{status}");
    let body: serde_json::Value = response.json().await.unwrap();
    error_message(&body, status);
    server.stop().await;
}

/// Sends `head`, then each part of `body` after `pause`, and reads the whole answer.
async fn raw_exchange(
    addr: SocketAddr,
    head: &str,
    body: &[&[u8]],
    pause: Duration,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    for part in body {
        tokio::time::sleep(pause).await;
        if stream.write_all(part).await.is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    let status = text[9..12].parse().unwrap();
    let json = &text[text.find('{').unwrap()..=text.rfind('}').unwrap()];
    (status, serde_json::from_str(json).unwrap())
}

async fn a_body_over_the_limit_is_413_however_it_is_sent(server: TestServer) {
    let big = "x".repeat(ninepanels_http::router::MAX_BODY_BYTES + 1);
    let (status, body) = server
        .post_form("/token", &[("username", big.as_str()), ("password", "p")])
        .await;
    assert_eq!(status, 413);
    assert_eq!(error_message(&body, 413), "The request body is too large.");

    let chunk = vec![b'a'; 16 * 1024];
    let chunked: Vec<u8> = (0..5)
        .flat_map(|_| {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            framed
        })
        .chain(b"0\r\n\r\n".iter().copied())
        .collect();
    let head = "POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";
    let (status, body) = raw_exchange(server.addr, head, &[&chunked], Duration::ZERO).await;
    assert_eq!(status, 413);
    assert_eq!(error_message(&body, 413), "The request body is too large.");
    server.stop().await;
}

#[tokio::test]
async fn a_request_past_the_timeout_gets_408_in_the_envelope() {
    let server = TestServer::start_with(TestEngine::Sqlite, |c| c.http.request_timeout_secs = 1)
        .await
        .unwrap();
    let head = "POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\n";
    let (status, body) = raw_exchange(
        server.addr,
        head,
        &[b"username=slow", b"@example.org"],
        Duration::from_millis(1500),
    )
    .await;
    assert_eq!(status, 408);
    assert_eq!(
        error_message(&body, 408),
        "The request took too long; try again."
    );
    server.stop().await;
}

crate::e2e_on_both_engines!(
    root_names_the_service,
    health_and_readiness_answer,
    unknown_paths_and_methods_are_wrapped,
    request_ids_are_echoed_or_made,
    cors_preflight_allows_the_web_client,
    oversized_bodies_are_refused_in_the_envelope,
    a_body_over_the_limit_is_413_however_it_is_sent,
);
