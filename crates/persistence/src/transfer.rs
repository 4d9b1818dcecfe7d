//! Moving an installation's data: an engine-neutral JSON-lines export, and an import that is
//! validated in full before anything is written (`append` keeps what is there, `replace` swaps
//! everything in one transaction: all or nothing). Both stream a row at a time.

use crate::entities::{blacklisted_access_tokens, entries, panels, password_reset_tokens, users};
use serde::{Deserialize, Serialize};

mod export;
pub mod file;
mod import;

pub use export::{export, read_all};
pub use file::{EndLineRule, HEADER, Reader, Writer, parse};
pub use import::{check, import, write};

/// One row of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "table", content = "row", rename_all = "snake_case")]
pub enum Record {
    Users(users::Model),
    Panels(panels::Model),
    Entries(entries::Model),
    PasswordResetTokens(password_reset_tokens::Model),
    BlacklistedAccessTokens(blacklisted_access_tokens::Model),
}

/// How an import treats what is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Adds the rows; refused when an id is already taken.
    Append,
    /// Deletes every row of these tables first, in the same transaction.
    Replace,
}

/// Rows per table, in the order they are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub users: usize,
    pub panels: usize,
    pub entries: usize,
    pub password_reset_tokens: usize,
    pub blacklisted_access_tokens: usize,
}

impl Counts {
    pub fn of(records: &[Record]) -> Self {
        let mut counts = Counts::default();
        records.iter().for_each(|r| counts.add(r));
        counts
    }

    pub fn add(&mut self, record: &Record) {
        match record {
            Record::Users(_) => self.users += 1,
            Record::Panels(_) => self.panels += 1,
            Record::Entries(_) => self.entries += 1,
            Record::PasswordResetTokens(_) => self.password_reset_tokens += 1,
            Record::BlacklistedAccessTokens(_) => self.blacklisted_access_tokens += 1,
        }
    }

    /// Rows of every table.
    pub fn total(&self) -> usize {
        self.users
            + self.panels
            + self.entries
            + self.password_reset_tokens
            + self.blacklisted_access_tokens
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "users {}, panels {}, entries {}, password_reset_tokens {}, blacklisted_access_tokens {}",
            self.users,
            self.panels,
            self.entries,
            self.password_reset_tokens,
            self.blacklisted_access_tokens
        )
    }
}

/// The exported tables, in the order of [`Record`]'s variants.
const TABLES: [&str; 5] = crate::tables::ACCOUNT_TABLES;

impl Record {
    /// The record's table (an index into `TABLES`) and id.
    pub(crate) fn key(&self) -> (usize, i64) {
        match self {
            Record::Users(m) => (0, m.id.into()),
            Record::Panels(m) => (1, m.id.into()),
            Record::Entries(m) => (2, m.id.into()),
            Record::PasswordResetTokens(m) => (3, m.id.into()),
            Record::BlacklistedAccessTokens(m) => (4, m.id.into()),
        }
    }
}
