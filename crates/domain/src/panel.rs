//! Panels: the areas of life a person shows up for, at most nine each, in dense positions.

use crate::error::{Error, Result};
use crate::text::{normalise_newlines, refuse_control_characters};
use crate::user::UserId;
use chrono::{DateTime, Utc};

pub type PanelId = i32;

/// The product's name is its rule: a user keeps at most nine panels.
pub const MAX_PANELS: usize = 9;

/// The message a tenth panel gets.
pub const TOO_MANY_PANELS: &str = "You already have nine panels.";

/// The answer when a panel id is not one of the caller's panels.
pub const PANEL_NOT_FOUND: &str = "Panel not found";

/// A panel title: trimmed, 1-100 characters, no control characters but tab and newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelTitle(String);

impl PanelTitle {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self> {
        let title = normalise_newlines(raw);
        let title = title.trim();
        refuse_control_characters("title", title)?;
        if title.is_empty() {
            return Err(Error::invalid("title: must not be empty"));
        }
        if title.chars().count() > Self::MAX_CHARS {
            return Err(Error::invalid(format!(
                "title: must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A panel description: up to 2,000 characters, no control characters but tab and newline; an
/// empty or blank one means "no description".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelDescription(String);

impl PanelDescription {
    pub const MAX_CHARS: usize = 2000;

    /// `Ok(None)` for an empty description.
    pub fn parse(raw: &str) -> Result<Option<Self>> {
        let text = normalise_newlines(raw);
        let text = text.trim();
        refuse_control_characters("description", text)?;
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Error::invalid(format!(
                "description: must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        Ok(Some(Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A requested place in the user's list: 0 is first. Places past the end mean "at the end".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position(u8);

impl Position {
    /// Any place from 0; one past the last panel or further means "at the end".
    pub fn parse(raw: i64) -> Result<Self> {
        if raw < 0 {
            return Err(Error::invalid("position: must not be negative"));
        }
        let last = MAX_PANELS as i64 - 1;
        Ok(Self(u8::try_from(raw.min(last)).unwrap_or(u8::MAX)))
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

/// A stored panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub id: PanelId,
    pub created_at: DateTime<Utc>,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
    pub user_id: UserId,
}

/// A panel about to be created.
#[derive(Debug, Clone)]
pub struct NewPanel {
    pub title: PanelTitle,
    pub description: Option<PanelDescription>,
    /// `None` puts it at the end.
    pub position: Option<Position>,
}

/// Changes to a panel; `None` leaves a field as it is. `description: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PanelChanges {
    pub title: Option<PanelTitle>,
    pub description: Option<Option<PanelDescription>>,
    pub position: Option<Position>,
}

impl PanelChanges {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none() && self.position.is_none()
    }
}

/// Where a panel lands when asked for `requested` in a list that will hold `len` panels.
pub fn clamp_position(requested: Option<Position>, len: usize) -> i32 {
    let last = len.saturating_sub(1) as i32;
    requested.map_or(last, |p| p.get().min(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(PanelTitle::parse("  read  ").unwrap().as_str(), "read");
        assert!(PanelTitle::parse("    ").is_err());
        assert!(PanelTitle::parse(&"x".repeat(100)).is_ok());
        let err = PanelTitle::parse(&"x".repeat(101)).unwrap_err();
        assert_eq!(err.detail, "title: must be at most 100 characters");
    }

    #[test]
    fn empty_description_means_none() {
        assert_eq!(PanelDescription::parse("").unwrap(), None);
        assert_eq!(PanelDescription::parse("  ").unwrap(), None);
        assert!(
            PanelDescription::parse(&"d".repeat(2000))
                .unwrap()
                .is_some()
        );
        assert!(PanelDescription::parse(&"d".repeat(2001)).is_err());
    }

    #[test]
    fn positions_are_not_negative_and_far_ones_mean_the_end() {
        assert_eq!(Position::parse(0).unwrap().get(), 0);
        assert_eq!(Position::parse(8).unwrap().get(), 8);
        assert_eq!(
            Position::parse(-1).unwrap_err().detail,
            "position: must not be negative"
        );
        assert_eq!(clamp_position(Some(Position::parse(9).unwrap()), 9), 8);
        let far = Position::parse(1_000_000_000_000).unwrap();
        assert_eq!(clamp_position(Some(far), 4), 3);
    }

    #[test]
    fn titles_and_descriptions_refuse_control_characters() {
        assert_eq!(
            PanelTitle::parse("re\0ad").unwrap_err().detail,
            "title: must not contain NUL characters"
        );
        assert!(PanelTitle::parse("re\u{1b}ad").is_err());
        assert!(PanelDescription::parse("a\0").is_err());
        assert_eq!(
            PanelDescription::parse("one\r\ntwo\tthree")
                .unwrap()
                .unwrap()
                .as_str(),
            "one\ntwo\tthree"
        );
    }

    #[test]
    fn positions_past_the_end_mean_the_end() {
        assert_eq!(clamp_position(None, 3), 2);
        assert_eq!(clamp_position(Some(Position::parse(7).unwrap()), 3), 2);
        assert_eq!(clamp_position(Some(Position::parse(1).unwrap()), 3), 1);
        assert_eq!(clamp_position(None, 0), 0);
    }
}
