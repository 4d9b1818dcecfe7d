//! Alerts: `ALERT_AFTER_SECS`, `ALERT_REPEAT_MINUTES` and `ALERT_WEBHOOK_URL`.

use super::ConfigError;
use super::secret::Secret;
use super::vars::{Vars, is_web_address};

/// How alerts reach a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alerting {
    /// `ALERT_AFTER_SECS` (60): how long the database may not answer before an alert.
    pub after_secs: u32,
    /// `ALERT_REPEAT_MINUTES` (30): at most one alert per cause in this time.
    pub repeat_minutes: u32,
    /// `ALERT_WEBHOOK_URL` (unset): where each alert is also posted as JSON (a Slack incoming
    /// webhook, say); a secret, since such addresses carry their token.
    pub webhook_url: Option<Secret>,
}

impl Default for Alerting {
    fn default() -> Self {
        Self {
            after_secs: 60,
            repeat_minutes: 30,
            webhook_url: None,
        }
    }
}

impl Alerting {
    /// How long after a notice of a cause the next one may go out.
    pub fn quiet_for(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.repeat_minutes))
    }

    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let mut alerting = Self::default();
        vars.set_number(&mut alerting.after_secs, "ALERT_AFTER_SECS", 1, 86_400)?;
        let repeat = &mut alerting.repeat_minutes;
        vars.set_number(repeat, "ALERT_REPEAT_MINUTES", 0, 10_080)?;
        if let Some(url) = vars.get("ALERT_WEBHOOK_URL") {
            let url = url.trim();
            if !is_web_address(url) {
                return Err(ConfigError::new(
                    "ALERT_WEBHOOK_URL",
                    "must start with http:// or https://",
                ));
            }
            alerting.webhook_url = Some(Secret::new(url));
        }
        Ok(alerting)
    }
}
