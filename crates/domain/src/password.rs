//! Password hashing: Argon2id for new hashes, with one of OWASP's equivalent recommended
//! settings (9 MiB, 4 passes, 1 lane: the same strength as 19 MiB and 2 passes for half the
//! memory per sign-in), and verification of Argon2 (any parameters, read from the hash) and
//! legacy bcrypt (`$2b$`) hashes. CPU-heavy and synchronous: async callers run these on
//! dedicated threads.

use crate::error::{Error, Result};
use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

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

/// Memory (KiB), passes and lanes of new hashes.
pub const ARGON2_PARAMS: (u32, u32, u32) = (9216, 4, 1);

fn hasher() -> Result<Argon2<'static>> {
    let (m, t, p) = ARGON2_PARAMS;
    let params = Params::new(m, t, p, None)
        .map_err(|e| Error::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A new Argon2id hash in PHC form, with a fresh salt.
pub fn hash(password: &str) -> Result<String> {
    hasher()?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_hashes_are_argon2id_with_the_chosen_parameters() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{h}");
        assert!(verify("correct horse", &h).matches);
    }

    #[test]
    fn hashes_with_other_parameters_still_verify() {
        let owasp_first_choice = Argon2::default().hash_password(b"old").unwrap().to_string();
        assert!(owasp_first_choice.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify("old", &owasp_first_choice),
            Verified {
                matches: true,
                needs_rehash: false
            }
        );
    }
}
