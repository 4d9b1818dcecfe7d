//! Nine Panels domain: entities, value types, rules, ports and the base error.
#![forbid(unsafe_code)]

pub mod alert;
pub mod attempts;
pub mod background;
pub mod clock;
pub mod config;
pub mod days;
pub mod entry;
pub mod error;
pub mod events;
pub mod expiring;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod panel;
pub mod password;
pub mod period;
pub mod ports;
pub mod proxies;
pub mod seal;
pub mod tally;
pub mod text;
pub mod user;

pub use error::{Error, ErrorKind, Result};
