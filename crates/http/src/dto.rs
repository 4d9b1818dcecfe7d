//! Response bodies (the `data` of the envelope), apart from domain types; conversions live here.

use chrono::{DateTime, Utc};
use ninepanels_domain::user::{TimeZone, User};
use serde::Serialize;

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct TokenOut {
    pub access_token: String,
    pub token_type: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Success {
    pub success: bool,
}
