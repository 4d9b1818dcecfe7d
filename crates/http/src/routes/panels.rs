//! Panels: create, list with today's state, update and move, delete.

use crate::dto::{CreatedPanelOut, ListedPanelOut, PanelOut, Success};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::forms::{Form, JsonBody, from_json_value};
use crate::openapi::ErrorEnvelope;
use crate::params::{PanelPath, QueryFields, ZoneParam};
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::Error;
use ninepanels_domain::panel::{NewPanel, PanelChanges, PanelDescription, PanelTitle, Position};
use serde::{Deserialize, Deserializer};

/// A form position: absent, empty, `null` or `undefined` (what the web client sends when it
/// has none) mean "at the end".
fn form_position(raw: Option<&str>) -> Result<Option<Position>, Error> {
    match raw.map(str::trim) {
        None | Some("" | "null" | "undefined") => Ok(None),
        Some(text) => {
            let n = text
                .parse::<i64>()
                .map_err(|_| Error::invalid(format!("position: '{text}' is not a whole number")))?;
            Position::parse(n).map(Some)
        }
    }
}

/// `POST /v5/panels` form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewPanelForm {
    /// 1-100 characters after trimming.
    #[schema(example = "Move", min_length = 1, max_length = 100)]
    pub title: String,
    /// Up to 2,000 characters; empty means none.
    #[schema(example = "A walk, a run or a swim", max_length = 2000)]
    pub description: Option<String>,
    /// 0 is first; omitted or past the end means at the end.
    #[schema(value_type = Option<i64>, example = 0, minimum = 0)]
    pub position: Option<String>,
}

/// Creates a panel.
#[utoipa::path(
    post,
    path = "/v5/panels",
    tag = "panels",
    security(("bearer" = [])),
    request_body(content = NewPanelForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Success", body = Envelope<CreatedPanelOut>),
        (status = 400, description = "You already have nine panels.", body = ErrorEnvelope),
        (status = 422, description = "A field is invalid", body = ErrorEnvelope),
    )
)]
pub async fn create_panel(
    State(state): State<AppState>,
    current: CurrentUser,
    Form(form): Form<NewPanelForm>,
) -> ApiResult<Data<CreatedPanelOut>> {
    let panel = NewPanel {
        title: PanelTitle::parse(&form.title)?,
        description: PanelDescription::parse(form.description.as_deref().unwrap_or(""))?,
        position: form_position(form.position.as_deref())?,
    };
    let created = state.app.panels.create(current.user.id, panel).await?;
    Ok(Data::new(CreatedPanelOut {
        panel: created.into(),
        entries: Vec::new(),
    }))
}

/// Lists the caller's panels with today's state.
///
/// In position order, each with the state of its latest entry of today, in one query.
#[utoipa::path(
    get,
    path = "/v5/panels",
    tag = "panels",
    security(("bearer" = [])),
    params(
        ZoneParam,
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<Vec<ListedPanelOut>>),
        (status = 422, description = "Bad tz", body = ErrorEnvelope),
    )
)]
pub async fn list_panels(
    State(state): State<AppState>,
    current: CurrentUser,
    query: QueryFields,
) -> ApiResult<Data<Vec<ListedPanelOut>>> {
    let listed = state
        .app
        .panels
        .list_with_today(&current.user, query.text("tz"))
        .await?;
    Ok(Data::new(
        listed
            .into_iter()
            .map(|(panel, is_complete)| ListedPanelOut {
                panel: panel.into(),
                is_complete,
            })
            .collect(),
    ))
}

/// `Some(None)` for an explicit null, `None` for an absent field.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `PATCH /v5/panels/{id}` body: any of the three.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PanelPatch {
    #[schema(example = "Move more", min_length = 1, max_length = 100)]
    pub title: Option<String>,
    /// `null` or empty removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "A walk, a run or a swim", max_length = 2000)]
    pub description: Option<Option<String>>,
    /// 0 is first, past the end means at the end; the others shift to make room.
    #[schema(example = 2, minimum = 0)]
    pub position: Option<i64>,
}

const PATCHABLE: [&str; 3] = ["title", "description", "position"];

/// Renames, describes or moves a panel.
#[utoipa::path(
    patch,
    path = "/v5/panels/{panel_id}",
    tag = "panels",
    security(("bearer" = [])),
    params(PanelPath),
    request_body(content = PanelPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = Envelope<PanelOut>),
        (status = 400, description = "Unknown field", body = ErrorEnvelope),
        (status = 422, description = "Empty body or bad value", body = ErrorEnvelope),
    )
)]
pub async fn update_panel(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
    JsonBody(body): JsonBody<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Data<PanelOut>> {
    let changes = panel_changes(body)?;
    let panel = state
        .app
        .panels
        .update(current.user.id, panel_id, changes)
        .await?;
    Ok(Data::new(panel.into()))
}

/// The changes a patch body asks for; an unknown field is a 400 (the old server's contract),
/// an empty patch or a bad value a 422.
fn panel_changes(body: serde_json::Map<String, serde_json::Value>) -> Result<PanelChanges, Error> {
    if let Some(unknown) = body.keys().find(|k| !PATCHABLE.contains(&k.as_str())) {
        return Err(Error::bad_request(format!(
            "{unknown}: unknown field (a panel has title, description and position)"
        )));
    }
    let patch: PanelPatch = from_json_value(serde_json::Value::Object(body))?;
    let changes = PanelChanges {
        title: patch.title.as_deref().map(PanelTitle::parse).transpose()?,
        description: match patch.description {
            None => None,
            Some(None) => Some(None),
            Some(Some(text)) => Some(PanelDescription::parse(&text)?),
        },
        position: patch.position.map(Position::parse).transpose()?,
    };
    if changes.is_empty() {
        return Err(Error::invalid(
            "body: give at least one of title, description, position",
        ));
    }
    Ok(changes)
}

/// Deletes a panel with its entries; later panels move up.
#[utoipa::path(
    delete,
    path = "/v5/panels/{panel_id}",
    tag = "panels",
    security(("bearer" = [])),
    params(PanelPath),
    responses(
        (status = 200, description = "Success", body = Envelope<Success>),
        (status = 422, description = "Not a panel id", body = ErrorEnvelope),
    )
)]
pub async fn delete_panel(
    State(state): State<AppState>,
    current: CurrentUser,
    PanelPath(panel_id): PanelPath,
) -> ApiResult<Data<Success>> {
    state.app.panels.delete(current.user.id, panel_id).await?;
    Ok(Data::new(Success { success: true }))
}
