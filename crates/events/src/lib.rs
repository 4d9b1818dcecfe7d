//! Nine Panels events: the bus request handlers emit on, the outbox relay for must-deliver
//! events, the dispatcher that maps each event to its typed handlers, the worker task that runs
//! them, and the scheduled jobs.
#![forbid(unsafe_code)]

pub mod activity;
pub mod alerts;
pub mod bus;
pub mod dispatcher;
pub mod event;
pub mod handlers;
pub mod inbox;
pub mod mailers;
pub mod outbox;
pub mod scheduler;
pub mod timings;
pub mod watch;
pub mod webhook;
pub mod worker;

pub use bus::{EventBus, REQUEST_ID};
pub use event::{Emitted, Event, Meta, MustDeliver};
pub use handlers::HandlerContext;
pub use inbox::Inbox;
