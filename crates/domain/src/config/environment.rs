//! `NINEPANELS_ENV`: where this server runs (FEATURE, STAGING, MAIN, TEST, CI).

use super::ConfigError;
use std::fmt;
use std::str::FromStr;

/// Where this server runs. Guard-rails and secrets depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Feature,
    Staging,
    Main,
    Test,
    Ci,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Feature => "FEATURE",
            Environment::Staging => "STAGING",
            Environment::Main => "MAIN",
            Environment::Test => "TEST",
            Environment::Ci => "CI",
        }
    }

    /// MAIN and STAGING hold real people's data and must be configured explicitly.
    pub fn is_deployed(self) -> bool {
        matches!(self, Environment::Main | Environment::Staging)
    }
}

impl FromStr for Environment {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "FEATURE" => Ok(Environment::Feature),
            "STAGING" => Ok(Environment::Staging),
            "MAIN" => Ok(Environment::Main),
            "TEST" => Ok(Environment::Test),
            "CI" => Ok(Environment::Ci),
            _ => Err(ConfigError::new(
                "NINEPANELS_ENV",
                format!("'{s}' is not one of FEATURE, STAGING, MAIN, TEST, CI"),
            )),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
