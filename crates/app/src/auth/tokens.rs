//! Access tokens: HS256 JWTs carrying the user id (`sub`), a unique id (`jti`), the issue time
//! (`iat`, and `iat_ms` for sub-second comparisons) and the expiry; with `LEGACY_JWT_SECRET`,
//! also the old server's (`sub` = email and `exp` only). Times are checked against the server's
//! clock, not the library's, so tests can move time.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use ninepanels_domain::expiring::ExpiringMap;
use ninepanels_domain::user::UserId;
use ninepanels_domain::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// The issue time in milliseconds; tokens issued before a password reset are dead.
    #[serde(default)]
    pub iat_ms: i64,
    /// Signed by the old server: `sub` is an email, `jti` the whole token (the old server
    /// revoked tokens by storing them whole), and the issue time unknown.
    #[serde(skip)]
    pub legacy: bool,
}

/// A token of the old server, as it signed them.
#[derive(Deserialize)]
struct LegacyClaims {
    sub: String,
    exp: i64,
}

impl Claims {
    /// The user a token of ours names; `None` for the old server's tokens.
    pub fn user_id(&self) -> Option<UserId> {
        if self.legacy {
            return None;
        }
        self.sub.parse().ok()
    }

    /// The email an old server's token names.
    pub fn legacy_email(&self) -> Option<&str> {
        (self.legacy && self.sub.contains('@')).then_some(self.sub.as_str())
    }

    pub fn issued_at(&self) -> DateTime<Utc> {
        let ms = if self.iat_ms > 0 {
            self.iat_ms
        } else {
            self.iat * 1000
        };
        Utc.timestamp_millis_opt(ms)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.exp, 0)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: Duration,
    /// The old server's key, while its tokens are still honoured.
    legacy: Option<(DecodingKey, Validation)>,
    /// Tokens whose signature checked out, until they expire, so a client's every request does
    /// not decode and verify the same token again.
    verified: ExpiringMap<Box<str>, Claims, DateTime<Utc>>,
}

