//! Route handlers, one module per area of the API (the OpenAPI document at `/openapi.json` is its reference).

pub mod admin;
pub mod auth;
pub mod docs;
pub mod entries;
pub mod export;
pub mod import;
pub mod meta;
pub mod metrics;
pub mod panels;
pub mod scrape;
pub mod summaries;
pub mod users;
