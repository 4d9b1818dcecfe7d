//! Connections kept between hot statements: a connection that ran a statement to its end goes
//! to the next hot statement as it is, skipping the ping sqlx sends on every return to its pool
//! (a round trip to PostgreSQL, a wake-up of SQLite's worker thread). At most half the pool is
//! kept, and a connection no statement takes within [`KEEP_FOR`] goes back to the pool.

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Connection, Database, Pool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a kept connection waits for the next hot statement before it goes back to the pool
/// (and from there to any other query, transactions included).
pub const KEEP_FOR: Duration = Duration::from_millis(10);

/// The connections kept for one pool.
pub struct Kept<DB: Database> {
    pool: Pool<DB>,
    held: Mutex<Vec<(PoolConnection<DB>, Instant)>>,
    capacity: usize,
    sweeping: AtomicBool,
    /// Wakes a hot statement waiting for the pool when a connection is kept instead.
    kept_one: Notify,
}

impl<DB: Database> std::fmt::Debug for Kept<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("held", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl<DB: Database> Kept<DB> {
    /// Keeps at most half of `pool` (at least one connection).
    pub fn new(pool: Pool<DB>) -> Arc<Self> {
        let capacity = (pool.options().get_max_connections() as usize / 2).max(1);
        Arc::new(Self {
            pool,
            held: Mutex::new(Vec::with_capacity(capacity)),
            capacity,
            sweeping: AtomicBool::new(false),
            kept_one: Notify::new(),
        })
    }

    /// How many connections are kept now.
    pub fn len(&self) -> usize {
        self.held().len()
    }

    /// How many connections may be kept at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn held(&self) -> MutexGuard<'_, Vec<(PoolConnection<DB>, Instant)>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `statement` on a kept connection, or else on one from the pool. The connection is kept
    /// only when the statement succeeded outside any transaction; after an error, or when the
    /// request is dropped halfway, it goes back to the pool, which checks it as always.
    pub async fn run<T>(
        self: &Arc<Self>,
        statement: impl AsyncFnOnce(&mut DB::Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut connection = self.take().await?;
        let result = statement(&mut connection).await;
        if result.is_ok() {
            self.keep(connection);
        }
        result
    }

    /// A kept connection, or one from the pool, whichever comes first: a statement waiting for
    /// the pool would otherwise wait while others keep theirs. The wait for the pool keeps its
    /// place in the pool's queue, and its `acquire_timeout`, while kept connections come and go.
    async fn take(&self) -> Result<PoolConnection<DB>, sqlx::Error> {
        let kept = self.held().pop();
        if let Some((connection, _)) = kept {
            return Ok(connection);
        }
        let acquire = self.pool.acquire();
        tokio::pin!(acquire);
        loop {
            let notified = self.kept_one.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let kept = self.held().pop();
            if let Some((connection, _)) = kept {
                return Ok(connection);
            }
            tokio::select! {
                acquired = &mut acquire => return acquired,
                () = &mut notified => {}
            }
        }
    }

    fn keep(self: &Arc<Self>, connection: PoolConnection<DB>) {
        if connection.is_in_transaction() {
            return;
        }
        let refused = {
            let mut held = self.held();
            if held.len() < self.capacity {
                held.push((connection, Instant::now()));
                None
            } else {
                Some(connection)
            }
        };
        if refused.is_none() {
            self.kept_one.notify_one();
        }
        drop(refused);
        if !self.sweeping.swap(true, Ordering::AcqRel) {
            tokio::spawn(sweep(Arc::downgrade(self)));
        }
    }

    /// Gives back the connections kept for `age` or longer; whether any are still kept.
    fn release_idle(&self, age: Duration) -> bool {
        let (idle, still_kept) = {
            let mut held = self.held();
            let (idle, young): (Vec<_>, Vec<_>) = held
                .drain(..)
                .partition(|(_, since)| since.elapsed() >= age);
            *held = young;
            (idle, !held.is_empty())
        };
        drop(idle);
        still_kept
    }
}

/// Gives idle connections back every [`KEEP_FOR`] while any are kept.
async fn sweep<DB: Database>(kept: Weak<Kept<DB>>) {
    loop {
        tokio::time::sleep(KEEP_FOR).await;
        let Some(kept) = kept.upgrade() else {
            return;
        };
        if kept.release_idle(KEEP_FOR) {
            continue;
        }
        kept.sweeping.store(false, Ordering::Release);
        // A connection kept between the check and the store found this sweeper still running.
        if kept.is_empty() || kept.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
    }
}
