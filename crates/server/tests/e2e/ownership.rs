//! Every panel and entry route, walked by a second user against the first user's panel ids:
//! each answers 404 and changes nothing.

use crate::support::{TestServer, error_message};
use reqwest::Method;
use serde_json::json;

async fn another_users_panel_ids_are_not_found_anywhere(server: TestServer) {
    let (_, ada) = server.new_account("ada@example.org").await;
    let (_, eve) = server.new_account("eve@example.org").await;
    let panel = server.create_panel(&ada, "private").await["id"]
        .as_i64()
        .unwrap();
    server.tap(&ada, panel, true).await;
    let (_, before_days) = server
        .get_as(&format!("/v5/panels/{panel}/entries"), &ada)
        .await;
    let (_, before_panels) = server.get_as("/v5/panels", &ada).await;

    let p = format!("/v5/panels/{panel}");
    let attempts = [
        server
            .send_json(Method::PATCH, &p, &eve, &json!({"title": "mine now"}))
            .await,
        server
            .send_json(Method::PATCH, &p, &eve, &json!({"position": 0}))
            .await,
        server.send(Method::DELETE, &p, &eve).await,
        server
            .send_json(
                Method::POST,
                &format!("{p}/entries"),
                &eve,
                &json!({"is_complete": false}),
            )
            .await,
        server.get_as(&format!("{p}/entries"), &eve).await,
        server
            .send(Method::DELETE, &format!("{p}/entries"), &eve)
            .await,
        server.get_as(&format!("{p}/history"), &eve).await,
        server
            .get_as(&format!("/v5/metrics/panels/{panel}/streaks"), &eve)
            .await,
    ];
    for (i, (status, body)) in attempts.iter().enumerate() {
        assert_eq!(*status, 404, "attempt {i}: {body}");
        assert_eq!(error_message(body, 404), "Panel not found");
    }
    let (_, eve_panels) = server.get_as("/v5/panels", &eve).await;
    assert_eq!(eve_panels["data"], json!([]));
    let (_, eve_metrics) = server.get_as("/v5/metrics/panels/consistency", &eve).await;
    assert_eq!(eve_metrics["data"], json!([]));

    let (_, after_days) = server
        .get_as(&format!("/v5/panels/{panel}/entries"), &ada)
        .await;
    let (_, after_panels) = server.get_as("/v5/panels", &ada).await;
    assert_eq!(after_panels, before_panels);
    assert_eq!(after_days["data"][0]["id"], before_days["data"][0]["id"]);
    assert_eq!(after_days["data"].as_array().unwrap().len(), 1);
    server.stop().await;
}

async fn panel_routes_need_a_token(server: TestServer) {
    for (method, path) in [
        (Method::GET, "/v5/panels"),
        (Method::POST, "/v5/panels"),
        (Method::PATCH, "/v5/panels/1"),
        (Method::DELETE, "/v5/panels/1"),
        (Method::POST, "/v5/panels/1/entries"),
        (Method::GET, "/v5/panels/1/entries"),
        (Method::DELETE, "/v5/panels/1/entries"),
        (Method::GET, "/v5/panels/1/history"),
        (Method::GET, "/v5/metrics/panels/consistency"),
        (Method::GET, "/v5/metrics/panels/1/streaks"),
    ] {
        let response = server
            .client
            .request(method.clone(), server.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{method} {path}");
    }
    server.stop().await;
}

crate::e2e_on_both_engines!(
    another_users_panel_ids_are_not_found_anywhere,
    panel_routes_need_a_token
);
