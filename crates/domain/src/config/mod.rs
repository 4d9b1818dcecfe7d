//! Typed configuration read from the environment, one module per concern; every variable is
//! listed in README and documented on the field it sets.

mod alerts;
mod auth;
mod background;
mod database;
mod environment;
mod http;
mod logging;
mod mail;
mod secret;
mod vars;

pub use alerts::Alerting;
pub use auth::{AuthConfig, MAX_RATE_LIMIT_WINDOW_SECS, MIN_SECRET_BYTES, RateLimits};
pub use background::Background;
pub use database::{DatabaseConfig, DatabaseUrl, Engine};
pub use environment::Environment;
pub use http::{ConnectionLimits, HttpConfig};
pub use logging::{LogFormat, LoggingConfig};
pub use mail::{MailConfig, MailerConfig};
pub use secret::Secret;

use std::net::SocketAddr;

/// The whole configuration: where the server runs (`NINEPANELS_ENV`) and each concern's part.
#[derive(Debug, Clone)]
pub struct Config {
    /// `NINEPANELS_ENV` (`FEATURE`).
    pub env: Environment,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub mail: MailConfig,
    pub http: HttpConfig,
    pub background: Background,
    pub logging: LoggingConfig,
    /// Things an operator should hear about at start-up (logged once tracing is up).
    pub warnings: Vec<String>,
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

impl Config {
    /// What a bare `cargo run` uses: a SQLite file beside you, loopback, a fresh dev secret.
    pub fn for_local_development() -> Self {
        let url = DatabaseUrl::parse("sqlite://ninepanels.db?mode=rwc")
            .expect("the default database URL is valid");
        Self {
            env: Environment::Feature,
            database: DatabaseConfig::for_url(url),
            auth: AuthConfig::default(),
            mail: MailConfig::default(),
            http: HttpConfig::default(),
            background: Background::default(),
            logging: LoggingConfig::default(),
            warnings: vec![auth::GENERATED_SECRET_WARNING.to_owned()],
        }
    }

