//! Accounts and tokens: `JWT_SECRET`, `LEGACY_JWT_SECRET`, token and reset lifetimes, sign-in
//! limits, revocation sync, the user cache, password hashing threads, the default time zone.

use super::ConfigError;
use super::environment::Environment;
use super::secret::Secret;
use super::vars::Vars;
use crate::user::TimeZone;

/// How people sign in and how long what they are given lasts.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `JWT_SECRET`: generated per process outside MAIN/STAGING; required there, >= 32 bytes.
    pub jwt_secret: Secret,
    /// `LEGACY_JWT_SECRET`: the old server's; its tokens (`sub` = email, no `jti`) pass until
    /// they expire.
    pub legacy_jwt_secret: Option<Secret>,
    /// `ACCESS_TOKEN_EXPIRE_MINUTES` (43200, 30 days).
    pub access_token_expire_minutes: i64,
    /// `PASSWORD_RESET_EXPIRE_MINUTES` (15).
    pub password_reset_expire_minutes: i64,
    pub rate_limits: RateLimits,
    /// `REVOCATION_SYNC_SECS` (2): how often revocations made by other processes are read.
    pub revocation_sync_secs: u64,
    /// `USER_CACHE_SECS` (2): how long a signed-in user's row is reused; 0 reads it every time.
    pub user_cache_secs: u64,
    /// `PASSWORD_HASH_THREADS` (1): sign-ins hashed at once; each takes 9 MiB while it runs.
    pub password_hash_threads: usize,
    /// `DEFAULT_TIME_ZONE` (`Europe/London`): the zone of an account that names none.
    pub default_time_zone: TimeZone,
}

/// The longest `RATE_LIMIT_WINDOW_SECS`: windows that began before this are over, whatever it is.
pub const MAX_RATE_LIMIT_WINDOW_SECS: u64 = 86_400;

/// Sign-in and reset-request attempts allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `RATE_LIMIT_WINDOW_SECS` (60).
    pub window_secs: u64,
    /// `RATE_LIMIT_PER_EMAIL` (5).
    pub per_email: u32,
    /// `RATE_LIMIT_PER_ADDRESS` (20).
    pub per_address: u32,
}

/// The JWT secret must be at least this long where real data lives.
pub const MIN_SECRET_BYTES: usize = 32;

/// The placeholder `.env.example` carries.
pub(super) const EXAMPLE_SECRET: &str = "replace-with-the-output-of-openssl-rand-hex-32";

const LEGACY_TOKENS_NOTICE: &str = "LEGACY_JWT_SECRET is set: the old server's tokens are accepted until they expire (a password reset ends them); unset it once they have.";
pub(super) const GENERATED_SECRET_WARNING: &str = "JWT_SECRET is not set: using a secret generated for this process only; every token dies at restart. Set JWT_SECRET for anything but local development.";

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

fn generated_secret() -> Secret {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

impl Default for AuthConfig {
    /// Local development: a secret generated for this process.
    fn default() -> Self {
        Self {
            jwt_secret: generated_secret(),
            legacy_jwt_secret: None,
            access_token_expire_minutes: 30 * 24 * 60,
            password_reset_expire_minutes: 15,
            rate_limits: RateLimits {
                window_secs: 60,
                per_email: 5,
                per_address: 20,
            },
            revocation_sync_secs: 2,
            user_cache_secs: 2,
            password_hash_threads: 1,
            default_time_zone: TimeZone::parse("Europe/London").expect("a known zone"),
        }
    }
}

impl AuthConfig {
    pub(super) fn read(
        vars: &Vars<'_>,
        env: Environment,
        warnings: &mut Vec<String>,
    ) -> Result<Self, ConfigError> {
        let mut auth = Self {
            jwt_secret: jwt_secret(vars, env, warnings)?,
            ..Self::default()
        };
        if let Some(legacy) = vars.get("LEGACY_JWT_SECRET") {
            if legacy == auth.jwt_secret.expose() {
                return Err(ConfigError::new(
                    "LEGACY_JWT_SECRET",
                    "must differ from JWT_SECRET (it is the old server's secret)",
                ));
            }
            auth.legacy_jwt_secret = Some(Secret::new(legacy));
            warnings.push(LEGACY_TOKENS_NOTICE.to_owned());
        }
        let minutes = &mut auth.access_token_expire_minutes;
        vars.set_number(minutes, "ACCESS_TOKEN_EXPIRE_MINUTES", 1, 366 * 24 * 60)?;
        let minutes = &mut auth.password_reset_expire_minutes;
        vars.set_number(minutes, "PASSWORD_RESET_EXPIRE_MINUTES", 1, 24 * 60)?;
        let limits = &mut auth.rate_limits;
        let window = &mut limits.window_secs;
        vars.set_number(
            window,
            "RATE_LIMIT_WINDOW_SECS",
            1,
            MAX_RATE_LIMIT_WINDOW_SECS,
        )?;
        vars.set_number(&mut limits.per_email, "RATE_LIMIT_PER_EMAIL", 1, 1_000_000)?;
        vars.set_number(
            &mut limits.per_address,
            "RATE_LIMIT_PER_ADDRESS",
            1,
            1_000_000,
        )?;
        vars.set_number(
            &mut auth.revocation_sync_secs,
            "REVOCATION_SYNC_SECS",
            1,
            60,
        )?;
        vars.set_number(&mut auth.user_cache_secs, "USER_CACHE_SECS", 0, 60)?;
        vars.set_number(
            &mut auth.password_hash_threads,
            "PASSWORD_HASH_THREADS",
            1,
            64,
        )?;
        if let Some(v) = vars.get("DEFAULT_TIME_ZONE") {
            auth.default_time_zone = TimeZone::parse(&v).map_err(|_| {
                ConfigError::new(
                    "DEFAULT_TIME_ZONE",
                    format!("'{v}' is not an IANA time zone name"),
                )
            })?;
        }
        Ok(auth)
    }
}

/// `JWT_SECRET`: where real data lives it must be set, long and not a placeholder; elsewhere a
/// missing one is generated and a short one is only a warning.
fn jwt_secret(
    vars: &Vars<'_>,
    env: Environment,
    warnings: &mut Vec<String>,
) -> Result<Secret, ConfigError> {
    let refuse = |why: String| {
        Err(ConfigError::new(
            "JWT_SECRET",
            format!("{why} in {env} (generate one with: openssl rand -hex 32)"),
        ))
    };
    match vars.get("JWT_SECRET") {
        Some(secret) if env.is_deployed() => {
            if let Some(why) = weak_secret(&secret) {
                refuse(why.to_owned())
            } else if secret.len() < MIN_SECRET_BYTES {
                refuse(format!("must be at least {MIN_SECRET_BYTES} bytes"))
            } else {
                Ok(Secret::new(secret))
            }
        }
        None if env.is_deployed() => refuse("is required".to_owned()),
        Some(secret) => {
            if secret.len() < MIN_SECRET_BYTES {
                warnings.push(format!(
                    "JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes; MAIN and STAGING would refuse it"
                ));
            }
            Ok(Secret::new(secret))
        }
        None => {
            warnings.push(GENERATED_SECRET_WARNING.to_owned());
            Ok(generated_secret())
        }
    }
}
