//! Totals over a period for every panel, and one panel's year as a string of days.

use crate::envelope::{Data, Envelope};
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::openapi::ErrorEnvelope;
use crate::params::{PanelPath, QueryFields, ZoneParam};
use crate::state::AppState;
use axum::extract::State;
use chrono::NaiveDate;
use ninepanels_app::summaries::YEARS;
use serde::Serialize;
use utoipa::ToSchema;

/// One panel's totals over the period asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryOut {
    #[schema(example = 42)]
    pub panel_id: i32,
    #[schema(example = "Reading")]
    pub title: String,
    #[schema(example = "2027-01-01")]
    pub from: NaiveDate,
    #[schema(example = "2027-01-31")]
    pub to: NaiveDate,
    /// Days of the period from the panel's creation day through today.
    #[schema(example = 31)]
    pub days: u32,
    #[schema(example = 17)]
    pub days_complete: u32,
    #[schema(example = 2)]
    pub days_skipped: u32,
    /// `days_complete / (days - days_skipped)`; 0 when that is 0.
    #[schema(example = 0.586)]
    pub consistency: f64,
}

/// A panel's year: one character per day from 1 January.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarOut {
    #[schema(example = 42)]
    pub panel_id: i32,
    #[schema(example = 2027)]
    pub year: i32,
    #[schema(example = "2027-01-01")]
    pub start: NaiveDate,
    /// `1` done, `0` not done, `s` rest day, `.` before the panel was made or after today;
    /// 365 characters, 366 in a leap year.
    #[schema(example = "..110s1101")]
    pub days: String,
}

/// Shows each panel's totals over a period ("Reading: 17 of 31 days in January").
///
/// One item per panel, in position order; days before a panel was made and after today are not
/// counted. Without `from` and `to`, the last 30 days.
#[utoipa::path(
    get,
    path = "/v5/metrics/panels/summary",
    tag = "metrics",
    security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, description = "First day (inclusive), YYYY-MM-DD; default 29 days before `to`", example = "2027-01-01", format = Date),
        ("to" = Option<String>, Query, description = "Last day (inclusive), YYYY-MM-DD; default today; at most 3660 days after `from`", example = "2027-01-31", format = Date),
        ZoneParam,
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<Vec<SummaryOut>>),
        (status = 422, description = "A bad date, `from` after `to`, a period over 3660 days, or a bad tz", body = ErrorEnvelope),
    )
)]
pub async fn get_summary(
    State(state): State<AppState>,
    current: CurrentUser,
    query: QueryFields,
) -> ApiResult<Data<Vec<SummaryOut>>> {
    let (from, to) = (query.date("from")?, query.date("to")?);
    let items = state
        .app
        .summaries
        .summary(&current.user, from, to, query.text("tz"))
        .await?
        .into_iter()
        .map(|s| SummaryOut {
            panel_id: s.panel.id,
            title: s.panel.title,
            from: s.from,
            to: s.to,
            days: s.days,
            days_complete: s.days_complete,
            days_skipped: s.days_skipped,
            consistency: s.consistency,
        })
        .collect();
    Ok(Data::new(items))
}

/// Shows a panel's year, one character per day (small enough for a heatmap).
#[utoipa::path(
    get,
    path = "/v5/panels/{panel_id}/calendar",
    tag = "metrics",
    security(("bearer" = [])),
    params(
        PanelPath,
        ("year" = Option<i32>, Query, description = "The year; default this year", example = 2027, minimum = 1970, maximum = 9999),
        ZoneParam,
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<CalendarOut>),
        (status = 404, description = "Not one of the caller's panels", body = ErrorEnvelope),
        (status = 422, description = "Not a panel id, a bad year or a bad tz", body = ErrorEnvelope),
    )
)]
pub async fn get_calendar(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
    query: QueryFields,
) -> ApiResult<Data<CalendarOut>> {
    let year = match query.text("year") {
        None => None,
        Some(_) => {
            let (low, high) = (*YEARS.start() as u64, *YEARS.end() as u64);
            Some(query.number("year", 0, low, high)? as i32)
        }
    };
    let calendar = state
        .app
        .summaries
        .calendar(&current.user, panel_id, year, query.text("tz"))
        .await?;
    Ok(Data::new(CalendarOut {
        panel_id: calendar.panel_id,
        year: calendar.year,
        start: calendar.start,
        days: calendar.days,
    }))
}
