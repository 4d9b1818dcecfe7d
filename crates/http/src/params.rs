//! Path and query parameters shared by the panel routes, each refused with a 422 that names it.

use crate::error::ApiError;
use crate::forms::FormFields;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use ninepanels_domain::Error;
use ninepanels_domain::panel::PanelId;

/// A panel id from the path; not a number is a 422. Its documentation serves every route.
#[derive(Debug, Clone, Copy, utoipa::IntoParams)]
#[into_params(names("panel_id"), parameter_in = Path)]
pub struct PanelPath(
    /// A panel of the caller
    #[param(value_type = i32, example = 42)]
    pub PanelId,
);

/// `tz`, documented once for every route that counts days in a zone (read by `QueryFields`).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZoneParam {
    /// IANA zone for this call
    #[param(example = "Europe/London")]
    pub tz: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for PanelPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(Error::invalid("panel_id: missing from the path")))?;
        raw.parse::<PanelId>().map(Self).map_err(|_| {
            ApiError(Error::invalid(format!(
                "panel_id: '{raw}' is not a panel id (a whole number)"
            )))
        })
    }
}

/// The query string's fields.
#[derive(Debug, Clone)]
pub struct QueryFields(pub FormFields);

impl<S: Send + Sync> FromRequestParts<S> for QueryFields {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(Self(FormFields::parse(
            parts.uri.query().unwrap_or("").as_bytes(),
        )?))
    }
}

impl QueryFields {
    /// A whole number in `min..=max`, or `default` when absent.
    pub fn number(&self, name: &str, default: u64, min: u64, max: u64) -> Result<u64, Error> {
        match self.0.optional(name).map(str::trim) {
            None | Some("") => Ok(default),
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(Error::invalid(format!(
                    "{name}: must be a whole number from {min} to {max}"
                ))),
            },
        }
    }

    /// A day as `YYYY-MM-DD`, or `None` when absent.
    pub fn date(&self, name: &str) -> Result<Option<chrono::NaiveDate>, Error> {
        self.text(name)
            .map(|raw| {
                chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| Error::invalid(format!("{name}: must be a date as YYYY-MM-DD")))
            })
            .transpose()
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .optional(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}
