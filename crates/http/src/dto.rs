//! Response bodies (the `data` of the envelope), apart from domain types; conversions live here.

use chrono::{DateTime, NaiveDate, Utc};
use ninepanels_domain::background::RouteStats;
use ninepanels_domain::entry::Entry;
use ninepanels_domain::panel::Panel;
use ninepanels_domain::user::{TimeZone, User};
use serde::Serialize;
use utoipa::ToSchema;

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub last_login: Option<DateTime<Utc>>,
    pub last_activity: Option<DateTime<Utc>>,
    pub time_zone: String,
}

impl UserOut {
    pub fn from_user(user: &User, default_zone: TimeZone) -> Self {
        Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            is_admin: user.is_admin,
            last_login: user.last_login,
            last_activity: user.last_activity,
            time_zone: user.zone_or(default_zone).name().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenOut {
    pub access_token: String,
    pub token_type: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Success {
    pub success: bool,
}

/// A panel as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelOut {
    pub id: i32,
    pub created_at: DateTime<Utc>,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
    pub user_id: i32,
}

impl From<Panel> for PanelOut {
    fn from(p: Panel) -> Self {
        Self {
            id: p.id,
            created_at: p.created_at,
            title: p.title,
            description: p.description,
            position: p.position,
            user_id: p.user_id,
        }
    }
}

/// A new panel: with its (empty) entries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedPanelOut {
    #[serde(flatten)]
    pub panel: PanelOut,
    pub entries: Vec<EntryOut>,
}

/// A panel in the list: with whether it is done today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedPanelOut {
    #[serde(flatten)]
    pub panel: PanelOut,
    pub is_complete: bool,
}

/// One tap, as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryOut {
    pub id: i32,
    pub is_complete: bool,
    pub panel_id: i32,
    pub timestamp: DateTime<Utc>,
}

impl From<&Entry> for EntryOut {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id,
            is_complete: e.is_complete,
            panel_id: e.panel_id,
            timestamp: e.timestamp,
        }
    }
}

/// A day's id: the latest entry's, or `"<uuid>_padded"` for a day without one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DayId {
    Entry(i32),
    Padded(String),
}

/// One local day of a panel's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayOut {
    pub id: DayId,
    pub is_complete: bool,
    pub timestamp: NaiveDate,
    pub panel_id: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsistencyOut {
    pub panel_pos: i32,
    pub consistency: f64,
    pub panel_age: usize,
    pub days_complete: usize,
    pub panel_id: i32,
    pub user_id: i32,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreaksOut {
    pub current: u32,
    pub longest: u32,
    pub longest_start: Option<NaiveDate>,
    pub longest_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteStatsOut {
    pub method_path: String,
    pub method: String,
    pub path: String,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    pub last: f64,
    pub alert_threshold_ms: i32,
    pub in_alert: bool,
    pub alert_id: Option<String>,
}

impl From<RouteStats> for RouteStatsOut {
    fn from(s: RouteStats) -> Self {
        Self {
            method_path: s.method_path,
            method: s.method,
            path: s.path,
            avg: s.avg,
            min: s.min,
            max: s.max,
            last: s.last,
            alert_threshold_ms: s.alert_threshold_ms,
            in_alert: s.in_alert,
            alert_id: s.alert_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteTimingsOut {
    pub readings: Vec<f64>,
    pub timestamps: Vec<DateTime<Utc>>,
}
