//! Revoked access tokens, kept in memory in step with the `blacklisted_access_tokens` table:
//! checking a token costs no database round trip. A revocation made here is seen at once;
//! one made by another process sharing the database is read within `REVOCATION_SYNC_SECS`.

use super::tokens::Claims;
use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::expiring::ExpiringMap;
use ninepanels_domain::ports::TokenRepository;
use std::sync::{Arc, Mutex};

/// Rows are re-read with this much overlap, so a revocation committed late by another process
/// (its `blacklisted_at` a little in the past) is not missed.
const SYNC_OVERLAP: Duration = Duration::seconds(60);

#[derive(Debug)]
pub struct RevocationList {
    tokens: Arc<dyn TokenRepository>,
    clock: Arc<dyn Clock>,
    /// Revoked token ids, each until the token would have expired anyway; never forgotten
    /// earlier.
    revoked: ExpiringMap<String, (), DateTime<Utc>>,
    last_sync: Mutex<Option<DateTime<Utc>>>,
    token_lifetime: Duration,
}

impl RevocationList {
    pub fn new(
        tokens: Arc<dyn TokenRepository>,
        clock: Arc<dyn Clock>,
        token_lifetime: Duration,
    ) -> Self {
        Self {
            tokens,
            clock,
            revoked: ExpiringMap::unbounded(),
            last_sync: Mutex::new(None),
            token_lifetime,
        }
    }

    pub fn is_revoked(&self, jti: &str) -> bool {
        self.revoked.contains(jti, self.clock.now())
    }

    /// Revokes the token in the database and here.
    pub async fn revoke(&self, claims: &Claims) -> Result<()> {
        let now = self.clock.now();
        self.tokens
            .revoke_access_token(&claims.jti, claims.expires_at(), now)
            .await?;
        self.revoked
            .insert(claims.jti.clone(), (), claims.expires_at(), now);
        Ok(())
    }

    /// Reads revocations made since the last sync (all live ones the first time) and forgets
    /// those that have expired.
    pub async fn sync(&self) -> Result<()> {
        let now = self.clock.now();
        let last = *self.last_sync.lock().unwrap_or_else(|p| p.into_inner());
        let since = last.map_or(now - self.token_lifetime, |t| t - SYNC_OVERLAP);
        let fresh = self.tokens.revoked_since(since, now).await?;
        for jti in fresh {
            // The row's own expiry is not read back: the longest lifetime is kept instead.
            self.revoked
                .insert_if_vacant(jti, (), now + self.token_lifetime, now);
        }
        self.revoked.purge(now);
        *self.last_sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
        Ok(())
    }

    /// Keeps the list in step every `every` until the returned task is aborted.
    pub fn spawn_sync(self: Arc<Self>, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = self.sync().await {
                    tracing::warn!(kind = ?e.kind, context = %e.context_msg, "revocation sync failed; retrying");
                }
            }
        })
    }
}
