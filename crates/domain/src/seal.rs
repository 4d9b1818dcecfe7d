//! Secrets inside stored events (the link of a pending reset mail) are sealed with a key derived
//! from the server's secret, so whoever reads the outbox table or a backup gets no usable link.

use crate::config::Secret;
use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const VERSION: &str = "v1:";

/// A value sealed by a [`Sealer`]: `v1:` and the base64 of a nonce and the ciphertext.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(String);

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sealed")
    }
}

/// Seals and opens with ChaCha20-Poly1305 under a key derived from the server's secret; every
/// process on the database shares that secret, so any of them opens what another sealed.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    pub fn new(secret: &Secret) -> Self {
        let key = Sha256::new()
            .chain_update(b"ninepanels outbox seal v1\0")
            .chain_update(secret.expose().as_bytes())
            .finalize();
        Self {
            cipher: ChaCha20Poly1305::new(&key),
        }
    }

    pub fn seal(&self, plain: &str) -> Sealed {
        use rand::Rng;
        let nonce: [u8; 12] = rand::rng().random();
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(&Nonce::from(nonce), plain.as_bytes())
                .expect("ChaCha20-Poly1305 seals any message of this size"),
        );
        Sealed(format!("{VERSION}{}", STANDARD_NO_PAD.encode(out)))
    }

    /// The sealed value; an error when it was sealed under another secret or changed since.
    pub fn open(&self, sealed: &Sealed) -> Result<Secret> {
        let refused = |why: &str| {
            Error::internal(format!(
                "a sealed value cannot be opened: {why} (was JWT_SECRET changed since it was sealed?)"
            ))
        };
        let bytes = sealed
            .0
            .strip_prefix(VERSION)
            .and_then(|b64| STANDARD_NO_PAD.decode(b64).ok())
            .filter(|bytes| bytes.len() > 12)
            .ok_or_else(|| refused("not a sealed value"))?;
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| refused("too short"))?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), ciphertext)
            .map_err(|_| refused("its key or its content differs"))?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| refused("not text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://app.example.org/password_reset?password_reset_token=abc123";

    #[test]
    fn a_sealed_link_opens_only_under_its_secret() {
        let sealer = Sealer::new(&Secret::new("one secret of enough length"));
        let sealed = sealer.seal(LINK);
        let stored = serde_json::to_string(&sealed).unwrap();
        assert!(!stored.contains("abc123") && !stored.contains("password_reset"));
        let back: Sealed = serde_json::from_str(&stored).unwrap();
        assert_eq!(sealer.open(&back).unwrap().expose(), LINK);
        let other = Sealer::new(&Secret::new("another secret of enough length"));
        assert!(other.open(&back).is_err());
        assert_ne!(sealer.seal(LINK), sealed, "each seal has its own nonce");
        assert!(sealer.open(&Sealed("v1:AAAA".into())).is_err());
        assert_eq!(format!("{sealed:?}"), "sealed");
    }
}
