//! `POST /v5/users/import`: our export or a Loop Habit Tracker zip, checked whole, then written
//! in one transaction; a receipt is mailed.

use crate::envelope::{Data, Envelope};
use crate::error::{ApiError, ApiResult};
use crate::extract::CurrentUser;
use crate::openapi::ErrorEnvelope;
use crate::state::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use ninepanels_domain::Error;
use ninepanels_domain::import::ImportMode;
use serde::Serialize;
use utoipa::ToSchema;

/// The largest upload an import takes.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// What the import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportOut {
    #[schema(example = 2)]
    pub panels_created: u32,
    #[schema(example = 1)]
    pub panels_matched: u32,
    #[schema(example = 730)]
    pub days_imported: u32,
    #[schema(example = 12)]
    pub days_skipped_existing: u32,
}

/// The multipart form, as documented.
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "it documents the form; the handler reads the fields one by one"
)]
pub struct ImportForm {
    /// Our export (`GET /v5/users/export`) or a Loop Habit Tracker export zip.
    #[schema(value_type = String, format = Binary, example = "ninepanels-export-2026-12-03.json")]
    file: Vec<u8>,
    /// `merge` (default): panels matched by title, a day added only where the panel has none;
    /// `replace`: your panels and entries are replaced.
    #[schema(example = "merge")]
    mode: Option<String>,
    /// Comma-separated habit names to take when the file holds more than nine.
    #[schema(example = "Read,Walk")]
    only: Option<String>,
}

fn bad(e: impl std::fmt::Display) -> ApiError {
    ApiError(Error::invalid(format!(
        "body: not a readable multipart form ({e})"
    )))
}

/// Brings your history in from our export or from Loop Habit Tracker.
///
/// The whole file is checked before anything is written, and the import is one transaction: a
/// refusal (422) names the file, the line and the problem, and changes nothing.
#[utoipa::path(
    post,
    path = "/v5/users/import",
    tag = "users",
    security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Imported", body = Envelope<ImportOut>),
        (status = 422, description = "A bad file or field; nothing was imported", body = ErrorEnvelope),
    )
)]
pub async fn import_data(
    State(state): State<AppState>,
    current: CurrentUser,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Data<ImportOut>> {
    let mut form = form.map_err(|_| {
        ApiError(Error::invalid(
            "body: must be multipart/form-data with the file in a field named file",
        ))
    })?;
    let (mut file, mut mode, mut only) = (None, ImportMode::Merge, None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("file").to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?));
            }
            "mode" => {
                mode = match field.text().await.map_err(bad)?.trim() {
                    "" | "merge" => ImportMode::Merge,
                    "replace" => ImportMode::Replace,
                    _ => return Err(ApiError(Error::invalid("mode: must be merge or replace"))),
                }
            }
            "only" => {
                let text = field.text().await.map_err(bad)?;
                let names: Vec<String> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
                only = (!names.is_empty()).then_some(names);
            }
            _ => {}
        }
    }
    let Some((name, bytes)) = file else {
        return Err(ApiError(Error::invalid("file: field required")));
    };
    let panels = crate::import_file::read(&name, &bytes)?;
    let report = state
        .app
        .your_data
        .import(&current.user, panels, mode, only.as_deref())
        .await?;
    Ok(Data::new(ImportOut {
        panels_created: report.panels_created,
        panels_matched: report.panels_matched,
        days_imported: report.days_imported,
        days_skipped_existing: report.days_skipped_existing,
    }))
}
