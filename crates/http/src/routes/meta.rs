//! `GET /`, `GET /healthz` and `GET /readyz`.

use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::openapi::ErrorEnvelope;
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::Error;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceInfo {
    #[schema(example = "ninepanels")]
    pub name: &'static str,
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    #[schema(example = "MAIN")]
    pub env: &'static str,
    /// `NINEPANELS_COMMIT`, when the deployment sets it.
    #[schema(example = "43c86d9")]
    pub commit: Option<String>,
}

/// Names the service, its version, its environment and the commit it was built from.
#[utoipa::path(
    get,
    path = "/",
    tag = "meta",
    responses((status = 200, description = "Success", body = Envelope<ServiceInfo>))
)]
pub async fn get_root(State(state): State<AppState>) -> Data<ServiceInfo> {
    Data::new(ServiceInfo {
        name: "ninepanels",
        version: env!("CARGO_PKG_VERSION"),
        env: state.config.env.as_str(),
        commit: state.config.http.commit.clone(),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is alive; says nothing about the database.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    responses((status = 200, description = "Success", body = Envelope<Health>))
)]
pub async fn get_healthz() -> Data<Health> {
    Data::new(Health { status: "ok" })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    #[schema(example = "ok")]
    pub database: &'static str,
    #[schema(example = "current")]
    pub migrations: &'static str,
    /// Events waiting for the worker.
    #[schema(example = 0)]
    pub events_queued: usize,
    /// Telemetry events dropped because the channel was full, since start.
    #[schema(example = 0)]
    pub events_dropped: u64,
}

/// Ready when the database answers and every migration this binary knows is applied.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "meta",
    responses(
        (status = 200, description = "Success", body = Envelope<Readiness>),
        (
            status = 503,
            description = "Database unreachable or migrations pending",
            body = ErrorEnvelope,
        ),
    )
)]
pub async fn get_readyz(State(state): State<AppState>) -> ApiResult<Data<Readiness>> {
    let pending = state.health.pending_migrations().await?;
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
