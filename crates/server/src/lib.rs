//! The `ninepanels` server: load config, connect, migrate, serve, shut down in order.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
mod listener;
pub mod logging;
pub mod server;
pub mod shutdown;

pub use server::{Running, Server, StartError};
