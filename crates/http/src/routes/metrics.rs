//! Consistency and streaks, from the same day series as the history.

use crate::dto::{ConsistencyOut, StreaksOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::openapi::ErrorEnvelope;
use crate::params::{PanelPath, QueryFields, ZoneParam};
use crate::state::AppState;
use axum::extract::State;

/// Shows how consistently each panel was done since it was created.
///
/// One item per panel, in position order, from one query for all the user's entries.
#[utoipa::path(
    get,
    path = "/v5/metrics/panels/consistency",
    tag = "metrics",
    security(("bearer" = [])),
    params(
        ZoneParam,
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
    let user_id = current.user.id;
    let items = state
        .app
        .history
        .consistency(&current.user, query.text("tz"))
        .await?
        .into_iter()
        .map(|c| ConsistencyOut {
            panel_pos: c.panel.position,
            consistency: c.consistency,
            panel_age: c.age,
            days_complete: c.days_complete,
            days_skipped: c.days_skipped,
            panel_id: c.panel.id,
            user_id,
            title: c.panel.title,
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
        PanelPath,
        ZoneParam,
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
    let streaks = state
        .app
        .history
        .streaks(&current.user, panel_id, query.text("tz"))
        .await?;
    Ok(Data::new(StreaksOut {
        current: streaks.current,
        longest: streaks.longest,
        longest_start: streaks.longest_start,
        longest_end: streaks.longest_end,
    }))
}
