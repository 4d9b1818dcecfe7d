//! Password hashing and verification (`ninepanels_domain::password`) on a few dedicated threads,
//! so sign-ins neither stall the async workers nor pile up memory: each Argon2 hash takes
//! 9 MiB, and keeping it to the same few threads keeps the allocator from holding one such
//! block per blocking thread.

use ninepanels_domain::password::{self, Verified};
use ninepanels_domain::user::{Password, PasswordHash};
use ninepanels_domain::{Error, ErrorKind, Result};
use std::sync::mpsc::{self, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Jobs that may wait for each hashing thread: at about 20 ms a hash, under a second of work.
/// Beyond it a sign-in is refused at once (503) rather than queued without bound.
const WAITING_PER_THREAD: usize = 32;

/// What a request is told when every place in the queue is taken.
const BUSY: &str = "Too many sign-ins at once; please try again in a moment.";

#[derive(Debug, Clone)]
pub struct Passwords {
    jobs: mpsc::SyncSender<Job>,
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
        Self::with_queue(threads, WAITING_PER_THREAD * threads.max(1))
    }

    fn with_queue(threads: usize, waiting: usize) -> Self {
        let (jobs, queue) = mpsc::sync_channel::<Job>(waiting);
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

    /// Queues `work`; its answer arrives on the receiver. Work whose request has gone (the
    /// client hung up, the request timed out) by its turn is skipped, not hashed.
    fn submit<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            if !done.is_closed() {
                let _ = done.send(work());
            }
        });
        match self.jobs.try_send(job) {
            Ok(()) => Ok(result),
            Err(TrySendError::Full(_)) => Err(Error::new(ErrorKind::Unavailable, BUSY)
                .with_context("every place in the password hashing queue is taken")),
            Err(TrySendError::Disconnected(_)) => {
                Err(Error::internal("password hashing threads are gone"))
            }
        }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        self.submit(work)?
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

    /// One thread held by a job that waits for `release`, and a queue of `waiting` places.
    fn held(waiting: usize) -> (Passwords, std::sync::mpsc::Sender<()>) {
        let passwords = Passwords::with_queue(1, waiting);
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let holder = passwords
            .submit(move || {
                let _ = started.send(());
                let _ = held.recv();
            })
            .unwrap();
        running.recv().unwrap();
        drop(holder);
        (passwords, release)
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_takes_work_again_once_it_moves() {
        let (passwords, release) = held(2);
        let queued: Vec<_> = (0..2)
            .map(|n| passwords.submit(move || n).unwrap())
            .collect();
        let refused = passwords.submit(|| 99).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Unavailable);
        assert_eq!(refused.detail, BUSY);
        release.send(()).unwrap();
        for (n, answer) in queued.into_iter().enumerate() {
            assert_eq!(answer.await.unwrap(), n);
        }
        assert_eq!(passwords.run(|| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn work_whose_request_has_gone_is_skipped() {
        let (passwords, release) = held(4);
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let marker = ran.clone();
        let abandoned = passwords
            .submit(move || marker.store(true, std::sync::atomic::Ordering::SeqCst))
            .unwrap();
        drop(abandoned);
        let after = passwords.submit(|| "after").unwrap();
        release.send(()).unwrap();
        assert_eq!(after.await.unwrap(), "after");
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
    }
}
