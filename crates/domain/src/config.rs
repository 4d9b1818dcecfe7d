//! Typed configuration read from the environment; every variable is listed in README.
//!
//! | variable | default |
//! |---|---|
//! | `NINEPANELS_ENV` | `FEATURE` (one of FEATURE, STAGING, MAIN, TEST, CI) |
//! | `DATABASE_URL` | `sqlite://ninepanels.db?mode=rwc` |
//! | `DATABASE_MAX_CONNECTIONS` | `10` on PostgreSQL, `4` on SQLite (which writes one at a time anyway) |
//! | `DATABASE_TIMEOUT_SECS` | `5` (connect and acquire timeout) |
//! | `JWT_SECRET` | generated per start outside MAIN/STAGING (with a warning); required there, >= 32 bytes |
//! | `LEGACY_JWT_SECRET` | unset; the old server's secret, to honour its tokens until they expire |
//! | `ACCESS_TOKEN_EXPIRE_MINUTES` | `43200` (30 days) |
//! | `BIND_ADDR` | `127.0.0.1:8000` |
//! | `CORS_ORIGINS` | `http://localhost:5173` (comma-separated) |
//! | `FRONTEND_URL` | `http://localhost:5173` |
//! | `DEFAULT_TIME_ZONE` | `Europe/London` |
//! | `LOG_LEVEL` | `info` (a tracing filter such as `info,ninepanels_http=debug`) |
//! | `LOG_FORMAT` | `text` (or `json`) |
//! | `NINEPANELS_COMMIT` | unset (the commit shown by `GET /`) |
//! | `PASSWORD_RESET_EXPIRE_MINUTES` | `15` |
//! | `MAILER` | `log` (writes each mail to the log and to `MAIL_DIR`), or `smtp` |
//! | `MAIL_DIR` | `./mail` |
//! | `SMTP_URL` | unset; required with `MAILER=smtp` (e.g. `smtps://user:pass@smtp.example.org`) |
//! | `MAIL_FROM` | `Nine Panels <no-reply@localhost>` |
//! | `RATE_LIMIT_WINDOW_SECS` | `60` |
//! | `RATE_LIMIT_PER_EMAIL` | `5` attempts per window on sign-in and password-reset requests |
//! | `RATE_LIMIT_PER_ADDRESS` | `20` attempts per window from one client address |
//! | `TRUSTED_PROXIES` | none (CIDRs of the proxies whose `X-Forwarded-For` is believed) |
//! | `REVOCATION_SYNC_SECS` | `2` (how often revocations made by other processes are read) |
//! | `HEADER_READ_TIMEOUT_SECS` | `10` (a connection still sending its headers then, or idle that long, is closed) |
//! | `MAX_CONNECTIONS` | `512` (connections served at once; more wait to be accepted) |
//! | `PASSWORD_HASH_THREADS` | `1` (sign-ins hashed at once; each takes 9 MiB while it runs) |
//! | `USER_CACHE_SECS` | `2` (how long a signed-in user's row is reused; `0` reads it every request) |
//! | `REQUEST_TIMEOUT_SECS` | `30` (a request still running then, body upload included, gets 408) |
//! | `JOBS` | `purge_expired_tokens=PT1H,prune_attempts=PT1H,prune_timings=P1D,retry_outbox=PT1M,flush_timings=PT10S` |
//! | `EVENT_CHANNEL_CAPACITY` | `1024` (telemetry past it is dropped and counted) |
//! | `OUTBOX_MAX_ATTEMPTS` | `8` (then a must-deliver event is parked for the operator) |
//! | `ROUTE_ALERT_THRESHOLD_MS` | `500` (default alert threshold of a route's average) |
//! | `ROUTE_ALERT_THRESHOLDS` | unset; per route, e.g. `GET_/v5/panels=200,POST_/token=1500` |
//! | `TIMING_WINDOW_SIZE` | `100` (timings a route's statistics cover) |
//! | `TIMING_BATCH_SIZE` | `200` (timings buffered per route before a write) |
//! | `LOG_JSON_FILE` | unset; a file for JSON lines at INFO |
//! | `LOG_DEBUG_FILE` | unset; a file for DEBUG lines with target, file and line |

