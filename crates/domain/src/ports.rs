//! Repository ports: what the rest of the server asks of storage. `find_*` answers an `Option`,
//! `get_*` answers NotFound. Panel and entry calls take the owner's id and treat another user's
//! panel as not found.

use crate::attempts::AttemptCount;
use crate::background::{
    JobRun, OutboxDepth, OutboxDraft, OutboxMessage, PoolStats, RouteStats, Timing,
};
use crate::entry::{DaySpan, Entry, HistoryCursor, Latest, Mark};
use crate::error::Result;
use crate::events::{Event, MustDeliver};
use crate::panel::{NewPanel, Panel, PanelChanges, PanelId};
use crate::tally::{PanelTally, SavedTally};
use crate::user::{Email, NewUser, PasswordHash, TimeZone, User, UserChanges, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Makes the outbox messages that announce a row once its id is known.
pub type Announce<T> = Box<dyn FnOnce(&T) -> Vec<OutboxDraft> + Send>;

#[async_trait]
pub trait UserRepository: Send + Sync + std::fmt::Debug {
    /// Conflict when the email is taken (case-insensitively). The messages `announce` makes
    /// for the new user are written to the outbox in the same transaction.
    async fn create(&self, user: NewUser, announce: Announce<User>) -> Result<User>;
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>>;
    async fn get_by_id(&self, id: UserId) -> Result<User>;
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>>;
    async fn list(&self) -> Result<Vec<User>>;
    /// The admins' emails: who alerts are mailed to.
    async fn admin_emails(&self) -> Result<Vec<String>>;
    async fn update(&self, id: UserId, changes: UserChanges) -> Result<User>;
    /// Deletes the user with their panels, entries and tokens; writes `outbox` in the same
    /// transaction.
    async fn delete(&self, id: UserId, outbox: Vec<OutboxDraft>) -> Result<()>;
    async fn record_login(&self, id: UserId, at: DateTime<Utc>) -> Result<()>;
    async fn record_activity(&self, id: UserId, at: DateTime<Utc>) -> Result<()>;
}

#[async_trait]
pub trait PanelRepository: Send + Sync + std::fmt::Debug {
    /// Inserts at the requested place (shifting later panels) or at the end, in one
    /// transaction; Conflict with [`crate::panel::TOO_MANY_PANELS`] past nine.
    async fn create(&self, user_id: UserId, panel: NewPanel, now: DateTime<Utc>) -> Result<Panel>;
    /// The user's panels in position order.
    async fn list(&self, user_id: UserId) -> Result<Vec<Panel>>;
    /// The user's panels in position order, each with the state of its latest entry in
    /// `from..until` (`None` without one), in one query.
    async fn list_with_latest(
        &self,
        user_id: UserId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<(Panel, Option<bool>)>>;
    async fn find(&self, user_id: UserId, id: PanelId) -> Result<Option<Panel>>;
    async fn get(&self, user_id: UserId, id: PanelId) -> Result<Panel>;
    /// Applies the changes; a move shifts the panels between the old and new place.
    async fn update(&self, user_id: UserId, id: PanelId, changes: PanelChanges) -> Result<Panel>;
    /// Deletes the panel with its entries and closes the gap in positions.
    /// Writes an import into the account in one transaction with its `outbox` messages:
    /// Invalid (nothing written) when it would leave more than nine panels.
    async fn import(
        &self,
        user_id: UserId,
        plan: crate::import::ImportPlan,
        outbox: Vec<OutboxDraft>,
    ) -> Result<()>;
    async fn delete(&self, user_id: UserId, id: PanelId) -> Result<()>;
}

#[async_trait]
pub trait EntryRepository: Send + Sync + std::fmt::Debug {
    async fn record(
        &self,
        user_id: UserId,
        panel_id: PanelId,
        mark: Mark,
        at: DateTime<Utc>,
    ) -> Result<Entry>;
    /// The latest entry of each span (latest by time, then by id), in the order given: one index
    /// read per span whatever the number of entries in it, a few hundred spans a statement. The
    /// spans' panels are ones the caller read for their owner: ownership is not checked again.
    async fn latest_in_spans(&self, spans: &[DaySpan]) -> Result<Vec<Option<Latest>>>;
    /// One page of the raw history, newest first, strictly older than `cursor`.
    async fn page(
        &self,
        user_id: UserId,
        panel_id: PanelId,
        cursor: Option<HistoryCursor>,
        limit: u64,
    ) -> Result<Vec<Entry>>;
    /// Empties the panel's history and sets its `created_at` to `now`, in one transaction.
    async fn clear(&self, user_id: UserId, panel_id: PanelId, now: DateTime<Utc>) -> Result<()>;
}

/// Tallies saved per panel and zone, so consistency and streaks read a few days, not all of them.
#[async_trait]
pub trait TallyRepository: Send + Sync + std::fmt::Debug {
    /// The user's panels in position order, each with its revision and its tally in `zone`.
    async fn panels_with_tallies(&self, user_id: UserId, zone: TimeZone)
    -> Result<Vec<PanelTally>>;
    /// Saves tallies for `zone`, each replacing the one its panel had there.
    async fn save(&self, zone: TimeZone, tallies: &[SavedTally]) -> Result<()>;
}

/// Revoked access tokens and password-reset tokens. Reset tokens are handled only as hashes.
#[async_trait]
pub trait TokenRepository: Send + Sync + std::fmt::Debug {
    /// Records a revoked access token by its id; revoking twice is fine.
    async fn revoke_access_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Whether this token id (or, for the old server's tokens, the whole token) was ever
    /// revoked and not yet purged; one indexed lookup.
    async fn is_revoked(&self, jti: &str) -> Result<bool>;
    /// Ids of tokens revoked at or after `since` that have not expired by `now`.
    async fn revoked_since(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<Vec<String>>;
    /// Stores a new reset token hash, invalidates the user's earlier ones and writes `outbox`
    /// (the mail with the link), in one transaction.
    async fn create_reset_token(
        &self,
        user_id: UserId,
        token_hash: &str,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        outbox: Vec<OutboxDraft>,
    ) -> Result<()>;
    /// Invalidates every outstanding reset token of the user.
    async fn invalidate_reset_tokens(&self, user_id: UserId, at: DateTime<Utc>) -> Result<()>;
    /// In one transaction: consumes the user's valid, unexpired token with this hash, sets the
    /// new password hash, kills every access token issued before `now` and every other reset
    /// token, and writes `outbox`. `false` (and nothing changed) when no such token exists.
    async fn complete_password_reset(
        &self,
        user_id: UserId,
        token_hash: &str,
        new_password_hash: &PasswordHash,
        now: DateTime<Utc>,
        outbox: Vec<OutboxDraft>,
    ) -> Result<bool>;
}

/// Must-deliver events waiting for the worker. Claims are leases taken by compare-and-set, so
/// two workers never hold the same message at once.
#[async_trait]
pub trait OutboxRepository: Send + Sync + std::fmt::Debug {
    /// Claims up to `limit` due messages for `runner` until `now + lease`.
    async fn claim_due(
        &self,
        runner: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<OutboxMessage>>;
    async fn mark_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()>;
    /// Records a failed attempt: retried at `retry_at`, or parked when it is `None`.
    async fn mark_failed(
        &self,
        id: i64,
        now: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// Pending and parked messages first, then the most recently delivered, up to `limit`.
    async fn list(&self, limit: u64) -> Result<Vec<OutboxMessage>>;
    /// Makes parked messages due again; answers how many.
    async fn retry_parked(&self, now: DateTime<Utc>) -> Result<u64>;
    /// Writes messages that announce no stored change of their own (an export's audit record).
    async fn write(&self, drafts: Vec<OutboxDraft>) -> Result<()>;
}

/// The job schedule and its run records.
#[async_trait]
pub trait JobRepository: Send + Sync + std::fmt::Debug {
    /// Makes sure the job has a schedule row (due at `first_run_at` when new).
    async fn ensure(&self, job: &str, first_run_at: DateTime<Utc>) -> Result<()>;
    /// Takes the job's due run for `runner` and moves its next run to `next_run_at`; `false`
    /// when it is not due or another runner took it first.
    async fn claim(
        &self,
        job: &str,
        runner: &str,
        now: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
    ) -> Result<bool>;
    async fn start_run(&self, job: &str, runner: &str, now: DateTime<Utc>) -> Result<i64>;
    async fn finish_run(
        &self,
        run_id: i64,
        now: DateTime<Utc>,
        ok: bool,
        rows_affected: Option<u64>,
        detail: Option<String>,
    ) -> Result<()>;
    async fn recent_runs(&self, job: Option<&str>, limit: u64) -> Result<Vec<JobRun>>;
    /// Deletes revocations of tokens that have expired anyway and invalidates expired reset
    /// tokens; answers the rows touched.
    async fn purge_expired_tokens(&self, now: DateTime<Utc>) -> Result<u64>;
    /// Deletes attempt windows that began before `before`; answers how many.
    async fn prune_attempts(&self, before: DateTime<Utc>) -> Result<u64>;
    /// Deletes outbox messages delivered before `before`, job runs finished before it and reset
    /// tokens that expired before it (waiting and parked messages stay); answers how many rows
    /// went.
    async fn prune_history(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// Attempts counted per key in fixed windows (sign-in failures, reset requests), shared by
/// every server process on the database.
#[async_trait]
pub trait AttemptRepository: Send + Sync + std::fmt::Debug {
    /// The stored windows of `keys` that began at or after `since`.
    async fn counts(&self, keys: &[&str], since: DateTime<Utc>) -> Result<Vec<AttemptCount>>;
    /// Counts one more attempt for each of `keys`; a window that began before `since` starts
    /// again at `now`.
    async fn add(&self, keys: &[&str], now: DateTime<Utc>, since: DateTime<Utc>) -> Result<()>;
    /// Forgets the attempts of `key`.
    async fn clear(&self, key: &str) -> Result<()>;
}

/// Route timings and statistics.
#[async_trait]
pub trait TimingRepository: Send + Sync + std::fmt::Debug {
    async fn insert_batch(&self, timings: &[Timing]) -> Result<()>;
    /// The route's latest `limit` readings (ms) with their times, newest first.
    async fn recent(&self, method_path: &str, limit: u64) -> Result<Vec<(f64, DateTime<Utc>)>>;
    async fn stats(&self, method_path: &str) -> Result<Option<RouteStats>>;
    /// Inserts or replaces the route's statistics.
    async fn save_stats(&self, stats: &RouteStats) -> Result<()>;
    async fn all_stats(&self) -> Result<Vec<RouteStats>>;
    /// Keeps the newest `keep_per_route` timings of each route; answers how many were deleted.
    async fn prune(&self, keep_per_route: u64) -> Result<u64>;
}

/// Each cause's alert state, shared by every server process: what makes an alert raised once
/// while it lasts, at most once per quiet time, and cleared once.
#[async_trait]
pub trait AlertRepository: Send + Sync + std::fmt::Debug {
    /// Marks `cause` raised at `now` unless it is raised already. When it was not, and no notice
    /// of it went out after `quiet_since`, writes `notices` in the same transaction. Answers
    /// whether it wrote them.
    async fn raise(
        &self,
        cause: &str,
        now: DateTime<Utc>,
        quiet_since: DateTime<Utc>,
        notices: Vec<OutboxDraft>,
    ) -> Result<bool>;
    /// Marks `cause` cleared if it is raised; writes `notices` in the same transaction when its
    /// raise was announced. Answers whether it wrote them.
    async fn clear(
        &self,
        cause: &str,
        now: DateTime<Utc>,
        notices: Vec<OutboxDraft>,
    ) -> Result<bool>;
}

/// Whether storage can serve: reachable, and its schema as new as this server.
#[async_trait]
pub trait Health: Send + Sync + std::fmt::Debug {
    /// Unavailable when the database does not answer; otherwise the migrations this server
    /// knows that are not applied yet.
    async fn pending_migrations(&self) -> Result<usize>;
    /// The connection pool now.
    fn pool(&self) -> PoolStats;
    /// The outbox messages not delivered yet.
    async fn outbox_depth(&self) -> Result<OutboxDepth>;
}

/// The event side, as the use cases see it.
#[async_trait]
pub trait Events: Send + Sync + std::fmt::Debug {
    /// Hands `event` to its handlers without waiting for them (telemetry may be dropped when
    /// the queue is full).
    async fn emit(&self, event: Event);
    /// The outbox row of a must-deliver event, tagged with the request being served; the caller
    /// writes it in the transaction of its change and calls [`Events::outbox_written`] after.
    fn draft(&self, event: &MustDeliver, at: DateTime<Utc>) -> OutboxDraft;
    /// Wakes the outbox relay once a commit has written outbox rows.
    fn outbox_written(&self);
}

/// Every port on one storage, as the composition root hands them out.
#[derive(Debug, Clone)]
pub struct Repositories {
    pub users: std::sync::Arc<dyn UserRepository>,
    pub panels: std::sync::Arc<dyn PanelRepository>,
    pub entries: std::sync::Arc<dyn EntryRepository>,
    pub tallies: std::sync::Arc<dyn TallyRepository>,
    pub tokens: std::sync::Arc<dyn TokenRepository>,
    pub attempts: std::sync::Arc<dyn AttemptRepository>,
    pub timings: std::sync::Arc<dyn TimingRepository>,
    pub alerts: std::sync::Arc<dyn AlertRepository>,
    pub outbox: std::sync::Arc<dyn OutboxRepository>,
    pub jobs: std::sync::Arc<dyn JobRepository>,
    pub health: std::sync::Arc<dyn Health>,
}
