//! Password hashing: Argon2id with OWASP parameters (19 MiB, 2 passes, 1 lane) for new hashes,
//! and verification of Argon2 and legacy bcrypt (`$2b$`) hashes. CPU-heavy and synchronous:
//! async callers run these on blocking threads.

use crate::error::{Error, Result};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The hash is in an old form (bcrypt) and should be replaced by an Argon2id one.
    pub needs_rehash: bool,
}

fn is_bcrypt(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p))
}

/// A new Argon2id hash in PHC form, with a fresh salt.
pub fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("argon2 hashing failed: {e}")))
}

/// Checks a password against an Argon2 or bcrypt hash; anything else never matches.
pub fn verify(password: &str, stored: &str) -> Verified {
    if is_bcrypt(stored) {
        let matches = bcrypt::verify(password, stored).unwrap_or(false);
        return Verified {
            matches,
            needs_rehash: matches,
        };
    }
    let matches = PhcHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    Verified {
        matches,
        needs_rehash: false,
    }
}
