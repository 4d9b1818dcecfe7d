//! Route timings: gathered per route in-process as requests finish, each full batch handed to
//! the worker and written at once; after each batch the route's
//! statistics over its last `TIMING_WINDOW_SIZE` timings are recomputed and stored, and the
//! route's alert raised when the average passes the threshold and cleared when it recovers.

use crate::event::{Emitted, Meta};
use crate::handlers::HandlerContext;
use ninepanels_domain::background::{RouteStats, Timing};
use ninepanels_domain::config::Background;
use ninepanels_domain::events::RouteTimingsPersisted;
use ninepanels_domain::{Error, Result};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Timings waiting to be written, per route; shared by the bus (which fills it) and the worker
/// and jobs (which write what it holds). At most a set number of full batches wait for the
/// worker at a time; a batch that fills while they wait is dropped, so a worker that cannot keep
/// up loses timings instead of falling ever further behind.
#[derive(Debug)]
pub struct TimingBuffer {
    routes: Mutex<HashMap<String, Vec<Timing>>>,
    batch_size: usize,
    /// Full batches handed to the worker and not yet written, and how many may be.
    waiting: AtomicUsize,
    most_waiting: usize,
}

/// What became of a timing added to the buffer.
#[derive(Debug, PartialEq)]
pub enum Pushed {
    /// It waits in its route's batch.
    Kept,
    /// It filled its route's batch: the batch, for the worker (then [`TimingBuffer::written`]).
    Full(Vec<Timing>),
    /// It filled its route's batch while the worker was behind: this many timings were dropped.
    Dropped(usize),
}

impl Default for TimingBuffer {
    fn default() -> Self {
        Self::for_settings(&Background::default())
    }
}

impl TimingBuffer {
    /// A buffer that hands out batches of `batch_size` (at least one), with at most
    /// `most_timings` handed out and not yet written (at least one batch).
    pub fn new(batch_size: u32, most_timings: usize) -> Self {
        let batch_size = (batch_size as usize).max(1);
        Self {
            routes: Mutex::default(),
            batch_size,
            waiting: AtomicUsize::new(0),
            most_waiting: (most_timings / batch_size).max(1),
        }
    }

    /// Batches of `TIMING_BATCH_SIZE`, at most `EVENT_CHANNEL_CAPACITY` timings waiting in them.
    pub fn for_settings(settings: &Background) -> Self {
        Self::new(settings.timing_batch_size, settings.event_channel_capacity)
    }

    /// Adds a timing; hands back the route's batch once it holds the batch size.
    pub fn push(&self, timing: Timing) -> Pushed {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        // The route's name is copied only the first time it is seen.
        if !routes.contains_key(&timing.method_path) {
            routes.insert(timing.method_path.clone(), Vec::new());
        }
        let Some(buffer) = routes.get_mut(&timing.method_path) else {
            return Pushed::Kept;
        };
        buffer.push(timing);
        if buffer.len() < self.batch_size {
            return Pushed::Kept;
        }
        let most = self.most_waiting;
        let slot = self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < most).then_some(n + 1)
            });
        if slot.is_ok() {
            Pushed::Full(std::mem::take(buffer))
        } else {
            let dropped = buffer.len();
            buffer.clear();
            Pushed::Dropped(dropped)
        }
    }

    /// A batch handed out is written (or failed, or was never sent): its place is free.
    pub fn written(&self) {
        let _ = self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Every buffered timing, by route.
    pub fn drain(&self) -> Vec<Vec<Timing>> {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        routes
            .drain()
            .map(|(_, batch)| batch)
            .filter(|b| !b.is_empty())
            .collect()
    }
}

/// Writes one route's batch and recomputes the route's statistics, then raises
/// `RouteTimingsPersisted` (handled in place: it moves the route's alert) and only then saves
/// the statistics, so that a crash or a failed alert leaves the move to the next batch.
pub async fn persist_batch(ctx: &HandlerContext, batch: Vec<Timing>) -> Result<()> {
    let Some(sample) = batch.first().cloned() else {
        return Ok(());
    };
    ctx.timings.insert_batch(&batch).await?;
    let window = ctx
        .timings
        .recent(
            &sample.method_path,
            u64::from(ctx.settings.timing_window_size),
        )
        .await?;
    let readings: Vec<f64> = window.iter().map(|(ms, _)| *ms).collect();
    let previous = ctx.timings.stats(&sample.method_path).await?;
    let threshold = ctx.settings.threshold_for(&sample.method_path);
    let stats = compute_stats(&sample, &readings, threshold, previous.as_ref());
    let persisted = RouteTimingsPersisted {
        written: batch.len(),
        window: readings.len(),
        stats,
        was_in_alert: previous.as_ref().is_some_and(|p| p.in_alert),
    };
    let meta = Meta::new(ctx.clock.now(), None);
    let stats = persisted.stats.clone();
    crate::dispatcher::dispatch_in_place(
        ctx,
        Emitted {
            meta,
            event: persisted.into(),
        },
    )
    .await
    .map_err(|why| Error::unavailable(format!("the route's alert did not move: {why}")))?;
    ctx.timings.save_stats(&stats).await?;
    tracing::debug!(method_path = %stats.method_path, written = batch.len(), "timings persisted");
    Ok(())
}

