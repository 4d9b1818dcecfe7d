//! The sending side: request handlers emit and never wait for a handler.

use crate::activity::ActivityThrottle;
use crate::event::{Emitted, Event};
use ninepanels_domain::clock::Clock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    /// The id of the request being served; events emitted inside it carry it.
    pub static REQUEST_ID: String;
}

#[derive(Clone)]
pub struct EventBus {
    sender: async_channel::Sender<Emitted>,
    outbox_nudge: Arc<tokio::sync::Notify>,
    dropped: Arc<AtomicU64>,
    clock: Arc<dyn Clock>,
    activity: Arc<ActivityThrottle>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("queued", &self.sender.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl EventBus {
    /// A bus and the receiving end for the worker.
    pub fn new(capacity: usize, clock: Arc<dyn Clock>) -> (Self, async_channel::Receiver<Emitted>) {
        let (sender, receiver) = async_channel::bounded(capacity.max(1));
        let bus = Self {
            sender,
            outbox_nudge: Arc::new(tokio::sync::Notify::new()),
            dropped: Arc::new(AtomicU64::new(0)),
            clock,
            activity: Arc::new(ActivityThrottle::default()),
        };
        (bus, receiver)
    }

    /// Emits an event. Telemetry is dropped and counted when the channel is full; other events
    /// wait for room. After [`EventBus::close`] events are dropped with a warning. A user's
    /// `UserActive` goes out once per [`crate::activity::ACTIVITY_WRITE_INTERVAL`].
    pub async fn emit(&self, event: Event) {
        let at = self.clock.now();
        if let Event::UserActive { user_id } = event
            && !self.activity.take(user_id, at)
        {
            return;
        }
        let emitted = Emitted {
            id: uuid::Uuid::new_v4(),
            at,
            request_id: REQUEST_ID.try_with(Clone::clone).ok(),
            event,
        };
        if emitted.event.is_telemetry() {
            if let Err(e) = self.sender.try_send(emitted) {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    event = e.into_inner().event.name(),
                    "telemetry event dropped"
                );
            }
        } else if let Err(e) = self.sender.send(emitted).await {
            tracing::warn!(
                event = e.into_inner().event.name(),
                "event emitted after shutdown; dropped"
            );
        }
    }

    /// Wakes the outbox relay after a change wrote outbox rows.
    pub fn nudge_outbox(&self) {
        self.outbox_nudge.notify_one();
    }

    /// What the outbox relay waits on.
    pub fn outbox_nudge(&self) -> Arc<tokio::sync::Notify> {
        self.outbox_nudge.clone()
    }

    /// How many telemetry events were dropped because the channel was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Events waiting for the worker.
    pub fn queued(&self) -> usize {
        self.sender.len()
    }

    /// Stops accepting events; the worker drains what is queued and ends.
    pub fn close(&self) {
        self.sender.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninepanels_domain::clock::SystemClock;

    #[tokio::test]
    async fn a_full_channel_drops_and_counts_telemetry_only() {
        let (bus, receiver) = EventBus::new(1, Arc::new(SystemClock));
        bus.emit(Event::UserActive { user_id: 1 }).await;
        bus.emit(Event::UserActive { user_id: 2 }).await;
        assert_eq!(bus.dropped(), 1);
        assert_eq!(bus.queued(), 1);
        assert_eq!(
            receiver.recv().await.unwrap().event,
            Event::UserActive { user_id: 1 }
        );
    }

    #[tokio::test]
    async fn a_users_activity_is_sent_once_per_interval() {
        let (bus, _receiver) = EventBus::new(8, Arc::new(SystemClock));
        for _ in 0..3 {
            bus.emit(Event::UserActive { user_id: 1 }).await;
        }
        bus.emit(Event::UserActive { user_id: 2 }).await;
        assert_eq!((bus.queued(), bus.dropped()), (2, 0));
    }

    #[tokio::test]
    async fn events_carry_the_request_id() {
        let (bus, receiver) = EventBus::new(4, Arc::new(SystemClock));
        REQUEST_ID
            .scope(
                "req-1".to_owned(),
                bus.emit(Event::UserLoggedIn { user_id: 3 }),
            )
            .await;
        bus.emit(Event::UserLoggedIn { user_id: 4 }).await;
        assert_eq!(
            receiver.recv().await.unwrap().request_id.as_deref(),
            Some("req-1")
        );
        assert_eq!(receiver.recv().await.unwrap().request_id, None);
    }
}
