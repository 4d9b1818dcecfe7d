//! The sending side: request handlers emit and never wait for a handler.

use crate::activity::ActivityThrottle;
use crate::event::{Emitted, Event, Meta, MustDeliver};
use crate::inbox::{Inbox, Pending};
use crate::timings::{Pushed, TimingBuffer};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::background::{OutboxDraft, Timing};
use ninepanels_domain::clock::Clock;
use ninepanels_domain::events::{RouteTimed, RouteTimingsBatched, UserActive};
use ninepanels_domain::ports::Events;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Notify;

tokio::task_local! {
    /// The id of the request being served; events emitted inside it carry it.
    pub static REQUEST_ID: String;
}

#[derive(Clone)]
pub struct EventBus {
    sender: async_channel::Sender<Emitted<Event>>,
    /// Telemetry's own lane: when it is full, telemetry is dropped, and the other events still
    /// find room in theirs.
    telemetry: async_channel::Sender<Emitted<Event>>,
    outbox_nudge: Arc<Notify>,
    dropped: Arc<AtomicU64>,
    pending: Arc<Pending>,
    clock: Arc<dyn Clock>,
    activity: Arc<ActivityThrottle>,
    timings: Arc<TimingBuffer>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("queued", &self.queued())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl EventBus {
    /// A bus and the receiving end for the worker; requests' timings gather in `timings`.
    pub fn new(
        capacity: usize,
        clock: Arc<dyn Clock>,
        timings: Arc<TimingBuffer>,
    ) -> (Self, Inbox) {
        let (sender, events) = async_channel::bounded(capacity.max(1));
        let (telemetry, telemetry_lane) = async_channel::bounded(capacity.max(1));
        let pending = Arc::new(Pending::default());
        let bus = Self {
            sender,
            telemetry,
            outbox_nudge: Arc::new(Notify::new()),
            dropped: Arc::new(AtomicU64::new(0)),
            pending: pending.clone(),
            clock,
            activity: Arc::new(ActivityThrottle::default()),
            timings,
        };
        let inbox = Inbox {
            events,
            telemetry: telemetry_lane,
            pending,
        };
        (bus, inbox)
    }

    fn meta(&self, at: DateTime<Utc>) -> Meta {
        Meta::new(at, REQUEST_ID.try_with(Clone::clone).ok())
    }

    /// Emits an event. Telemetry is dropped and counted when its lane is full; other events
    /// wait for room in theirs. After [`EventBus::close`] events are dropped with a warning. A user's
    /// `UserActive` goes out once per [`crate::activity::ACTIVITY_WRITE_INTERVAL`].
    pub async fn emit(&self, event: impl Into<Event>) {
        let event = event.into();
        let at = self.clock.now();
        if let Event::UserActive(UserActive { user_id }) = event
            && !self.activity.take(user_id, at)
        {
            return;
        }
        let emitted = Emitted {
            meta: self.meta(at),
            event,
        };
        if emitted.event.is_telemetry() {
            self.send_telemetry(emitted, 1);
            return;
        }
        self.pending.count.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = self.sender.send(emitted).await {
            self.pending.done();
            tracing::warn!(
                event = e.into_inner().event.name(),
                "event emitted after shutdown; dropped"
            );
        }
    }

    /// Records one request's timing without waiting and without waking the worker: it joins
    /// its route's batch, and only a full batch goes to the worker (on telemetry's lane).
    pub fn route_timed(&self, timed: RouteTimed) {
        let stopped_at = self.clock.now();
        let timing = Timing {
            method: timed.method,
            path: timed.path,
            method_path: timed.method_path,
            request_id: REQUEST_ID.try_with(Clone::clone).ok(),
            event_id: Some(uuid::Uuid::new_v4().to_string()),
            started_at: timed.started_at,
            stopped_at,
            diff_ms: timed.diff_ms,
        };
        match self.timings.push(timing) {
            Pushed::Kept => {}
            Pushed::Dropped(timings) => {
                self.dropped.fetch_add(timings as u64, Ordering::Relaxed);
            }
            Pushed::Full(timings) => {
                let count = timings.len() as u64;
                let batch = Emitted {
                    meta: self.meta(stopped_at),
                    event: RouteTimingsBatched { timings }.into(),
                };
                if !self.send_telemetry(batch, count) {
                    self.timings.written();
                }
            }
        }
    }

    /// Sends without waiting; when telemetry's lane is full the event is dropped and counted as
    /// `weight` (the timings of a batch); answers whether it was sent.
    fn send_telemetry(&self, emitted: Emitted<Event>, weight: u64) -> bool {
        self.pending.count.fetch_add(1, Ordering::SeqCst);
        let Err(e) = self.telemetry.try_send(emitted) else {
            return true;
        };
        self.pending.done();
        self.dropped.fetch_add(weight, Ordering::Relaxed);
        let event = e.into_inner().event.name();
        tracing::debug!(event, "telemetry event dropped");
        false
    }

    /// Waits until every event emitted so far has been handled by the worker.
    pub async fn settled(&self) {
        loop {
            let idle = self.pending.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.pending.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Wakes the outbox relay after a change wrote outbox rows.
    pub fn nudge_outbox(&self) {
        self.outbox_nudge.notify_one();
    }

    /// What the outbox relay waits on.
    pub fn outbox_nudge(&self) -> Arc<Notify> {
        self.outbox_nudge.clone()
    }

    /// How many telemetry events were dropped because their lane was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Events waiting for the worker, telemetry included.
    pub fn queued(&self) -> usize {
        self.sender.len() + self.telemetry.len()
    }

    /// Stops accepting events; the worker drains what is queued and ends.
    pub fn close(&self) {
        self.sender.close();
        self.telemetry.close();
    }
}

#[async_trait]
impl Events for EventBus {
    async fn emit(&self, event: Event) {
        EventBus::emit(self, event).await;
    }

    fn draft(&self, event: &MustDeliver, at: DateTime<Utc>) -> OutboxDraft {
        crate::outbox::draft(event, self.meta(at))
    }

    fn outbox_written(&self) {
        self.nudge_outbox();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninepanels_domain::clock::SystemClock;
    use ninepanels_domain::events::UserLoggedIn;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn a_full_channel_drops_and_counts_telemetry_only() {
        let (bus, receiver) = EventBus::new(1, Arc::new(SystemClock), Arc::default());
        bus.emit(UserActive { user_id: 1 }).await;
        bus.emit(UserActive { user_id: 2 }).await;
        assert_eq!(bus.dropped(), 1);
        assert_eq!(bus.queued(), 1);
        assert_eq!(
            receiver.recv().await.unwrap().event,
            Event::UserActive(UserActive { user_id: 1 })
        );
    }

    #[tokio::test]
    async fn an_emitter_never_waits_behind_telemetry() {
        let (bus, inbox) = EventBus::new(1, Arc::new(SystemClock), Arc::default());
        bus.emit(UserActive { user_id: 1 }).await;
        bus.emit(UserActive { user_id: 2 }).await;
        assert_eq!(bus.dropped(), 1, "telemetry's lane is full");
        let bound = std::time::Duration::from_secs(10);
        tokio::time::timeout(bound, bus.emit(UserLoggedIn { user_id: 3 }))
            .await
            .expect("an event finds room while telemetry waits for the worker");
        assert_eq!(
            inbox.recv().await.unwrap().event,
            Event::UserLoggedIn(UserLoggedIn { user_id: 3 }),
            "ordinary events are taken first"
        );
        assert_eq!(
            inbox.recv().await.unwrap().event,
            Event::UserActive(UserActive { user_id: 1 })
        );
    }

    #[tokio::test]
    async fn a_users_activity_is_sent_once_per_interval() {
        let (bus, _receiver) = EventBus::new(8, Arc::new(SystemClock), Arc::default());
        for _ in 0..3 {
            bus.emit(UserActive { user_id: 1 }).await;
        }
        bus.emit(UserActive { user_id: 2 }).await;
        assert_eq!((bus.queued(), bus.dropped()), (2, 0));
    }

    #[tokio::test]
    async fn events_carry_the_request_id() {
        let (bus, receiver) = EventBus::new(4, Arc::new(SystemClock), Arc::default());
        REQUEST_ID
            .scope("req-1".to_owned(), bus.emit(UserLoggedIn { user_id: 3 }))
            .await;
        bus.emit(UserLoggedIn { user_id: 4 }).await;
        assert_eq!(
            receiver.recv().await.unwrap().meta.request_id.as_deref(),
            Some("req-1")
        );
        assert_eq!(receiver.recv().await.unwrap().meta.request_id, None);
    }

    #[tokio::test]
    async fn settled_waits_until_every_event_is_handled() {
        let (bus, inbox) = EventBus::new(4, Arc::new(SystemClock), Arc::default());
        tokio::time::timeout(std::time::Duration::from_secs(10), bus.settled())
            .await
            .expect("nothing pending settles at once");
        bus.emit(UserLoggedIn { user_id: 1 }).await;
        bus.emit(UserLoggedIn { user_id: 2 }).await;
        let handled = Arc::new(AtomicUsize::new(0));
        let counter = handled.clone();
        tokio::spawn(async move {
            while inbox.recv().await.is_some() {
                tokio::task::yield_now().await;
                counter.fetch_add(1, Ordering::SeqCst);
                inbox.handled();
            }
        });
        tokio::time::timeout(std::time::Duration::from_secs(10), bus.settled())
            .await
            .expect("the events are handled");
        assert_eq!(handled.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn timings_go_out_one_event_per_full_batch() {
        let buffer = Arc::new(TimingBuffer::new(3, 100));
        let (bus, inbox) = EventBus::new(8, Arc::new(SystemClock), buffer.clone());
        let timed = |ms: f64| RouteTimed {
            method: "GET".into(),
            path: "/v5/panels".into(),
            method_path: "GET_/v5/panels".into(),
            started_at: chrono::Utc::now(),
            diff_ms: ms,
        };
        for ms in 0..7 {
            REQUEST_ID
                .scope(format!("req-{ms}"), async {
                    bus.route_timed(timed(f64::from(ms)))
                })
                .await;
        }
        assert_eq!(bus.queued(), 2, "two full batches, one event each");
        let Event::RouteTimingsBatched(first) = inbox.recv().await.unwrap().event else {
            panic!("a batch of timings");
        };
        let readings: Vec<f64> = first.timings.iter().map(|t| t.diff_ms).collect();
        assert_eq!(readings, [0.0, 1.0, 2.0]);
        assert_eq!(first.timings[2].request_id.as_deref(), Some("req-2"));
        assert_eq!(
            first.timings[2].event_id.as_ref().map(String::len),
            Some(36)
        );
        let left = buffer.drain();
        assert_eq!((left.len(), left[0].len()), (1, 1), "the seventh waits");
    }

    #[tokio::test]
    async fn a_batch_that_fills_while_the_worker_is_behind_is_dropped_and_counted() {
        let buffer = Arc::new(TimingBuffer::new(3, 3));
        let (bus, inbox) = EventBus::new(8, Arc::new(SystemClock), buffer.clone());
        let timed = || RouteTimed {
            method: "GET".into(),
            path: "/healthz".into(),
            method_path: "GET_/healthz".into(),
            started_at: chrono::Utc::now(),
            diff_ms: 1.0,
        };
        for _ in 0..6 {
            bus.route_timed(timed());
        }
        assert_eq!(
            (bus.queued(), bus.dropped()),
            (1, 3),
            "one batch waits; the next is dropped"
        );
        inbox.recv().await.unwrap();
        buffer.written();
        for _ in 0..3 {
            bus.route_timed(timed());
        }
        assert_eq!(
            (bus.queued(), bus.dropped()),
            (1, 3),
            "once written, the next batch goes"
        );
    }
}
