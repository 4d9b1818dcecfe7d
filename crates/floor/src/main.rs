//! `ninepanels-floor`, for benchmarks only: a bare axum handler doing one indexed single-row
//! SELECT on the same database and pool settings as the server, returning small JSON. Every
//! route's throughput is reported as a ratio of this floor's.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use ninepanels_domain::config::Config;
use ninepanels_persistence::entities::panels;
use sea_orm::{DatabaseConnection, EntityTrait};
use std::process::ExitCode;

async fn panel_title(
    State(db): State<DatabaseConnection>,
    Path(id): Path<i32>,
) -> Json<serde_json::Value> {
    let title = panels::Entity::find_by_id(id)
        .one(&db)
        .await
        .ok()
        .flatten()
        .and_then(|p| p.title);
    Json(serde_json::json!({ "id": id, "title": title }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("ninepanels-floor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let db = match ninepanels_persistence::connect(&config).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("ninepanels-floor: {}", e.context_msg);
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new()
        .route("/floor/{id}", get(panel_title))
        .with_state(db);
    let listener = match tokio::net::TcpListener::bind(config.bind_addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "ninepanels-floor: cannot listen on {}: {e}",
                config.bind_addr
            );
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("ninepanels-floor: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
