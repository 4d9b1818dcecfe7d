//! Route handlers, one module per area of API.md.

pub mod admin;
pub mod auth;
pub mod docs;
pub mod entries;
pub mod meta;
pub mod metrics;
pub mod panels;
pub mod users;
