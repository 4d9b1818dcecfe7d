//! The receiving end of the bus: ordinary events and telemetry on lanes of their own, so an
//! emitter never waits behind telemetry the worker has yet to write.

use crate::event::{Emitted, Event};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

/// Events sent and not yet handled, and who waits for that to reach zero.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub(crate) count: AtomicUsize,
    pub(crate) idle: Notify,
}

impl Pending {
    pub(crate) fn done(&self) {
        if self.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }
}

/// Which lane an event travels: telemetry ([`Event::is_telemetry`]) or every other event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Events,
    Telemetry,
}

/// For the worker: it reports each event handled.
#[derive(Debug)]
pub struct Inbox {
    pub(crate) events: async_channel::Receiver<Emitted<Event>>,
    pub(crate) telemetry: async_channel::Receiver<Emitted<Event>>,
    pub(crate) pending: Arc<Pending>,
}

impl Inbox {
    /// The next event of either lane, ordinary events first; `None` once the bus is closed and
    /// both lanes are drained.
    pub async fn recv(&self) -> Option<Emitted<Event>> {
        tokio::select! {
            biased;
            Ok(emitted) = self.events.recv() => Some(emitted),
            Ok(emitted) = self.telemetry.recv() => Some(emitted),
            else => None,
        }
    }

    /// The next event of `lane`; `None` once the bus is closed and that lane is drained.
    pub async fn recv_lane(&self, lane: Lane) -> Option<Emitted<Event>> {
        match lane {
            Lane::Events => self.events.recv().await.ok(),
            Lane::Telemetry => self.telemetry.recv().await.ok(),
        }
    }

    /// Marks one received event as handled.
    pub fn handled(&self) {
        self.pending.done();
    }
}
