//! The environment as the concerns read it: unset and blank variables are absent, and every
//! mistake names its variable.

use super::ConfigError;
use std::fmt;
use std::str::FromStr;

/// Variables read through a lookup (the process environment, or a map in tests).
pub struct Vars<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Vars<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    /// The variable's value, unless it is unset or blank.
    pub fn get(&self, key: &str) -> Option<String> {
        (self.lookup)(key).filter(|v| !v.trim().is_empty())
    }

    /// The variable as a whole number from `min` to `max`, when it is set.
    pub fn number<T>(&self, key: &'static str, min: T, max: T) -> Result<Option<T>, ConfigError>
    where
        T: FromStr + PartialOrd + fmt::Display + Copy,
    {
        self.get(key)
            .map(|raw| parse_number(key, &raw, min, max))
            .transpose()
    }

    /// Sets `slot` from the variable when it is set.
    pub fn set_number<T>(
        &self,
        slot: &mut T,
        key: &'static str,
        min: T,
        max: T,
    ) -> Result<(), ConfigError>
    where
        T: FromStr + PartialOrd + fmt::Display + Copy,
    {
        if let Some(n) = self.number(key, min, max)? {
            *slot = n;
        }
        Ok(())
    }
}

pub fn parse_number<T>(variable: &'static str, raw: &str, min: T, max: T) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + fmt::Display + Copy,
{
    match raw.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(ConfigError::new(
            variable,
            format!("'{raw}' is not a whole number from {min} to {max}"),
        )),
    }
}

/// Whether `url` is an http:// or https:// address.
pub fn is_web_address(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}
