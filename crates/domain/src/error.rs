//! The base error every crate converts into at its edge.
//!
//! Use [`Error`] for anything that can reach a request: its `detail` is the one sentence a
//! person may read; `context_msg` and `context_data` are for the log line only. Crates keep
//! their own `thiserror` enums where that helps and convert at their boundary.

use std::fmt;

/// What went wrong, in terms a caller can act on. Each kind maps to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The thing asked for does not exist or is not the caller's (404).
    NotFound,
    /// The input could not be parsed or validated (422).
    Invalid,
    /// The input is larger than the server accepts (413).
    TooLarge,
    /// The request clashes with what is stored, such as a taken email (400, the client's contract).
    Conflict,
    /// The request is understood but cannot be done as asked, such as a wrong current password (400).
    BadRequest,
    /// The caller is not signed in, or the credentials are wrong (401).
    Unauthorized,
    /// The caller is signed in but not allowed (403).
    Forbidden,
    /// Too many attempts in too short a time (429).
    RateLimited,
    /// A dependency such as the database cannot be reached right now (503).
    Unavailable,
    /// A bug or an unexpected failure; the detail stays generic (500).
    Internal,
}

impl ErrorKind {
    /// The sentence used when no more specific detail was given.
    pub fn default_detail(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "Not found",
            ErrorKind::Invalid => "The request is not valid.",
            ErrorKind::TooLarge => "The request body is too large.",
            ErrorKind::Conflict => "That conflicts with what is already stored.",
            ErrorKind::BadRequest => "The request cannot be done as asked.",
            ErrorKind::Unauthorized => "Could not validate credentials",
            ErrorKind::Forbidden => "You are not allowed to do that.",
            ErrorKind::RateLimited => "Too many attempts; please wait a moment and try again.",
            ErrorKind::Unavailable => {
                "The service is temporarily unavailable; please try again shortly."
            }
            ErrorKind::Internal => "Something went wrong on our side.",
        }
    }
}

/// The base error: a kind, a friendly detail, and context for the logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub detail: String,
    pub context_msg: String,
    pub context_data: Vec<(String, String)>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            context_msg: String::new(),
            context_data: Vec::new(),
        }
    }

    /// What went wrong, for an operator: the technical story when there is one, else the detail.
    pub fn reason(&self) -> &str {
        if self.context_msg.is_empty() {
            &self.detail
        } else {
            &self.context_msg
        }
    }

    /// An error whose detail is the kind's generic sentence.
    pub fn of_kind(kind: ErrorKind) -> Self {
        Self::new(kind, kind.default_detail())
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, detail)
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, detail)
    }

    pub fn unavailable(context_msg: impl Into<String>) -> Self {
        Self::of_kind(ErrorKind::Unavailable).with_context(context_msg)
    }

    pub fn internal(context_msg: impl Into<String>) -> Self {
        Self::of_kind(ErrorKind::Internal).with_context(context_msg)
    }

    /// Sets the technical story for the logs.
    pub fn with_context(mut self, msg: impl Into<String>) -> Self {
        self.context_msg = msg.into();
        self
    }

    /// Adds one key/value pair for the logs.
    pub fn with_data(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.context_data.push((key.into(), value.to_string()));
        self
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("detail", &self.detail)
            .field("context_msg", &self.context_msg)
            .field("context_data", &self.context_data)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.detail)?;
        if !self.context_msg.is_empty() {
            write!(f, " ({})", self.context_msg)?;
        }
        for (k, v) in &self.context_data {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_carries_context_for_logs() {
        let e = Error::not_found("Panel not found")
            .with_context("panel lookup")
            .with_data("panel_id", 7);
        assert_eq!(
            e.to_string(),
            "NotFound: Panel not found (panel lookup) panel_id=7"
        );
    }

    #[test]
    fn internal_detail_is_generic() {
        let e = Error::internal("SELECT failed: syntax error near FROM");
        assert_eq!(e.detail, "Something went wrong on our side.");
        assert!(e.context_msg.contains("SELECT"));
    }
}
