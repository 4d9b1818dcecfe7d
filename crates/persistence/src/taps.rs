//! Taps committed together: the taps that arrive while one statement of taps runs go into the
//! next, so concurrent taps share one statement and one commit (and on SQLite one turn of the
//! writer lock) instead of each waiting for a commit of its own.

use crate::error::DbResultExt;
use crate::sql::{Hot, POSTGRES_STATEMENT_BYTES, fetch, statements};
use chrono::NaiveDateTime;
use ninepanels_domain::panel::PanelId;
use ninepanels_domain::user::UserId;
use ninepanels_domain::{Error, ErrorKind, Result};
use sea_orm::DatabaseBackend;
use sea_orm::sqlx::{self, AssertSqlSafe};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::oneshot;

/// The most taps in one statement.
const MOST_PER_STATEMENT: usize = 128;

/// A tap's parameter bytes on PostgreSQL: two booleans, a timestamp and two ids, each with a
/// 4-byte length.
const TAP_BYTES: usize = 5 + 5 + 12 + 8 + 8;
const _: () = assert!(MOST_PER_STATEMENT * TAP_BYTES <= POSTGRES_STATEMENT_BYTES);

/// One tap to write: the panel marked at a time, if the user owns it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tap {
    pub user_id: UserId,
    pub panel_id: PanelId,
    pub is_complete: bool,
    pub is_skip: bool,
    pub timestamp: NaiveDateTime,
}

/// A tap's outcome once its statement has committed: the new entry's id, or `None` when its user
/// has no such panel.
type Outcome = Result<Option<i32>>;

struct Queued {
    tap: Tap,
    answer: oneshot::Sender<Outcome>,
}

/// How the taps of one repository are going, for tests and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TapQueue {
    /// Taps waiting for the next statement.
    pub waiting: usize,
    /// Taps in the statement running now.
    pub writing: usize,
    /// Statements of taps written so far (committed or not).
    pub statements: u64,
}

#[derive(Default)]
struct Counts {
    writing: AtomicUsize,
    statements: AtomicU64,
}

/// The taps on one database, written by one task (started with the first tap) in statements of
/// up to [`MOST_PER_STATEMENT`], each tap answered once its statement has committed.
pub(crate) struct Taps {
    hot: Hot,
    queue: OnceLock<async_channel::Sender<Queued>>,
    counts: Arc<Counts>,
}

impl std::fmt::Debug for Taps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Taps")
            .field("queue", &self.queue())
            .finish()
    }
}

impl Taps {
    pub fn new(hot: Hot) -> Self {
        Self {
            hot,
            queue: OnceLock::new(),
            counts: Arc::default(),
        }
    }

    pub fn queue(&self) -> TapQueue {
        TapQueue {
            waiting: self.queue.get().map_or(0, async_channel::Sender::len),
            writing: self.counts.writing.load(Ordering::Relaxed),
            statements: self.counts.statements.load(Ordering::Relaxed),
        }
    }

    /// Writes `tap` with the taps around it; answers once the statement has committed.
    pub async fn commit(&self, tap: Tap) -> Outcome {
        let queue = self.queue.get_or_init(|| self.start());
        let (answer, outcome) = oneshot::channel();
        if let Err(closed) = queue.try_send(Queued { tap, answer }) {
            // The writing task ended with the runtime that ran it: this tap goes alone.
            let tap = closed.into_inner().tap;
            return write_one(&self.hot, &tap, &self.counts).await;
        }
        outcome.await.unwrap_or_else(|_| {
            Err(unavailable(
                "the statement writing the tap ended without an answer",
            ))
        })
    }

    fn start(&self) -> async_channel::Sender<Queued> {
        let (sender, receiver) = async_channel::unbounded();
        tokio::spawn(write_queued(
            self.hot.clone(),
            receiver,
            self.counts.clone(),
        ));
        sender
    }
}

fn unavailable(context: &str) -> Error {
    Error::new(ErrorKind::Unavailable, crate::error::UNAVAILABLE).with_context(context)
}

