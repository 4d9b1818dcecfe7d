//! `POST /token` as a standard OAuth2 client asks for it (`?response=oauth2`: the RFC 6749 body)
//! and as the web client does (the envelope, whatever its `Accept`).

use crate::support::{TestServer, error_message, read};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

async fn token(server: &TestServer, path: &str, accept: &str) -> reqwest::Response {
    let form = [
        ("grant_type", "password"),
        ("username", "ada@example.org"),
        ("password", PASSWORD),
        ("scope", ""),
    ];
    server
        .client
        .post(server.url(path))
        .header("Accept", accept)
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn oauth2_clients_get_the_rfc_6749_body_and_the_web_client_its_envelope(server: TestServer) {
    server.sign_up("ada@example.org", PASSWORD).await;
    let response = token(&server, "/token?response=oauth2", "application/json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 30 * 24 * 60 * 60);
    assert!(body.get("data").is_none(), "{body}");
    let access = body["access_token"].as_str().unwrap();
    let (status, me) = server.get_as("/v5/users", access).await;
    assert_eq!(
        (status.as_u16(), &me["data"]["email"]),
        (200, &Value::from("ada@example.org"))
    );

    let web = "application/json, text/plain, */*";
    let (status, body) = read(token(&server, "/token", web).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["token_type"], "bearer");
    assert!(body["data"]["access_token"].is_string());

    let (status, body) = read(token(&server, "/token?response=saml", web).await).await;
    assert_eq!(status, 422);
    assert!(error_message(&body, 422).starts_with("response: 'saml' is not oauth2"));
    server.stop().await;
}

crate::e2e_on_both_engines!(oauth2_clients_get_the_rfc_6749_body_and_the_web_client_its_envelope);
