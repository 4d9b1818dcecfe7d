//! Password hashing and verification (`ninepanels_domain::password`) on a few dedicated threads,
//! so sign-ins neither stall the async workers nor pile up memory: each Argon2 hash takes
//! 9 MiB, and keeping it to the same few threads keeps the allocator from holding one such
//! block per blocking thread.

use ninepanels_domain::password::{self, Verified};
use ninepanels_domain::user::{Password, PasswordHash};
use ninepanels_domain::{Error, Result};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug, Clone)]
pub struct Passwords {
    jobs: mpsc::Sender<Job>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new(2)
    }
}

/// A hash nobody's password matches, verified against when the email is unknown so that the
/// answer takes as long as for a real account.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| password::hash(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

impl Passwords {
    /// `threads` hashing threads; they end when the last clone of this is dropped.
    pub fn new(threads: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
            }))
            .map_err(|_| Error::internal("password hashing threads are gone"))?;
        result
            .await
            .map_err(|_| Error::internal("a password hashing job was lost"))
    }

    pub async fn hash(&self, password: &Password) -> Result<PasswordHash> {
        let password = password.expose().to_owned();
        self.run(move || password::hash(&password))
            .await?
            .map(PasswordHash::new)
    }

    pub async fn verify(&self, password: &str, stored: &PasswordHash) -> Result<Verified> {
        let password = password.to_owned();
        let stored = stored.as_str().to_owned();
        self.run(move || password::verify(&password, &stored)).await
    }

    /// Spends the time of one verification without an account behind it.
    pub async fn verify_decoy(&self, password: &str) -> Result<()> {
        let password = password.to_owned();
        self.run(move || {
            password::verify(&password, decoy_hash());
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_round_trip() {
        let passwords = Passwords::default();
        let hash = passwords
            .hash(&Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=9216,t=4,p=1$"));
        let ok = passwords.verify("correct horse", &hash).await.unwrap();
        assert_eq!(
            ok,
            Verified {
                matches: true,
                needs_rehash: false
            }
        );
        assert!(
            !passwords
                .verify("wrong horse", &hash)
                .await
                .unwrap()
                .matches
        );
    }

    #[tokio::test]
    async fn legacy_bcrypt_verifies_and_asks_for_a_rehash() {
        let legacy = bcrypt::hash_with_salt("old password", 12, [7u8; 16])
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        assert!(legacy.starts_with("$2b$12$"));
        let passwords = Passwords::default();
        let verified = passwords
            .verify("old password", &PasswordHash::new(legacy.clone()))
            .await
            .unwrap();
        assert_eq!(
            verified,
            Verified {
                matches: true,
                needs_rehash: true
            }
        );
        let wrong = passwords
            .verify("not it", &PasswordHash::new(legacy))
            .await
            .unwrap();
        assert!(!wrong.matches && !wrong.needs_rehash);
    }

    #[tokio::test]
    async fn garbage_hashes_never_match() {
        let passwords = Passwords::default();
        for stored in ["", "plain", "$2b$12$short", "$argon2id$nonsense"] {
            let v = passwords
                .verify("anything", &PasswordHash::new(stored))
                .await
                .unwrap();
            assert!(!v.matches, "{stored}");
        }
        passwords.verify_decoy("anything").await.unwrap();
    }
}
