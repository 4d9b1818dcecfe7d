//! `GET /`, `/healthz`, `/readyz`, the envelope, request ids and CORS, over HTTP.

use crate::support::{TestServer, error_message};
use serde_json::json;

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

crate::e2e_on_both_engines!(
    root_names_the_service,
    health_and_readiness_answer,
    unknown_paths_and_methods_are_wrapped,
    request_ids_are_echoed_or_made,
    cors_preflight_allows_the_web_client,
    oversized_bodies_are_refused_in_the_envelope,
);