use crate::proxies::TrustedProxies;
use crate::user::TimeZone;
use std::fmt;
use std::net::SocketAddr;
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

/// A value that must never reach a log: `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Serialised in clear: only for storage that needs the value back (the event outbox).
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
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

/// A configuration mistake, with the variable to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// How mail leaves the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailerConfig {
    /// Each message goes to the log and to one file in `dir`.
    Log { dir: std::path::PathBuf },
    /// Each message goes to an SMTP server.
    Smtp { url: Secret },
}

/// The longest `RATE_LIMIT_WINDOW_SECS`: windows that began before this are over, whatever it is.
pub const MAX_RATE_LIMIT_WINDOW_SECS: u64 = 86_400;

/// Sign-in and reset-request attempts allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub window_secs: u64,
    pub per_email: u32,
    pub per_address: u32,
}

/// What one client connection may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A connection whose request headers (or, idle, its next request's) take longer is closed.
    pub header_read_timeout_secs: u64,
    /// Connections served at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
}

/// The scheduled jobs this server knows, with their default periods.
pub const JOBS: [(&str, &str); 5] = [
    ("purge_expired_tokens", "PT1H"),
    ("prune_attempts", "PT1H"),
    ("prune_timings", "P1D"),
    ("retry_outbox", "PT1M"),
    ("flush_timings", "PT10S"),
];

/// Background work: events, jobs, route timings.
#[derive(Debug, Clone, PartialEq)]
pub struct Background {
    pub jobs: Vec<(String, crate::period::Period)>,
    pub event_channel_capacity: usize,
    pub outbox_max_attempts: u32,
    pub alert_threshold_ms: u32,
    pub alert_thresholds: Vec<(String, u32)>,
    pub timing_window_size: u32,
    pub timing_batch_size: u32,
}

impl Background {
    /// The alert threshold of a route.
    pub fn threshold_for(&self, method_path: &str) -> u32 {
        self.alert_thresholds
            .iter()
            .find(|(route, _)| route == method_path)
            .map_or(self.alert_threshold_ms, |(_, ms)| *ms)
    }

    fn parse_jobs(raw: &str) -> Result<Vec<(String, crate::period::Period)>, ConfigError> {
        let mut jobs: Vec<(String, crate::period::Period)> = JOBS
            .iter()
            .map(|(name, period)| {
                (
                    (*name).to_owned(),
                    crate::period::Period::parse(period).expect("default periods parse"),
                )
            })
            .collect();
        for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, period) = item.split_once('=').ok_or_else(|| {
                ConfigError::new(
                    "JOBS",
                    format!("'{item}' is not name=PERIOD (e.g. prune_timings=P1D)"),
                )
            })?;
            let name = name.trim();
            let slot = jobs
                .iter_mut()
                .find(|(known, _)| known == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = JOBS.iter().map(|(n, _)| *n).collect();
                    ConfigError::new(
                        "JOBS",
                        format!("'{name}' is not a job; the jobs are {}", known.join(", ")),
                    )
                })?;
            slot.1 = crate::period::Period::parse(period)
                .map_err(|e| ConfigError::new("JOBS", format!("{name}: {e}")))?;
        }
        Ok(jobs)
    }
}

impl Default for Background {
    fn default() -> Self {
        Self {
            jobs: Self::parse_jobs("").expect("default jobs parse"),
            event_channel_capacity: 1024,
            outbox_max_attempts: 8,
            alert_threshold_ms: 500,
            alert_thresholds: Vec::new(),
            timing_window_size: 100,
            timing_batch_size: 200,
        }
    }
}

