//! Nine Panels HTTP API: the axum router, extractors, middleware, envelope and DTOs.
#![forbid(unsafe_code)]

pub mod dto;
pub mod envelope;
pub mod error;
pub mod export_file;
pub mod extract;
pub mod forms;
pub mod import_file;
pub mod loop_file;
pub mod middleware;
pub mod openapi;
pub mod params;
pub mod prometheus;
pub mod router;
pub mod routes;
pub mod state;
pub mod timestamp;

pub use router::router;
pub use state::AppState;
