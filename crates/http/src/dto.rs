//! Response bodies (the `data` of the envelope), apart from domain types; conversions live here.

use crate::timestamp;
use chrono::{DateTime, NaiveDate, Utc};
use ninepanels_domain::background::RouteStats;
use ninepanels_domain::entry::{Entry, Mark};
use ninepanels_domain::panel::Panel;
use ninepanels_domain::user::{TimeZone, User};
use serde::Serialize;
use utoipa::ToSchema;

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOut {
    #[schema(example = 7)]
    pub id: i32,
    #[schema(example = "ada@example.org")]
    pub email: String,
    #[schema(example = "Ada")]
    pub name: String,
    #[schema(example = false)]
    pub is_admin: bool,
    #[schema(example = "2026-11-24T07:15:02.481Z")]
    #[serde(serialize_with = "timestamp::option::serialize")]
    pub last_login: Option<DateTime<Utc>>,
    #[schema(example = "2026-11-24T07:16:40.112Z")]
    #[serde(serialize_with = "timestamp::option::serialize")]
    pub last_activity: Option<DateTime<Utc>>,
    #[schema(example = "Europe/London")]
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

/// `POST /token`'s answer: enveloped (the default), or with `?response=oauth2` the plain
/// RFC 6749 body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TokenAnswer {
    Enveloped(crate::envelope::Envelope<TokenOut>),
    OAuth2(OAuthTokenOut),
}

/// The RFC 6749 answer of `POST /token?response=oauth2`, not enveloped.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OAuthTokenOut {
    #[schema(
        example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGFAZXhhbXBsZS5vcmciLCJleHAiOjE3OTU1NzI4MDB9.c2lnbmF0dXJl"
    )]
    pub access_token: String,
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 2592000)]
    pub expires_in: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenOut {
    #[schema(
        example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGFAZXhhbXBsZS5vcmciLCJleHAiOjE3OTU1NzI4MDB9.c2lnbmF0dXJl"
    )]
    pub access_token: String,
    #[schema(example = "bearer")]
    pub token_type: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Success {
    #[schema(example = true)]
    pub success: bool,
}

/// A panel as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelOut {
    #[schema(example = 42)]
    pub id: i32,
    #[schema(example = "2026-01-05T09:30:00Z")]
    #[serde(serialize_with = "timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "Move")]
    pub title: String,
    #[schema(example = "A walk, a run or a swim")]
    pub description: Option<String>,
    #[schema(example = 0)]
    pub position: i32,
    #[schema(example = 7)]
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
    #[schema(example = true)]
    pub is_complete: bool,
}

/// One tap, as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryOut {
    #[schema(example = 9001)]
    pub id: i32,
    #[schema(example = true)]
    pub is_complete: bool,
    /// A rest day (never together with `is_complete`).
    #[schema(example = false)]
    pub is_skip: bool,
    #[schema(example = 42)]
    pub panel_id: i32,
    #[schema(example = "2026-11-24T07:16:40.112Z")]
    #[serde(serialize_with = "timestamp::serialize")]
    pub timestamp: DateTime<Utc>,
}

impl From<&Entry> for EntryOut {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id,
            is_complete: e.is_complete,
            is_skip: e.is_skip,
            panel_id: e.panel_id,
            timestamp: e.timestamp,
        }
    }
}

/// A day's id: the latest entry's, or `"<uuid>_padded"` for a day without one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(example = 9001)]
pub enum DayId {
    Entry(i32),
    #[schema(value_type = String)]
    Padded(#[serde(serialize_with = "padded")] uuid::Uuid),
}

/// Writes `<uuid>_padded` straight to the output, with no string made for it.
fn padded<S: serde::Serializer>(id: &uuid::Uuid, out: S) -> Result<S::Ok, S::Error> {
    out.collect_str(&format_args!("{}_padded", id.hyphenated()))
}

/// One local day of a panel's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayOut {
    pub id: DayId,
    #[schema(example = true)]
    pub is_complete: bool,
    /// The day's latest entry made it a rest day.
    #[schema(example = false)]
    pub is_skip: bool,
    #[schema(example = "2026-11-24")]
    #[serde(serialize_with = "timestamp::date::serialize")]
    pub timestamp: NaiveDate,
    #[schema(example = 42)]
    pub panel_id: i32,
}

impl DayOut {
    /// A day on the wire: a day without an entry gets a fresh `"<uuid>_padded"` id.
    pub fn of(day: ninepanels_app::history::Day, panel_id: i32) -> Self {
        let (id, mark) = match day.latest {
            Some((entry_id, mark)) => (DayId::Entry(entry_id), mark),
            None => (DayId::Padded(uuid::Uuid::new_v4()), Mark::NotDone),
        };
        Self {
            id,
            is_complete: mark.is_complete(),
            is_skip: mark.is_skip(),
            timestamp: day.date,
            panel_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsistencyOut {
    #[schema(example = 0)]
    pub panel_pos: i32,
    #[schema(example = 0.75)]
    pub consistency: f64,
    #[schema(example = 324)]
    pub panel_age: usize,
    #[schema(example = 243)]
    pub days_complete: usize,
    /// Rest days, left out of `consistency`.
    #[schema(example = 0)]
    pub days_skipped: usize,
    #[schema(example = 42)]
    pub panel_id: i32,
    #[schema(example = 7)]
    pub user_id: i32,
    #[schema(example = "Move")]
    pub title: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreaksOut {
    #[schema(example = 12)]
    pub current: u32,
    #[schema(example = 31)]
    pub longest: u32,
    #[schema(example = "2026-03-01")]
    pub longest_start: Option<NaiveDate>,
    #[schema(example = "2026-03-31")]
    pub longest_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteStatsOut {
    #[schema(example = "GET /v5/panels")]
    pub method_path: String,
    #[schema(example = "GET")]
    pub method: String,
    #[schema(example = "/v5/panels")]
    pub path: String,
    #[schema(example = 3.2)]
    pub avg: f64,
    #[schema(example = 1.1)]
    pub min: f64,
    #[schema(example = 18.4)]
    pub max: f64,
    #[schema(example = 2.7)]
    pub last: f64,
    #[schema(example = 500)]
    pub alert_threshold_ms: i32,
    #[schema(example = false)]
    pub in_alert: bool,
    /// Set while the route is in alert; the same id from raise to clear.
    #[schema(example = "0b8f3c52-6d4e-4a55-9d1e-2f7c1a9e8b10")]
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
    #[schema(example = json!([2.7, 3.1]))]
    pub readings: Vec<f64>,
    #[schema(example = json!(["2026-11-24T07:16:40.112Z", "2026-11-24T07:16:41.090Z"]))]
    pub timestamps: Vec<DateTime<Utc>>,
}