/// Writes what arrives on `receiver` until every sender has gone.
async fn write_queued(hot: Hot, receiver: async_channel::Receiver<Queued>, counts: Arc<Counts>) {
    let mut waiting = VecDeque::new();
    loop {
        if waiting.is_empty() {
            let Ok(first) = receiver.recv().await else {
                return;
            };
            waiting.push_back(first);
        }
        while let Ok(more) = receiver.try_recv() {
            waiting.push_back(more);
        }
        let batch = next_statement(&mut waiting);
        if batch.is_empty() {
            continue;
        }
        let taps: Vec<Tap> = batch.iter().map(|queued| queued.tap).collect();
        counts.writing.store(taps.len(), Ordering::Relaxed);
        let outcomes = write(&hot, &taps, &counts).await;
        counts.writing.store(0, Ordering::Relaxed);
        for (queued, outcome) in batch.into_iter().zip(outcomes) {
            let _ = queued.answer.send(outcome);
        }
    }
}

/// The taps for the next statement, at most [`MOST_PER_STATEMENT`] in the order they came, a
/// panel's taps all from one user (a tap on a panel that another user tapped first waits for a
/// later statement, so a panel's rows are all its taps' or none); taps whose caller has gone are
/// dropped unwritten.
fn next_statement(waiting: &mut VecDeque<Queued>) -> Vec<Queued> {
    let mut batch = Vec::new();
    let mut tapped_by = HashMap::new();
    let mut later = VecDeque::new();
    while let Some(queued) = waiting.pop_front() {
        if queued.answer.is_closed() {
            continue;
        }
        let tap = queued.tap;
        let user = *tapped_by.entry(tap.panel_id).or_insert(tap.user_id);
        if batch.len() < MOST_PER_STATEMENT && user == tap.user_id {
            batch.push(queued);
        } else {
            later.push_back(queued);
        }
    }
    *waiting = later;
    batch
}

/// Each tap's outcome, in order: one statement for them all. A statement that fails for a reason
/// one tap may cause (a value, a check, a panel deleted meanwhile) committed nothing, and each tap
/// is then tried alone, so only its own fails; a database that is unavailable fails them all.
async fn write(hot: &Hot, taps: &[Tap], counts: &Counts) -> Vec<Outcome> {
    match taps {
        [] => Vec::new(),
        [tap] => vec![write_one(hot, tap, counts).await],
        _ => match write_many(hot, taps, counts).await {
            Ok(ids) => ids.into_iter().map(Ok).collect(),
            Err(error) if error.kind == ErrorKind::Unavailable => vec![Err(error); taps.len()],
            Err(_) => {
                let mut outcomes = Vec::with_capacity(taps.len());
                for tap in taps {
                    outcomes.push(write_one(hot, tap, counts).await);
                }
                outcomes
            }
        },
    }
}

async fn write_one(hot: &Hot, tap: &Tap, counts: &Counts) -> Outcome {
    counts.statements.fetch_add(1, Ordering::Relaxed);
    // Read to the end: the statement commits as it finishes, and only then may it answer.
    let inserted: Vec<(i32,)> = fetch!(
        fetch_all,
        hot,
        statements::RECORD_ENTRY,
        tap.is_complete,
        tap.is_skip,
        tap.timestamp,
        tap.panel_id,
        tap.user_id
    )
    .or_db("inserting entry")?;
    Ok(inserted.first().map(|&(id,)| id))
}

async fn write_many(hot: &Hot, taps: &[Tap], counts: &Counts) -> Result<Vec<Option<i32>>> {
    counts.statements.fetch_add(1, Ordering::Relaxed);
    let rows: Vec<(i32, Option<i32>)> = match hot {
        Hot::Postgres(kept) => {
            let sql =
                AssertSqlSafe(statements::RECORD_ENTRIES_POSTGRES.sql(DatabaseBackend::Postgres));
            let complete: Vec<bool> = taps.iter().map(|t| t.is_complete).collect();
            let skip: Vec<bool> = taps.iter().map(|t| t.is_skip).collect();
            let times: Vec<NaiveDateTime> = taps.iter().map(|t| t.timestamp).collect();
            let panels: Vec<PanelId> = taps.iter().map(|t| t.panel_id).collect();
            let users: Vec<UserId> = taps.iter().map(|t| t.user_id).collect();
            kept.run(async |connection| {
                sqlx::query_as(sql)
                    .bind(&complete)
                    .bind(&skip)
                    .bind(&times)
                    .bind(&panels)
                    .bind(&users)
                    .fetch_all(&mut *connection)
                    .await
            })
            .await
        }
        Hot::Sqlite(kept, ..) => {
            let sql = AssertSqlSafe(statements::RECORD_ENTRIES_SQLITE.sql(DatabaseBackend::Sqlite));
            let rows: Vec<_> = taps
                .iter()
                .map(|t| {
                    let at = t.timestamp.to_string();
                    (t.is_complete, t.is_skip, at, t.panel_id, t.user_id)
                })
                .collect();
            let json = serde_json::to_string(&rows).unwrap_or_default();
            kept.run(async |connection| {
                sqlx::query_as(sql)
                    .bind(&json)
                    .fetch_all(&mut *connection)
                    .await
            })
            .await
        }
    }
    .or_db("inserting entries")?;
    Ok(ids_in_order(taps, rows))
}

