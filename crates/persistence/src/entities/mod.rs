//! sea-orm entities: one module per table, named as the old server named them.

pub mod blacklisted_access_tokens;
pub mod entries;
pub mod event_outbox;
pub mod job_runs;
pub mod panels;
pub mod password_reset_tokens;
pub mod scheduled_jobs;
pub mod timing_stats;
pub mod timings;
pub mod users;