/// Log output on the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub env: Environment,
    pub database_url: DatabaseUrl,
    pub database_max_connections: u32,
    pub database_timeout_secs: u64,
    pub jwt_secret: Secret,
    /// The old server's secret: its tokens (`sub` = email, no `jti`) pass until they expire.
    pub legacy_jwt_secret: Option<Secret>,
    pub access_token_expire_minutes: i64,
    pub bind_addr: SocketAddr,
    pub cors_origins: Vec<String>,
    pub frontend_url: String,
    pub default_time_zone: TimeZone,
    pub log_level: String,
    pub log_format: LogFormat,
    pub commit: Option<String>,
    pub password_reset_expire_minutes: i64,
    pub mailer: MailerConfig,
    pub mail_from: String,
    pub rate_limits: RateLimits,
    pub trusted_proxies: TrustedProxies,
    pub revocation_sync_secs: u64,
    pub user_cache_secs: u64,
    pub request_timeout_secs: u64,
    pub connections: ConnectionLimits,
    pub password_hash_threads: usize,
    pub background: Background,
    pub log_json_file: Option<std::path::PathBuf>,
    pub log_debug_file: Option<std::path::PathBuf>,
    /// Things an operator should hear about at start-up (logged once tracing is up).
    pub warnings: Vec<String>,
}

/// Default pool sizes: SQLite runs each connection on a thread of its own and writes one at a
/// time, so a few connections serve as well as many and cost less memory.
const SQLITE_POOL: u32 = 4;
const POSTGRES_POOL: u32 = 10;

/// The JWT secret must be at least this long where real data lives.
pub const MIN_SECRET_BYTES: usize = 32;

/// The placeholder `.env.example` carries.
const EXAMPLE_SECRET: &str = "replace-with-the-output-of-openssl-rand-hex-32";

/// Why a long-enough secret is still too weak to sign MAIN's tokens: the example's
/// placeholder, or too few different characters (a hex secret of 32 bytes has 16).
fn weak_secret(secret: &str) -> Option<&'static str> {
    let distinct: std::collections::HashSet<char> = secret.chars().collect();
    if secret.trim() == EXAMPLE_SECRET {
        Some("is still the placeholder from .env.example")
    } else if secret.len() >= MIN_SECRET_BYTES && distinct.len() < 10 {
        Some("has too little variety (fewer than 10 different characters)")
    } else {
        None
    }
}

impl Config {
    /// What a bare `cargo run` uses: a SQLite file beside you, loopback, a fresh dev secret.
    pub fn for_local_development() -> Self {
        Self {
            env: Environment::Feature,
            database_url: DatabaseUrl::parse("sqlite://ninepanels.db?mode=rwc")
                .expect("the default database URL is valid"),
            database_max_connections: SQLITE_POOL,
            database_timeout_secs: 5,
            jwt_secret: generated_secret(),
            legacy_jwt_secret: None,
            access_token_expire_minutes: 30 * 24 * 60,
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            cors_origins: vec!["http://localhost:5173".to_owned()],
            frontend_url: "http://localhost:5173".to_owned(),
            default_time_zone: TimeZone::parse("Europe/London").expect("a known zone"),
            log_level: "info".to_owned(),
            log_format: LogFormat::Text,
            commit: None,
            password_reset_expire_minutes: 15,
            mailer: MailerConfig::Log {
                dir: std::path::PathBuf::from("./mail"),
            },
            mail_from: "Nine Panels <no-reply@localhost>".to_owned(),
            rate_limits: RateLimits {
                window_secs: 60,
                per_email: 5,
                per_address: 20,
            },
            trusted_proxies: TrustedProxies::default(),
            revocation_sync_secs: 2,
            user_cache_secs: 2,
            request_timeout_secs: 30,
            connections: ConnectionLimits {
                header_read_timeout_secs: 10,
                max_connections: 512,
            },
            password_hash_threads: 1,
            background: Background::default(),
            log_json_file: None,
            log_debug_file: None,
            warnings: vec![GENERATED_SECRET_WARNING.to_owned()],
        }
    }