/// Writes every buffered timing (the `flush_timings` job, and at shutdown); answers how many.
pub async fn flush(ctx: &HandlerContext) -> Result<u64> {
    let mut written = 0;
    for batch in ctx.timing_buffer.drain() {
        written += batch.len() as u64;
        persist_batch(ctx, batch).await?;
    }
    Ok(written)
}

/// Statistics over `readings` (newest first), carrying the alert on from `previous`.
pub fn compute_stats(
    sample: &Timing,
    readings: &[f64],
    threshold_ms: u32,
    previous: Option<&RouteStats>,
) -> RouteStats {
    let count = readings.len().max(1) as f64;
    let avg = readings.iter().sum::<f64>() / count;
    let in_alert = avg > f64::from(threshold_ms);
    let was_in_alert = previous.is_some_and(|p| p.in_alert);
    let alert_id = match (was_in_alert, in_alert) {
        (true, true) => previous.and_then(|p| p.alert_id.clone()),
        (false, true) => Some(uuid::Uuid::new_v4().to_string()),
        _ => None,
    };
    RouteStats {
        method_path: sample.method_path.clone(),
        method: sample.method.clone(),
        path: sample.path.clone(),
        avg,
        min: readings
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
            .min(f64::MAX),
        max: readings.iter().copied().fold(0.0, f64::max),
        last: readings.first().copied().unwrap_or_default(),
        alert_threshold_ms: i32::try_from(threshold_ms).unwrap_or(i32::MAX),
        in_alert,
        alert_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn sample() -> Timing {
        Timing {
            method: "GET".into(),
            path: "/v5/panels".into(),
            method_path: "GET_/v5/panels".into(),
            request_id: None,
            event_id: None,
            started_at: Utc::now(),
            stopped_at: Utc::now(),
            diff_ms: 1.0,
        }
    }

    #[test]
    fn statistics_and_alerts_raise_once_and_clear() {
        let calm = compute_stats(&sample(), &[10.0, 20.0, 30.0], 100, None);
        assert_eq!(
            (calm.avg, calm.min, calm.max, calm.last),
            (20.0, 10.0, 30.0, 10.0)
        );
        assert!(!calm.in_alert && calm.alert_id.is_none());
        let raised = compute_stats(&sample(), &[300.0, 200.0], 100, Some(&calm));
        assert!(raised.in_alert);
        let id = raised.alert_id.clone().unwrap();
        let still = compute_stats(&sample(), &[150.0, 200.0], 100, Some(&raised));
        assert_eq!(
            still.alert_id.as_deref(),
            Some(id.as_str()),
            "one alert while it lasts"
        );
        let cleared = compute_stats(&sample(), &[50.0, 60.0], 100, Some(&still));
        assert!(!cleared.in_alert && cleared.alert_id.is_none());
    }

    #[test]
    fn the_buffer_hands_back_full_batches_per_route() {
        let buffer = TimingBuffer::new(2, 100);
        assert_eq!(buffer.push(sample()), Pushed::Kept);
        let mut other = sample();
        other.method_path = "POST_/token".into();
        assert_eq!(buffer.push(other), Pushed::Kept);
        assert!(matches!(buffer.push(sample()), Pushed::Full(b) if b.len() == 2));
        assert_eq!(buffer.drain().len(), 1);
    }

    #[test]
    fn batches_fill_while_the_worker_is_behind_are_dropped() {
        let buffer = TimingBuffer::new(2, 5);
        let pushes = || (0..2).map(|_| buffer.push(sample())).last().unwrap();
        assert!(matches!(pushes(), Pushed::Full(_)));
        assert!(matches!(pushes(), Pushed::Full(_)), "two batches may wait");
        assert_eq!(pushes(), Pushed::Dropped(2));
        buffer.written();
        assert!(
            matches!(pushes(), Pushed::Full(_)),
            "a written batch frees its place"
        );
        buffer.written();
        buffer.written();
        buffer.written();
        assert!(
            matches!(pushes(), Pushed::Full(_)),
            "never below none waiting"
        );
    }
}