    /// For tests: TEST environment, the given database, an ephemeral port, a fixed secret.
    pub fn for_tests(database_url: &str) -> Self {
        let local = Self::for_local_development();
        let url = DatabaseUrl::parse(database_url).expect("a valid test database URL");
        Self {
            env: Environment::Test,
            // Small pools: many tests run at once against one PostgreSQL server.
            database: DatabaseConfig {
                max_connections: 4,
                ..DatabaseConfig::for_url(url)
            },
            auth: AuthConfig {
                jwt_secret: Secret::new("test-secret-that-is-long-enough-for-hs256!"),
                rate_limits: RateLimits {
                    window_secs: 60,
                    per_email: 1000,
                    per_address: 10_000,
                },
                ..local.auth
            },
            // Mail of servers started by tests and benches stays out of the working tree.
            mail: MailConfig {
                mailer: MailerConfig::Log {
                    dir: std::env::temp_dir().join("ninepanels-test-mail"),
                },
                ..local.mail
            },
            http: HttpConfig {
                bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                ..local.http
            },
            warnings: Vec::new(),
            ..local
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads variables through `lookup`; unset and empty variables take their defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = vars::Vars::new(&lookup);
        let env = match vars.get("NINEPANELS_ENV") {
            Some(v) => v.parse()?,
            None => Environment::Feature,
        };
        let mut warnings = Vec::new();
        Ok(Self {
            env,
            database: DatabaseConfig::read(&vars)?,
            auth: AuthConfig::read(&vars, env, &mut warnings)?,
            mail: MailConfig::read(&vars)?,
            http: HttpConfig::read(&vars, &mut warnings)?,
            background: Background::read(&vars)?,
            logging: LoggingConfig::read(&vars)?,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxies::TrustedProxies;
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
        assert_eq!(c.database.url.engine(), Engine::Sqlite);
        assert_eq!(c.http.bind_addr.to_string(), "127.0.0.1:8000");
        assert_eq!(c.auth.jwt_secret.expose().len(), 64);
        assert!(c.warnings[0].contains("JWT_SECRET is not set"));
    }

    #[test]
    fn trusted_proxies_replace_trust_forwarded_for() {
        let c = from(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")]).unwrap();
        assert!(c.http.trusted_proxies.contains("10.9.8.7".parse().unwrap()));
        let err = from(&[("TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err();
        assert_eq!(err.variable, "TRUSTED_PROXIES");
        let err = from(&[("TRUST_FORWARDED_FOR", "true")]).unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXIES"), "{err}");
        let c = from(&[("TRUST_FORWARDED_FOR", "false")]).unwrap();
        assert!(c.warnings.iter().any(|w| w.contains("no longer read")));
        assert_eq!(c.http.trusted_proxies, TrustedProxies::default());
    }

    #[test]
    fn connection_limits_have_defaults_and_bounds() {
        let c = from(&[]).unwrap();
        assert_eq!(c.http.connections.header_read_timeout_secs, 10);
        assert_eq!(c.http.connections.max_connections, 512);
        let c = from(&[("HEADER_READ_TIMEOUT_SECS", "3"), ("MAX_CONNECTIONS", "64")]).unwrap();
        assert_eq!(
            (
                c.http.connections.header_read_timeout_secs,
                c.http.connections.max_connections
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
            (auth::EXAMPLE_SECRET, "placeholder"),
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
        assert!(from(&[]).unwrap().auth.legacy_jwt_secret.is_none());
        let c = from(&[("LEGACY_JWT_SECRET", "old-secret")]).unwrap();
        assert_eq!(c.auth.legacy_jwt_secret.unwrap().expose(), "old-secret");
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
            c.mail.mailer,
            MailerConfig::Log {
                dir: "/var/mail/np".into()
            }
        );
    }

    #[test]
    fn the_pool_size_follows_the_engine_unless_set() {
        assert_eq!(from(&[]).unwrap().database.max_connections, 4);
        assert_eq!(
            from(&[("DATABASE_URL", "postgres://u@h/db")])
                .unwrap()
                .database
                .max_connections,
            10
        );
        let set = from(&[
            ("DATABASE_URL", "postgres://u@h/db"),
            ("DATABASE_MAX_CONNECTIONS", "25"),
        ])
        .unwrap();
        assert_eq!(set.database.max_connections, 25);
    }

    #[test]
    fn jobs_take_iso_periods_and_refuse_nonsense() {
        let c = from(&[("JOBS", "prune_timings=PT6H")]).unwrap();
        let prune = c
            .background
            .jobs
            .iter()
            .find(|(job, _)| *job == crate::jobs::JobKind::PruneTimings)
            .unwrap();
        assert_eq!(prune.1.duration().as_secs(), 6 * 3600);
        assert_eq!(c.background.jobs.len(), crate::jobs::JobKind::ALL.len());
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
    fn alerts_take_a_web_address_and_keep_it_out_of_logs() {
        let c = from(&[]).unwrap();
        assert_eq!(c.background.alerting, Alerting::default());
        let hook = "https://hooks.example/T0/B0/s3cr3tv4lu3";
        let c = from(&[("ALERT_WEBHOOK_URL", hook), ("ALERT_REPEAT_MINUTES", "5")]).unwrap();
        let url = c.background.alerting.webhook_url.as_ref().unwrap();
        assert_eq!(url.expose(), hook);
        assert!(!format!("{c:?}").contains("s3cr3tv4lu3"));
        assert_eq!(c.background.alerting.quiet_for().num_minutes(), 5);
        let err = from(&[("ALERT_WEBHOOK_URL", "hooks.example")]).unwrap_err();
        assert_eq!(err.variable, "ALERT_WEBHOOK_URL");
        let err = from(&[("ALERT_AFTER_SECS", "0")]).unwrap_err();
        assert_eq!(err.variable, "ALERT_AFTER_SECS");
    }

    #[test]
    fn origins_are_a_comma_separated_list() {
        let c = from(&[("CORS_ORIGINS", "https://a.example, http://localhost:5173/")]).unwrap();
        assert_eq!(
            c.http.cors_origins,
            vec!["https://a.example", "http://localhost:5173"]
        );
    }
}
