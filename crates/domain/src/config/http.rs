//! The HTTP side: `BIND_ADDR`, `CORS_ORIGINS`, `TRUSTED_PROXIES`, `REQUEST_TIMEOUT_SECS`,
//! `HEADER_READ_TIMEOUT_SECS`, `MAX_CONNECTIONS`, `METRICS_TOKEN`, and `NINEPANELS_COMMIT`
//! (shown by `GET /`).

use super::ConfigError;
use super::secret::Secret;
use super::vars::{Vars, is_web_address};
use crate::proxies::TrustedProxies;
use std::net::SocketAddr;

/// Where the server listens and what it lets clients do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// `BIND_ADDR` (`127.0.0.1:8000`).
    pub bind_addr: SocketAddr,
    /// `CORS_ORIGINS` (`http://localhost:5173`; comma-separated).
    pub cors_origins: Vec<String>,
    /// `TRUSTED_PROXIES` (none): the proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// `REQUEST_TIMEOUT_SECS` (30): a request still running then, upload included, gets 408.
    pub request_timeout_secs: u64,
    pub connections: ConnectionLimits,
    /// `NINEPANELS_COMMIT` (unset): the commit `GET /` shows.
    pub commit: Option<String>,
    /// `METRICS_TOKEN` (unset): when set, `GET /metrics` needs `Authorization: Bearer <it>`.
    pub metrics_token: Option<Secret>,
}

/// What one client connection may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// `HEADER_READ_TIMEOUT_SECS` (10): a connection whose request headers (or, idle, its next
    /// request's) take longer is closed.
    pub header_read_timeout_secs: u64,
    /// `MAX_CONNECTIONS` (512): served at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            cors_origins: vec!["http://localhost:5173".to_owned()],
            trusted_proxies: TrustedProxies::default(),
            request_timeout_secs: 30,
            connections: ConnectionLimits {
                header_read_timeout_secs: 10,
                max_connections: 512,
            },
            commit: None,
            metrics_token: None,
        }
    }
}

impl HttpConfig {
    pub(super) fn read(vars: &Vars<'_>, warnings: &mut Vec<String>) -> Result<Self, ConfigError> {
        let mut http = Self::default();
        if let Some(v) = vars.get("BIND_ADDR") {
            http.bind_addr = v.trim().parse().map_err(|_| {
                ConfigError::new(
                    "BIND_ADDR",
                    format!("'{v}' is not an address such as 127.0.0.1:8000"),
                )
            })?;
        }
        if let Some(v) = vars.get("CORS_ORIGINS") {
            http.cors_origins = parse_origins(&v)?;
        }
        if let Some(v) = vars.get("TRUST_FORWARDED_FOR") {
            // Replaced by TRUSTED_PROXIES: "false" asked for what is now the default, but
            // "true" would silently count every client as the proxy, so it stops start-up.
            if !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no") {
                return Err(ConfigError::new(
                    "TRUST_FORWARDED_FOR",
                    "is replaced by TRUSTED_PROXIES: list the addresses or CIDRs of your \
                     proxies (e.g. TRUSTED_PROXIES=10.0.0.0/8) and unset TRUST_FORWARDED_FOR",
                ));
            }
            warnings.push(
                "TRUST_FORWARDED_FOR is no longer read; TRUSTED_PROXIES lists the proxies".into(),
            );
        }
        if let Some(v) = vars.get("TRUSTED_PROXIES") {
            http.trusted_proxies =
                TrustedProxies::parse(&v).map_err(|e| ConfigError::new("TRUSTED_PROXIES", e))?;
        }
        vars.set_number(
            &mut http.request_timeout_secs,
            "REQUEST_TIMEOUT_SECS",
            1,
            3600,
        )?;
        let limits = &mut http.connections;
        let header = &mut limits.header_read_timeout_secs;
        vars.set_number(header, "HEADER_READ_TIMEOUT_SECS", 1, 3600)?;
        vars.set_number(&mut limits.max_connections, "MAX_CONNECTIONS", 1, 1_000_000)?;
        http.commit = vars.get("NINEPANELS_COMMIT").map(|v| v.trim().to_owned());
        http.metrics_token = vars
            .get("METRICS_TOKEN")
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(Secret::new);
        Ok(http)
    }
}

fn parse_origins(raw: &str) -> Result<Vec<String>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            if is_web_address(o) {
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