    /// For tests: TEST environment, the given database, an ephemeral port, a fixed secret.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            env: Environment::Test,
            database_url: DatabaseUrl::parse(database_url).expect("a valid test database URL"),
            jwt_secret: Secret::new("test-secret-that-is-long-enough-for-hs256!"),
            legacy_jwt_secret: None,
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            rate_limits: RateLimits {
                window_secs: 60,
                per_email: 1000,
                per_address: 10_000,
            },
            // Mail of servers started by tests and benches stays out of the working tree.
            mailer: MailerConfig::Log {
                dir: std::env::temp_dir().join("ninepanels-test-mail"),
            },
            warnings: Vec::new(),
            ..Self::for_local_development()
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads variables through `lookup`; unset and empty variables take their defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let mut config = Self::for_local_development();
        config.warnings.clear();

        if let Some(v) = get("NINEPANELS_ENV") {
            config.env = v.parse()?;
        }
        if let Some(v) = get("DATABASE_URL") {
            config.database_url = DatabaseUrl::parse(&v)?;
            config.database_max_connections = match config.database_url.engine() {
                Engine::Sqlite => SQLITE_POOL,
                Engine::Postgres => POSTGRES_POOL,
            };
        }
        if let Some(v) = get("DATABASE_MAX_CONNECTIONS") {
            config.database_max_connections =
                parse_number("DATABASE_MAX_CONNECTIONS", &v, 1, 1000)?;
        }
        if let Some(v) = get("DATABASE_TIMEOUT_SECS") {
            config.database_timeout_secs = parse_number("DATABASE_TIMEOUT_SECS", &v, 1, 600)?;
        }
        let secret = get("JWT_SECRET");
        if config.env.is_deployed()
            && let Some(why) = secret.as_deref().and_then(weak_secret)
        {
            return Err(ConfigError::new(
                "JWT_SECRET",
                format!(
                    "{why} in {} (generate one with: openssl rand -hex 32)",
                    config.env
                ),
            ));
        }
        match secret {
            Some(secret) if secret.len() >= MIN_SECRET_BYTES => {
                config.jwt_secret = Secret::new(secret)
            }
            Some(_) if config.env.is_deployed() => {
                return Err(ConfigError::new(
                    "JWT_SECRET",
                    format!(
                        "must be at least {MIN_SECRET_BYTES} bytes in {} (generate one with: openssl rand -hex 32)",
                        config.env
                    ),
                ));
            }
            None if config.env.is_deployed() => {
                return Err(ConfigError::new(
                    "JWT_SECRET",
                    format!(
                        "is required in {} (generate one with: openssl rand -hex 32)",
                        config.env
                    ),
                ));
            }
            Some(secret) => {
                config.jwt_secret = Secret::new(secret);
                config.warnings.push(format!(
                    "JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes; MAIN and STAGING would refuse it"
                ));
            }
            None => config.warnings.push(GENERATED_SECRET_WARNING.to_owned()),
        }
        if let Some(legacy) = get("LEGACY_JWT_SECRET").filter(|v| !v.trim().is_empty()) {
            if legacy == config.jwt_secret.expose() {
                return Err(ConfigError::new(
                    "LEGACY_JWT_SECRET",
                    "must differ from JWT_SECRET (it is the old server's secret)",
                ));
            }
            config.legacy_jwt_secret = Some(Secret::new(legacy));
            config.warnings.push(LEGACY_TOKENS_NOTICE.to_owned());
        }
        if let Some(v) = get("ACCESS_TOKEN_EXPIRE_MINUTES") {
            config.access_token_expire_minutes =
                parse_number("ACCESS_TOKEN_EXPIRE_MINUTES", &v, 1, 366 * 24 * 60)?;
        }
        if let Some(v) = get("BIND_ADDR") {
            config.bind_addr = v.trim().parse().map_err(|_| {
                ConfigError::new(
                    "BIND_ADDR",
                    format!("'{v}' is not an address such as 127.0.0.1:8000"),
                )
            })?;
        }
        if let Some(v) = get("CORS_ORIGINS") {
            config.cors_origins = parse_origins(&v)?;
        }
        if let Some(v) = get("FRONTEND_URL") {
            let v = v.trim().trim_end_matches('/');
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(ConfigError::new(
                    "FRONTEND_URL",
                    "must start with http:// or https://",
                ));
            }
            config.frontend_url = v.to_owned();
        }
        if let Some(v) = get("DEFAULT_TIME_ZONE") {
            config.default_time_zone = TimeZone::parse(&v).map_err(|_| {
                ConfigError::new(
                    "DEFAULT_TIME_ZONE",
                    format!("'{v}' is not an IANA time zone name"),
                )
            })?;
        }
        if let Some(v) = get("LOG_LEVEL") {
            config.log_level = v.trim().to_owned();
        }
        if let Some(v) = get("LOG_FORMAT") {
            config.log_format = match v.trim().to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::new(
                        "LOG_FORMAT",
                        format!("'{v}' is not text or json"),
                    ));
                }
            };
        }
        config.commit = get("NINEPANELS_COMMIT").map(|v| v.trim().to_owned());
        if let Some(v) = get("PASSWORD_RESET_EXPIRE_MINUTES") {
            config.password_reset_expire_minutes =
                parse_number("PASSWORD_RESET_EXPIRE_MINUTES", &v, 1, 24 * 60)?;
        }
        let mail_dir = get("MAIL_DIR").map(|v| std::path::PathBuf::from(v.trim()));
        config.mailer = match get("MAILER")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("log") => MailerConfig::Log {
                dir: mail_dir.unwrap_or_else(|| std::path::PathBuf::from("./mail")),
            },
            Some("smtp") => {
                let url = get("SMTP_URL").ok_or_else(|| {
                    ConfigError::new(
                        "SMTP_URL",
                        "is required with MAILER=smtp (e.g. smtps://user:pass@smtp.example.org)",
                    )
                })?;
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(ConfigError::new(
                        "SMTP_URL",
                        "must start with smtp:// or smtps://",
                    ));
                }
                MailerConfig::Smtp {
                    url: Secret::new(url.trim()),
                }
            }
            Some(other) => {
                return Err(ConfigError::new(
                    "MAILER",
                    format!("'{other}' is not log or smtp"),
                ));
            }
        };
        if let Some(v) = get("MAIL_FROM") {
            config.mail_from = v.trim().to_owned();
        }
        if let Some(v) = get("RATE_LIMIT_WINDOW_SECS") {
            config.rate_limits.window_secs =
                parse_number("RATE_LIMIT_WINDOW_SECS", &v, 1, MAX_RATE_LIMIT_WINDOW_SECS)?;
        }
        if let Some(v) = get("RATE_LIMIT_PER_EMAIL") {
            config.rate_limits.per_email = parse_number("RATE_LIMIT_PER_EMAIL", &v, 1, 1_000_000)?;
        }
        if let Some(v) = get("RATE_LIMIT_PER_ADDRESS") {
            config.rate_limits.per_address =
                parse_number("RATE_LIMIT_PER_ADDRESS", &v, 1, 1_000_000)?;
        }
        if let Some(v) = get("TRUST_FORWARDED_FOR") {
            // Replaced by TRUSTED_PROXIES: "false" asked for what is now the default, but
            // "true" would silently count every client as the proxy, so it stops start-up.
            if !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no") {
                return Err(ConfigError::new(
                    "TRUST_FORWARDED_FOR",
                    "is replaced by TRUSTED_PROXIES: list the addresses or CIDRs of your \
                     proxies (e.g. TRUSTED_PROXIES=10.0.0.0/8) and unset TRUST_FORWARDED_FOR",
                ));
            }
            config.warnings.push(
                "TRUST_FORWARDED_FOR is no longer read; TRUSTED_PROXIES lists the proxies".into(),
            );
        }
        if let Some(v) = get("TRUSTED_PROXIES") {
            config.trusted_proxies =
                TrustedProxies::parse(&v).map_err(|e| ConfigError::new("TRUSTED_PROXIES", e))?;
        }
        if let Some(v) = get("REVOCATION_SYNC_SECS") {
            config.revocation_sync_secs = parse_number("REVOCATION_SYNC_SECS", &v, 1, 60)?;
        }
        if let Some(v) = get("USER_CACHE_SECS") {
            config.user_cache_secs = parse_number("USER_CACHE_SECS", &v, 0, 60)?;
        }
        if let Some(v) = get("REQUEST_TIMEOUT_SECS") {
            config.request_timeout_secs = parse_number("REQUEST_TIMEOUT_SECS", &v, 1, 3600)?;
        }
        if let Some(v) = get("HEADER_READ_TIMEOUT_SECS") {
            config.connections.header_read_timeout_secs =
                parse_number("HEADER_READ_TIMEOUT_SECS", &v, 1, 3600)?;
        }
        if let Some(v) = get("MAX_CONNECTIONS") {
            config.connections.max_connections = parse_number("MAX_CONNECTIONS", &v, 1, 1_000_000)?;
        }
        if let Some(v) = get("PASSWORD_HASH_THREADS") {
            config.password_hash_threads = parse_number("PASSWORD_HASH_THREADS", &v, 1, 64)?;
        }
        if let Some(v) = get("JOBS") {
            config.background.jobs = Background::parse_jobs(&v)?;
        }
        if let Some(v) = get("EVENT_CHANNEL_CAPACITY") {
            config.background.event_channel_capacity =
                parse_number("EVENT_CHANNEL_CAPACITY", &v, 1, 1_000_000)?;
        }
        if let Some(v) = get("OUTBOX_MAX_ATTEMPTS") {
            config.background.outbox_max_attempts =
                parse_number("OUTBOX_MAX_ATTEMPTS", &v, 1, 100)?;
        }
        if let Some(v) = get("ROUTE_ALERT_THRESHOLD_MS") {
            config.background.alert_threshold_ms =
                parse_number("ROUTE_ALERT_THRESHOLD_MS", &v, 1, 600_000)?;
        }
        if let Some(v) = get("ROUTE_ALERT_THRESHOLDS") {
            config.background.alert_thresholds = v
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(|item| {
                    let (route, ms) = item.rsplit_once('=').ok_or_else(|| {
                        ConfigError::new(
                            "ROUTE_ALERT_THRESHOLDS",
                            format!("'{item}' is not METHOD_/path=MS"),
                        )
                    })?;
                    Ok((
                        route.trim().to_owned(),
                        parse_number("ROUTE_ALERT_THRESHOLDS", ms, 1, 600_000)?,
                    ))
                })
                .collect::<Result<_, ConfigError>>()?;
        }
        if let Some(v) = get("TIMING_WINDOW_SIZE") {
            config.background.timing_window_size =
                parse_number("TIMING_WINDOW_SIZE", &v, 1, 100_000)?;
        }
        if let Some(v) = get("TIMING_BATCH_SIZE") {
            config.background.timing_batch_size = parse_number("TIMING_BATCH_SIZE", &v, 1, 10_000)?;
        }
        config.log_json_file = get("LOG_JSON_FILE").map(|v| v.trim().into());
        config.log_debug_file = get("LOG_DEBUG_FILE").map(|v| v.trim().into());
        Ok(config)
    }
}

