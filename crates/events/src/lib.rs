//! Nine Panels events: the `Event` enum, the bus request handlers emit on, the dispatcher that
//! maps each event to its handlers, and the worker task that runs them.
#![forbid(unsafe_code)]

pub mod activity;
pub mod bus;
pub mod dispatcher;
pub mod event;
pub mod handlers;
pub mod mailers;
pub mod outbox;
pub mod scheduler;
pub mod seal;
pub mod timings;
pub mod worker;

pub use bus::{EventBus, REQUEST_ID};
pub use event::{Emitted, Event};
pub use handlers::HandlerContext;
