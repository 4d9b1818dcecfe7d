//! The database: `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`, `DATABASE_TIMEOUT_SECS`.

use super::ConfigError;
use super::vars::Vars;
use std::fmt;

/// Where the data lives and how the pool reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// `DATABASE_URL`: `sqlite://ninepanels.db?mode=rwc` unless set.
    pub url: DatabaseUrl,
    /// `DATABASE_MAX_CONNECTIONS`: 10 on PostgreSQL, 4 on SQLite (which writes one at a time).
    pub max_connections: u32,
    /// `DATABASE_TIMEOUT_SECS` (5): connect and acquire timeout.
    pub timeout_secs: u64,
}

/// Default pool sizes: SQLite runs each connection on a thread of its own and writes one at a
/// time, so a few connections serve as well as many and cost less memory.
const SQLITE_POOL: u32 = 4;
const POSTGRES_POOL: u32 = 10;

impl DatabaseConfig {
    /// The database at `url`, with the default pool for its engine.
    pub fn for_url(url: DatabaseUrl) -> Self {
        let max_connections = match url.engine() {
            Engine::Sqlite => SQLITE_POOL,
            Engine::Postgres => POSTGRES_POOL,
        };
        Self {
            url,
            max_connections,
            timeout_secs: 5,
        }
    }

    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let url = DatabaseUrl::parse(
            vars.get("DATABASE_URL")
                .as_deref()
                .unwrap_or("sqlite://ninepanels.db?mode=rwc"),
        )?;
        let mut database = Self::for_url(url);
        vars.set_number(
            &mut database.max_connections,
            "DATABASE_MAX_CONNECTIONS",
            1,
            1000,
        )?;
        vars.set_number(&mut database.timeout_secs, "DATABASE_TIMEOUT_SECS", 1, 600)?;
        Ok(database)
    }
}

/// The two storage engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database URL whose scheme names one of our engines. `Debug` hides any password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    engine: Engine,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let url = raw.trim();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must start with sqlite:// (for a file) or postgres:// (for PostgreSQL)",
            ));
        };
        let rest = url.split_once(':').map_or("", |(_, rest)| rest);
        if rest.trim_start_matches('/').is_empty() {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "names no database: add a file path (sqlite://ninepanels.db) or a host and database (postgres://user@host/db)",
            ));
        }
        Ok(Self {
            url: url.to_owned(),
            engine,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn expose(&self) -> &str {
        &self.url
    }

    /// The URL with any password replaced by `***`, safe for logs.
    pub fn redacted(&self) -> String {
        match (self.url.find("://"), self.url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let userinfo = &self.url[scheme_end + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => format!(
                        "{}{}:***{}",
                        &self.url[..scheme_end + 3],
                        user,
                        &self.url[at..]
                    ),
                    None => self.url.clone(),
                }
            }
            _ => self.url.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}