/// How many verified tokens are remembered at most.
const VERIFIED_CAPACITY: usize = 4096;

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(secret: &str, lifetime: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the server's Clock in `verify`.
        validation.validate_exp = false;
        validation.required_spec_claims = ["sub", "exp", "iat", "jti"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            legacy: None,
            lifetime,
            verified: ExpiringMap::new(VERIFIED_CAPACITY),
        }
    }

    /// Also accepts the old server's HS256 tokens signed with `secret` until they expire.
    pub fn accepting_legacy(mut self, secret: Option<&str>) -> Self {
        self.legacy = secret.map(|secret| {
            let mut validation = Validation::new(Algorithm::HS256);
            validation.validate_exp = false;
            validation.required_spec_claims =
                ["sub", "exp"].into_iter().map(str::to_owned).collect();
            (DecodingKey::from_secret(secret.as_bytes()), validation)
        });
        self
    }

    /// A new signed token for the user, issued now.
    pub fn issue(&self, user_id: UserId, now: DateTime<Utc>) -> Result<(String, Claims)> {
        let claims = Claims {
            sub: user_id.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now.timestamp(),
            iat_ms: now.timestamp_millis(),
            exp: (now + self.lifetime).timestamp(),
            legacy: false,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::internal(format!("signing token: {e}")))?;
        Ok((token, claims))
    }

    /// The claims of a token this server signed with HS256 and that has not expired.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let claims = match self.verified.get(token, now) {
            Some(claims) => claims,
            None => {
                let claims = self.decode(token)?;
                if claims.expires_at() > now {
                    let until = claims.expires_at();
                    self.verified
                        .insert(token.into(), claims.clone(), until, now);
                }
                claims
            }
        };
        let names_someone = claims.user_id().is_some() || claims.legacy_email().is_some();
        (claims.exp > now.timestamp() && names_someone).then_some(claims)
    }

    fn decode(&self, token: &str) -> Option<Claims> {
        if let Ok(ours) = decode::<Claims>(token, &self.decoding, &self.validation) {
            return Some(ours.claims);
        }
        let (key, validation) = self.legacy.as_ref()?;
        let old = decode::<LegacyClaims>(token, key, validation).ok()?.claims;
        Some(Claims {
            sub: old.sub,
            jti: token.to_owned(),
            iat: 0,
            iat_ms: 0,
            exp: old.exp,
            legacy: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> TokenKeys {
        TokenKeys::new("a-test-secret-that-is-long-enough!!", Duration::days(30))
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap()
    }

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let (token, claims) = keys().issue(42, now()).unwrap();
        assert_eq!(keys().verify(&token, now()).unwrap(), claims);
        assert_eq!(claims.user_id(), Some(42));
        assert!(keys().verify(&token, now() + Duration::days(30)).is_none());
    }

    #[test]
    fn another_secret_or_no_signature_is_rejected() {
        let (token, _) = keys().issue(42, now()).unwrap();
        let other = TokenKeys::new("another-secret-that-is-long-enough!", Duration::days(30));
        assert!(other.verify(&token, now()).is_none());

        let payload = token.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{header}.{payload}."), now())
                .is_none()
        );
        let hs512 = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{hs512}.{payload}.AAAA"), now())
                .is_none()
        );
        assert!(keys().verify("not-a-token", now()).is_none());
    }

    #[test]
    fn a_remembered_token_still_expires_and_altered_copies_do_not_pass() {
        let keys = keys();
        let (token, claims) = keys.issue(42, now()).unwrap();
        assert_eq!(keys.verify(&token, now()), Some(claims.clone()));
        assert_eq!(keys.verify(&token, now()), Some(claims), "from memory");
        assert!(keys.verify(&token, now() + Duration::days(30)).is_none());
        let at = token.len() - 10;
        let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
        let altered = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert!(keys.verify(&altered, now()).is_none());
    }

    fn old_server_token(secret: &str, claims: serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn old_server_tokens_pass_only_with_its_secret_and_until_they_expire() {
        let old_secret = "the-old-servers-secret";
        let exp = (now() + Duration::days(3)).timestamp();
        let token = old_server_token(
            old_secret,
            serde_json::json!({"sub": "ada@example.org", "exp": exp}),
        );
        assert!(keys().verify(&token, now()).is_none(), "off by default");
        let keys = keys().accepting_legacy(Some(old_secret));
        let claims = keys.verify(&token, now()).unwrap();
        assert_eq!(claims.legacy_email(), Some("ada@example.org"));
        assert_eq!(claims.user_id(), None);
        assert_eq!(claims.jti, token, "revoked as the old server did: whole");
        assert_eq!(
            claims.issued_at(),
            DateTime::UNIX_EPOCH,
            "any reset ends it"
        );
        assert!(keys.verify(&token, now() + Duration::days(3)).is_none());

        let forged = old_server_token(
            "another-secret",
            serde_json::json!({"sub": "ada@example.org", "exp": exp}),
        );
        assert!(keys.verify(&forged, now()).is_none());
        let by_id = old_server_token(old_secret, serde_json::json!({"sub": "42", "exp": exp}));
        assert!(
            keys.verify(&by_id, now()).is_none(),
            "old tokens name an email"
        );
        let endless = old_server_token(old_secret, serde_json::json!({"sub": "ada@example.org"}));
        assert!(keys.verify(&endless, now()).is_none());
        let (ours, _) = keys.issue(42, now()).unwrap();
        assert_eq!(keys.verify(&ours, now()).unwrap().user_id(), Some(42));
    }

    #[test]
    fn the_memory_of_verified_tokens_stays_bounded() {
        let keys = keys();
        for user in 0..VERIFIED_CAPACITY as i32 + 10 {
            let (token, _) = keys.issue(user, now()).unwrap();
            assert!(keys.verify(&token, now()).is_some());
        }
        assert!(keys.verified.len() <= VERIFIED_CAPACITY);
    }
}
