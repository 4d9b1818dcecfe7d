//! `GET /v5/users/export`: the caller's data as a file to keep or take elsewhere. Our JSON is
//! written a page of entries at a time, so a ten-year account never sits in memory; the Loop
//! zip holds one short line per day (about 1 MB for nine panels over ten years).

use crate::error::{ApiError, ApiResult};
use crate::export_file::{ExportEntry, ExportFile, ExportPanel, open_list};
use crate::extract::CurrentUser;
use crate::openapi::ErrorEnvelope;
use crate::params::QueryFields;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ninepanels_app::history::History;
use ninepanels_app::your_data::ExportFormat;
use ninepanels_domain::entry::HistoryCursor;
use ninepanels_domain::panel::Panel;
use ninepanels_domain::user::UserId;
use ninepanels_domain::{Error, Result};
use std::collections::VecDeque;

/// Entries read per statement while writing.
const PAGE: u64 = 1000;

/// Writes the JSON export piece by piece: the head, then each panel and its entries.
struct JsonWriter {
    history: History,
    user_id: UserId,
    head: Option<String>,
    panels: VecDeque<Panel>,
    /// The panel being written, the next page's cursor, and whether an entry was written.
    current: Option<(Panel, Option<HistoryCursor>, bool)>,
    first_panel: bool,
    finished: bool,
}

impl JsonWriter {
    async fn next_piece(&mut self) -> Result<Option<String>> {
        if let Some(head) = self.head.take() {
            return Ok(Some(head));
        }
        let Some((panel, cursor, wrote)) = self.current.take() else {
            let Some(panel) = self.panels.pop_front() else {
                if self.finished {
                    return Ok(None);
                }
                self.finished = true;
                return Ok(Some("]}".to_owned()));
            };
            let comma = if self.first_panel { "" } else { "," };
            self.first_panel = false;
            let piece = format!("{comma}{}", open_list(&ExportPanel::head(&panel)));
            self.current = Some((panel, None, false));
            return Ok(Some(piece));
        };
        let page = self
            .history
            .page(self.user_id, panel.id, cursor, PAGE)
            .await?;
        let mut piece = String::with_capacity(page.entries.len() * 96);
        for (i, entry) in page.entries.iter().enumerate() {
            if wrote || i > 0 {
                piece.push(',');
            }
            piece.push_str(&serde_json::to_string(&ExportEntry::from(entry)).unwrap_or_default());
        }
        match page.next {
            Some(next) => {
                let wrote = wrote || !page.entries.is_empty();
                self.current = Some((panel, Some(next), wrote));
            }
            None => piece.push_str("]}"),
        }
        Ok(Some(piece))
    }
}

/// Downloads your data: every panel with every entry, as our JSON (the default) or as a Loop
/// Habit Tracker zip (`format=loop`).
///
/// Not wrapped in the envelope; `Content-Disposition: attachment`. It holds no password hash,
/// token or reset data. Each export is recorded (audit) before it is sent.
#[utoipa::path(
    get,
    path = "/v5/users/export",
    tag = "users",
    security(("bearer" = [])),
    params(
        ("format" = Option<String>, Query, description = "`json` (default): our own format, version 1; `loop`: a zip in Loop Habit Tracker's CSV layout", example = "json"),
    ),
    responses(
        (status = 200, description = "The file", content(
            (ExportFile = "application/json"),
            (Vec<u8> = "application/zip"),
        )),
        (status = 422, description = "An unknown format", body = ErrorEnvelope),
    )
)]
pub async fn export_data(
    State(state): State<AppState>,
    current: CurrentUser,
    query: QueryFields,
) -> ApiResult<Response> {
    let format = match query.text("format") {
        None | Some("json") => ExportFormat::Json,
        Some("loop") => ExportFormat::Loop,
        Some(_) => return Err(ApiError(Error::invalid("format: must be json or loop"))),
    };
    let user = &current.user;
    let panels = state.app.your_data.begin_export(user, format).await?;
    let now = state.clock.now();
    if format == ExportFormat::Loop {
        let (_, days) = state.app.your_data.panel_days(user, panels).await?;
        let zip = crate::loop_file::write(&days)
            .map_err(|e| ApiError(Error::internal(format!("writing the Loop zip: {e}"))))?;
        let name = format!("ninepanels-loop-{}.zip", now.format("%Y-%m-%d"));
        return Ok(attachment("application/zip", &name, Body::from(zip)));
    }
    let writer = JsonWriter {
        history: state.app.history.clone(),
        user_id: user.id,
        head: Some(open_list(&ExportFile::head(user, now))),
        panels: panels.into(),
        current: None,
        first_panel: true,
        finished: false,
    };
    let pieces = futures::stream::unfold(Some(writer), |writer| async move {
        let mut writer = writer?;
        match writer.next_piece().await {
            Ok(Some(piece)) => Some((Ok(Bytes::from(piece)), Some(writer))),
            Ok(None) => None,
            // Past the status line an error can only cut the file short, which a reader sees.
            Err(e) => Some((Err(std::io::Error::other(e.detail)), None)),
        }
    });
    let name = format!("ninepanels-export-{}.json", now.format("%Y-%m-%d"));
    Ok(attachment(
        "application/json",
        &name,
        Body::from_stream(pieces),
    ))
}

/// A file to download, kept by no cache.
fn attachment(content_type: &str, name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
