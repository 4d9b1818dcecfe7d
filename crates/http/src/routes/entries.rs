//! Entries: a tap, the padded per-day history, clearing, the raw history.

use crate::dto::{DayOut, EntryOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::forms::JsonBody;
use crate::openapi::ErrorEnvelope;
use crate::params::{PanelPath, QueryFields, ZoneParam};
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use ninepanels_app::history::DayWindow;
use ninepanels_domain::Error;
use ninepanels_domain::entry::{HistoryCursor, Mark};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntryIn {
    #[schema(example = true)]
    is_complete: bool,
    /// Makes today a rest day (with `is_complete` false): it neither breaks nor extends a
    /// streak, and is left out of consistency.
    #[serde(default)]
    #[schema(example = false)]
    is_skip: bool,
}

/// Taps a panel: records it done, undone, or resting today (`is_skip`), now.
#[utoipa::path(
    post,
    path = "/v5/panels/{panel_id}/entries",
    tag = "entries",
    security(("bearer" = [])),
    params(PanelPath),
    request_body(content = NewEntryIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = Envelope<EntryOut>),
        (status = 422, description = "Bad body, or a rest day marked complete", body = ErrorEnvelope),
    )
)]
pub async fn create_entry(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
    JsonBody(body): JsonBody<NewEntryIn>,
) -> ApiResult<Data<EntryOut>> {
    let history = &state.app.history;
    let mark = Mark::tapped(body.is_complete, body.is_skip)?;
    let entry = history.record(current.user.id, panel_id, mark).await?;
    Ok(Data::new(EntryOut::from(&entry)))
}

pub const MAX_HISTORY_DAYS: u64 = 3660;

/// Shows a panel's history, one item per day.
///
/// Days are local to the user's zone (or `tz`); a day without an entry is padded.
#[utoipa::path(
    get,
    path = "/v5/panels/{panel_id}/entries",
    tag = "entries",
    security(("bearer" = [])),
    params(
        PanelPath,
        (
            "limit" = Option<u64>,
            Query,
            description = "Days, 1-3660, default 100",
            example = 365,
            minimum = 1,
            maximum = 3660,
        ),
        (
            "offset" = Option<u64>,
            Query,
            description = "Days to skip",
            example = 0,
            minimum = 0,
            maximum = 1000000,
        ),
        (
            "sort_by" = Option<String>,
            Query,
            description = "timestamp.desc (default) or timestamp.asc",
            example = "timestamp.desc",
            pattern = "^timestamp\\.(asc|desc)$",
        ),
        ZoneParam,
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<Vec<DayOut>>),
        (status = 422, description = "Bad parameter", body = ErrorEnvelope),
    )
)]
pub async fn list_entries(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
    query: QueryFields,
) -> ApiResult<Data<Vec<DayOut>>> {
    let window = day_window(&query)?;
    let history = &state.app.history;
    let days = history
        .days(&current.user, panel_id, window, query.text("tz"))
        .await?;
    Ok(Data::new(
        days.into_iter()
            .map(|day| DayOut::of(day, panel_id))
            .collect(),
    ))
}

/// `limit`, `offset` and `sort_by` of the padded history.
fn day_window(query: &QueryFields) -> Result<DayWindow, Error> {
    let limit = query.number("limit", 100, 1, MAX_HISTORY_DAYS)? as usize;
    let offset = query.number("offset", 0, 0, 1_000_000)? as usize;
    let newest_first = match query.text("sort_by") {
        None | Some("timestamp.desc") => true,
        Some("timestamp.asc") => false,
        Some(other) => {
            return Err(Error::invalid(format!(
                "sort_by: '{other}' is not timestamp.desc or timestamp.asc"
            )));
        }
    };
    Ok(DayWindow {
        limit,
        offset,
        newest_first,
    })
}

/// Clears a panel's history; the panel starts again today.
#[utoipa::path(
    delete,
    path = "/v5/panels/{panel_id}/entries",
    tag = "entries",
    security(("bearer" = [])),
    params(PanelPath),
    responses(
        (status = 200, description = "Success", body = Envelope<bool>),
        (
            status = 422,
            description = "Not a panel id, or a bad parameter",
            body = ErrorEnvelope,
        ),
    )
)]
pub async fn clear_entries(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
) -> ApiResult<Data<bool>> {
    state.app.history.clear(current.user.id, panel_id).await?;
    Ok(Data::new(true))
}

fn encode_cursor(cursor: HistoryCursor) -> String {
    format!("{}_{}", cursor.timestamp.timestamp_micros(), cursor.id)
}

fn decode_cursor(raw: &str) -> Result<HistoryCursor, Error> {
    let refuse = || Error::invalid("cursor: not a cursor this server gave out");
    let (micros, id) = raw.split_once('_').ok_or_else(refuse)?;
    let timestamp = DateTime::<Utc>::from_timestamp_micros(micros.parse().map_err(|_| refuse())?)
        .ok_or_else(refuse)?;
    Ok(HistoryCursor {
        timestamp,
        id: id.parse().map_err(|_| refuse())?,
    })
}

/// Lists a panel's entries as recorded, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/v5/panels/{panel_id}/history",
    tag = "entries",
    security(("bearer" = [])),
    params(
        PanelPath,
        ("cursor" = Option<String>, Query, description = "meta.next_cursor of the previous page"),
        (
            "limit" = Option<u64>,
            Query,
            description = "1-1000, default 100",
            example = 100,
            minimum = 1,
            maximum = 1000,
        ),
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<Vec<EntryOut>>),
        (status = 422, description = "Bad parameter", body = ErrorEnvelope),
    )
)]
pub async fn list_history(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
    query: QueryFields,
) -> ApiResult<Data<Vec<EntryOut>>> {
    let limit = query.number("limit", 100, 1, 1000)?;
    let cursor = query.text("cursor").map(decode_cursor).transpose()?;
    let history = &state.app.history;
    let page = history
        .page(current.user.id, panel_id, cursor, limit)
        .await?;
    let next_cursor = page.next.map(encode_cursor);
    let count = page.entries.len();
    Ok(Data::with_meta(
        page.entries.iter().map(EntryOut::from).collect(),
        serde_json::json!({ "next_cursor": next_cursor, "count": count }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let cursor = HistoryCursor {
            timestamp: DateTime::from_timestamp_micros(1_781_234_567_123_456).unwrap(),
            id: 42,
        };
        assert_eq!(decode_cursor(&encode_cursor(cursor)).unwrap(), cursor);
        for junk in ["", "abc", "12_x", "x_12", "99999999999999999999_1"] {
            assert!(decode_cursor(junk).is_err(), "{junk}");
        }
    }
}
