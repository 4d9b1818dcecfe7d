//! `GET /`, `GET /healthz` and `GET /readyz` (API.md section 9).

use crate::envelope::Data;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::Error;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub env: &'static str,
    pub commit: Option<String>,
}

#[utoipa::path(get, path = "/", tag = "meta", responses((status = 200, description = "Success", body = crate::envelope::Envelope<ServiceInfo>)))]
pub async fn get_root(State(state): State<AppState>) -> Data<ServiceInfo> {
    Data::new(ServiceInfo {
        name: "ninepanels",
        version: env!("CARGO_PKG_VERSION"),
        env: state.config.env.as_str(),
        commit: state.config.commit.clone(),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is alive; says nothing about the database.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, description = "Success", body = crate::envelope::Envelope<Health>)))]
pub async fn get_healthz() -> Data<Health> {
    Data::new(Health { status: "ok" })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub database: &'static str,
    pub migrations: &'static str,
    /// Events waiting for the worker.
    pub events_queued: usize,
    /// Telemetry events dropped because the channel was full, since start.
    pub events_dropped: u64,
}

/// Ready when the database answers and every migration this binary knows is applied.
#[utoipa::path(get, path = "/readyz", tag = "meta", responses((status = 200, description = "Success", body = crate::envelope::Envelope<Readiness>), (status = 503, description = "Database unreachable or migrations pending", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>)))]
pub async fn get_readyz(State(state): State<AppState>) -> ApiResult<Data<Readiness>> {
    state.db.ping().await.map_err(|e| {
        Error::unavailable(format!("readiness ping: {e}")).with_data("check", "database")
    })?;
    let pending = ninepanels_persistence::pending_migrations(&state.db).await?;
    if pending > 0 {
        return Err(Error::new(
            ninepanels_domain::ErrorKind::Unavailable,
            format!("The database schema is behind this server: {pending} migrations pending."),
        )
        .into());
    }
    Ok(Data::new(Readiness {
        database: "ok",
        migrations: "current",
        events_queued: state.events.queued(),
        events_dropped: state.events.dropped(),
    }))
}
