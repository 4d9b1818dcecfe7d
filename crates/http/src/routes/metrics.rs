//! Consistency and streaks, from the same day series as the history.

use crate::auth::CurrentUser;
use crate::dto::{ConsistencyOut, StreaksOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::openapi::ErrorEnvelope;
use crate::params::{PanelPath, QueryFields};
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::days::{DaySeries, day_start, local_date};

/// Shows how consistently each panel was done since it was created.
///
/// One item per panel, in position order, from one query for all the user's entries.
#[utoipa::path(
    get,
    path = "/v5/metrics/panels/consistency",
    tag = "metrics",
    security(("bearer" = [])),
    params(
        (
            "tz" = Option<String>,
            Query,
            description = "IANA zone for this call",
            example = "Europe/London",
        ),
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<Vec<ConsistencyOut>>),
        (status = 422, description = "Bad tz", body = ErrorEnvelope),
    )
)]
pub async fn get_consistency(
    State(state): State<AppState>,
    current: CurrentUser,
    query: QueryFields,
) -> ApiResult<Data<Vec<ConsistencyOut>>> {
    let zone = query.zone(&state, &current)?;
    let user_id = current.user.id;
    let today = local_date(state.clock.now(), zone);
    let panels = state.panels.list(user_id).await?;
    let Some(earliest) = panels.iter().map(|p| p.created_at).min() else {
        return Ok(Data::new(Vec::new()));
    };
    let since = day_start(local_date(earliest, zone).min(today), zone);
    let entries = state.entries.list_for_user(user_id, since).await?;
    let items = panels
        .into_iter()
        .map(|panel| {
            // Entries come sorted by panel: take this panel's run.
            let start = entries.partition_point(|e| e.panel_id < panel.id);
            let end = entries.partition_point(|e| e.panel_id <= panel.id);
            let series = DaySeries::build(panel.created_at, today, zone, &entries[start..end]);
            ConsistencyOut {
                panel_pos: panel.position,
                consistency: series.consistency(),
                panel_age: series.age(),
                days_complete: series.days_complete(),
                panel_id: panel.id,
                user_id,
                title: panel.title,
            }
        })
        .collect();
    Ok(Data::new(items))
}

/// Shows a panel's current and longest streak of days done.
#[utoipa::path(
    get,
    path = "/v5/metrics/panels/{panel_id}/streaks",
    tag = "metrics",
    security(("bearer" = [])),
    params(
        ("panel_id" = i32, Path, description = "A panel of the caller", example = 42),
        (
            "tz" = Option<String>,
            Query,
            description = "IANA zone for this call",
            example = "Europe/London",
        ),
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<StreaksOut>),
        (
            status = 422,
            description = "Not a panel id, or a bad parameter",
            body = ErrorEnvelope,
        ),
    )
)]
pub async fn get_streaks(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
    query: QueryFields,
) -> ApiResult<Data<StreaksOut>> {
    let zone = query.zone(&state, &current)?;
    let user_id = current.user.id;
    let panel = state.panels.get(user_id, panel_id).await?;
    let today = local_date(state.clock.now(), zone);
    let since = day_start(local_date(panel.created_at, zone).min(today), zone);
    let entries = state.entries.list_for_panel(&panel, since).await?;
    let streaks = DaySeries::build(panel.created_at, today, zone, &entries).streaks();
    Ok(Data::new(StreaksOut {
        current: streaks.current,
        longest: streaks.longest,
        longest_start: streaks.longest_start,
        longest_end: streaks.longest_end,
    }))
}