const LEGACY_TOKENS_NOTICE: &str = "LEGACY_JWT_SECRET is set: the old server's tokens are accepted until they expire (a password reset ends them); unset it once they have.";
const GENERATED_SECRET_WARNING: &str = "JWT_SECRET is not set: using a secret generated for this process only; every token dies at restart. Set JWT_SECRET for anything but local development.";

fn generated_secret() -> Secret {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn parse_number<T>(variable: &'static str, raw: &str, min: T, max: T) -> Result<T, ConfigError>
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

fn parse_origins(raw: &str) -> Result<Vec<String>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            if o.starts_with("http://") || o.starts_with("https://") {
                Ok(o.trim_end_matches('/').to_owned())
            } else {
                Err(ConfigError::new(
                    "CORS_ORIGINS",
                    format!("'{o}' is not an origin such as https://app.example.org"),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_is_local_development_with_a_warning() {
        let c = from(&[]).unwrap();
        assert_eq!(c.env, Environment::Feature);
        assert_eq!(c.database_url.engine(), Engine::Sqlite);
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8000");
        assert_eq!(c.jwt_secret.expose().len(), 64);
        assert!(c.warnings[0].contains("JWT_SECRET is not set"));
    }

    #[test]
    fn trusted_proxies_replace_trust_forwarded_for() {
        let c = from(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")]).unwrap();
        assert!(c.trusted_proxies.contains("10.9.8.7".parse().unwrap()));
        let err = from(&[("TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err();
        assert_eq!(err.variable, "TRUSTED_PROXIES");
        let err = from(&[("TRUST_FORWARDED_FOR", "true")]).unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXIES"), "{err}");
        let c = from(&[("TRUST_FORWARDED_FOR", "false")]).unwrap();
        assert!(c.warnings.iter().any(|w| w.contains("no longer read")));
        assert_eq!(c.trusted_proxies, TrustedProxies::default());
    }

    #[test]
    fn connection_limits_have_defaults_and_bounds() {
        let c = from(&[]).unwrap();
        assert_eq!(c.connections.header_read_timeout_secs, 10);
        assert_eq!(c.connections.max_connections, 512);
        let c = from(&[("HEADER_READ_TIMEOUT_SECS", "3"), ("MAX_CONNECTIONS", "64")]).unwrap();
        assert_eq!(
            (
                c.connections.header_read_timeout_secs,
                c.connections.max_connections
            ),
            (3, 64)
        );
        assert_eq!(
            from(&[("MAX_CONNECTIONS", "0")]).unwrap_err().variable,
            "MAX_CONNECTIONS"
        );
    }

    #[test]
    fn main_refuses_the_example_secret_and_one_with_little_variety() {
        for (secret, why) in [
            (EXAMPLE_SECRET, "placeholder"),
            ("abababababababababababababababababab", "too little variety"),
        ] {
            let err = from(&[("NINEPANELS_ENV", "MAIN"), ("JWT_SECRET", secret)]).unwrap_err();
            assert_eq!(err.variable, "JWT_SECRET");
            assert!(err.to_string().contains(why), "{err}");
        }
        let random = "4f0c9a1e7b2d58c36e9f1a0b7c4d2e8f5a6b3c9d0e1f2a7b8c5d4e3f6a9b0c1d";
        assert!(from(&[("NINEPANELS_ENV", "MAIN"), ("JWT_SECRET", random)]).is_ok());
    }

    #[test]
    fn main_refuses_a_missing_or_short_secret() {
        let err = from(&[("NINEPANELS_ENV", "MAIN")]).unwrap_err();
        assert_eq!(err.variable, "JWT_SECRET");
        let err = from(&[("NINEPANELS_ENV", "staging"), ("JWT_SECRET", "short")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("JWT_SECRET: must be at least 32 bytes")
        );
        let secret = "0123456789abcdef0123456789abcdef";
        let ok = from(&[("NINEPANELS_ENV", "MAIN"), ("JWT_SECRET", secret)]).unwrap();
        assert!(ok.warnings.is_empty());
    }

    #[test]
    fn unknown_environment_and_malformed_values_name_the_variable() {
        assert_eq!(
            from(&[("NINEPANELS_ENV", "PROD")]).unwrap_err().variable,
            "NINEPANELS_ENV"
        );
        assert_eq!(
            from(&[("DATABASE_URL", "mysql://x/y")])
                .unwrap_err()
                .variable,
            "DATABASE_URL"
        );
        assert_eq!(
            from(&[("DATABASE_URL", "sqlite://")]).unwrap_err().variable,
            "DATABASE_URL"
        );
        assert_eq!(
            from(&[("BIND_ADDR", "localhost")]).unwrap_err().variable,
            "BIND_ADDR"
        );
        assert_eq!(
            from(&[("DEFAULT_TIME_ZONE", "Nowhere/Land")])
                .unwrap_err()
                .variable,
            "DEFAULT_TIME_ZONE"
        );
        assert_eq!(
            from(&[("CORS_ORIGINS", "example.org")])
                .unwrap_err()
                .variable,
            "CORS_ORIGINS"
        );
        assert_eq!(
            from(&[("DATABASE_MAX_CONNECTIONS", "0")])
                .unwrap_err()
                .variable,
            "DATABASE_MAX_CONNECTIONS"
        );
    }

    #[test]
    fn secrets_never_print() {
        let c = from(&[
            ("JWT_SECRET", "a-secret-that-is-at-least-32-bytes-long"),
            (
                "DATABASE_URL",
                "postgres://app:hunter2@db.internal/ninepanels",
            ),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("a-secret-that"));
        assert!(!printed.contains("hunter2"));
        assert!(printed.contains("postgres://app:***@db.internal/ninepanels"));
    }

    #[test]
    fn the_old_servers_secret_is_off_by_default_and_never_ours() {
        assert!(from(&[]).unwrap().legacy_jwt_secret.is_none());
        let c = from(&[("LEGACY_JWT_SECRET", "old-secret")]).unwrap();
        assert_eq!(c.legacy_jwt_secret.unwrap().expose(), "old-secret");
        assert!(c.warnings.iter().any(|w| w.contains("old server's tokens")));
        let ours = "a-secret-that-is-at-least-32-bytes-long";
        let err = from(&[("JWT_SECRET", ours), ("LEGACY_JWT_SECRET", ours)]).unwrap_err();
        assert_eq!(err.variable, "LEGACY_JWT_SECRET");
    }

    #[test]
    fn smtp_needs_a_url_and_log_mail_takes_a_folder() {
        assert_eq!(
            from(&[("MAILER", "smtp")]).unwrap_err().variable,
            "SMTP_URL"
        );
        assert_eq!(
            from(&[("MAILER", "pigeon")]).unwrap_err().variable,
            "MAILER"
        );
        let c = from(&[
            ("MAILER", "smtp"),
            ("SMTP_URL", "smtps://u:pw@mail.example.org"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("pw@"));
        let c = from(&[("MAIL_DIR", "/var/mail/np")]).unwrap();
        assert_eq!(
            c.mailer,
            MailerConfig::Log {
                dir: "/var/mail/np".into()
            }
        );
    }

    #[test]
    fn the_pool_size_follows_the_engine_unless_set() {
        assert_eq!(from(&[]).unwrap().database_max_connections, 4);
        assert_eq!(
            from(&[("DATABASE_URL", "postgres://u@h/db")])
                .unwrap()
                .database_max_connections,
            10
        );
        let set = from(&[
            ("DATABASE_URL", "postgres://u@h/db"),
            ("DATABASE_MAX_CONNECTIONS", "25"),
        ])
        .unwrap();
        assert_eq!(set.database_max_connections, 25);
    }

    #[test]
    fn jobs_take_iso_periods_and_refuse_nonsense() {
        let c = from(&[("JOBS", "prune_timings=PT6H")]).unwrap();
        let prune = c
            .background
            .jobs
            .iter()
            .find(|(n, _)| n == "prune_timings")
            .unwrap();
        assert_eq!(prune.1.duration().as_secs(), 6 * 3600);
        assert_eq!(c.background.jobs.len(), JOBS.len());
        let err = from(&[("JOBS", "prune_timings=every day")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("JOBS: prune_timings: 'every day' is not an ISO-8601 period"),
            "{err}"
        );
        let err = from(&[("JOBS", "make_coffee=PT1M")]).unwrap_err();
        assert!(
            err.to_string().contains("'make_coffee' is not a job"),
            "{err}"
        );
        let c = from(&[("ROUTE_ALERT_THRESHOLDS", "GET_/v5/panels=200")]).unwrap();
        assert_eq!(c.background.threshold_for("GET_/v5/panels"), 200);
        assert_eq!(c.background.threshold_for("POST_/token"), 500);
    }

    #[test]
    fn origins_are_a_comma_separated_list() {
        let c = from(&[("CORS_ORIGINS", "https://a.example, http://localhost:5173/")]).unwrap();
        assert_eq!(
            c.cors_origins,
            vec!["https://a.example", "http://localhost:5173"]
        );
    }
}