/// Each tap's new id, from the statement's `(id, panel)` rows: a panel's taps (all one user's)
/// went in in order, so its ids, ascending, are its taps' in order; a tap whose panel has no rows
/// was refused.
fn ids_in_order(taps: &[Tap], rows: Vec<(i32, Option<i32>)>) -> Vec<Option<i32>> {
    let mut ids: HashMap<PanelId, VecDeque<i32>> = HashMap::new();
    for (id, panel) in rows {
        if let Some(panel) = panel {
            ids.entry(panel).or_default().push_back(id);
        }
    }
    for panel_ids in ids.values_mut() {
        panel_ids.make_contiguous().sort_unstable();
    }
    taps.iter()
        .map(|t| ids.get_mut(&t.panel_id).and_then(VecDeque::pop_front))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn queued(panel_id: PanelId) -> (Queued, oneshot::Receiver<Outcome>) {
        by(1, panel_id)
    }

    fn by(user_id: UserId, panel_id: PanelId) -> (Queued, oneshot::Receiver<Outcome>) {
        let (answer, outcome) = oneshot::channel();
        let tap = Tap {
            user_id,
            panel_id,
            is_complete: true,
            is_skip: false,
            timestamp: DateTime::UNIX_EPOCH.naive_utc(),
        };
        (Queued { tap, answer }, outcome)
    }

    fn panels(taps: &[Queued]) -> Vec<PanelId> {
        taps.iter().map(|queued| queued.tap.panel_id).collect()
    }

    #[test]
    fn a_statement_takes_the_taps_in_order_and_drops_the_abandoned() {
        let (mut waiting, mut callers): (VecDeque<_>, Vec<_>) =
            [1, 2, 1, 3, 2].into_iter().map(queued).unzip();
        callers.remove(3);
        assert_eq!(panels(&next_statement(&mut waiting)), [1, 2, 1, 2]);
        assert!(waiting.is_empty());
    }

    #[test]
    fn a_panel_another_user_tapped_first_waits_for_the_next_statement() {
        let (mut waiting, _callers): (VecDeque<_>, Vec<_>) =
            [(1, 5), (2, 5), (1, 6), (1, 5), (2, 6)]
                .into_iter()
                .map(|(u, p)| by(u, p))
                .unzip();
        let users =
            |taps: &[Queued]| -> Vec<UserId> { taps.iter().map(|q| q.tap.user_id).collect() };
        let first = next_statement(&mut waiting);
        assert_eq!(
            (panels(&first), users(&first)),
            (vec![5, 6, 5], vec![1, 1, 1])
        );
        let second = next_statement(&mut waiting);
        assert_eq!((panels(&second), users(&second)), (vec![5, 6], vec![2, 2]));
    }

    #[test]
    fn a_statement_holds_at_most_its_share() {
        let (mut waiting, _callers): (VecDeque<_>, Vec<_>) =
            (0..MOST_PER_STATEMENT as i32 + 5).map(queued).unzip();
        assert_eq!(next_statement(&mut waiting).len(), MOST_PER_STATEMENT);
        assert_eq!(
            panels(&next_statement(&mut waiting)),
            [128, 129, 130, 131, 132]
        );
    }

    #[test]
    fn a_panels_ids_go_to_its_taps_in_order_and_a_refused_tap_gets_none() {
        let taps: Vec<Tap> = [7, 8, 7, 9, 7]
            .into_iter()
            .map(|p| queued(p).0.tap)
            .collect();
        let rows = vec![(12, Some(7)), (11, Some(8)), (10, Some(7)), (14, Some(7))];
        assert_eq!(
            ids_in_order(&taps, rows),
            [Some(10), Some(11), Some(12), None, Some(14)]
        );
    }
}
