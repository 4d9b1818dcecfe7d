//! Schema migrations for Nine Panels: one source for SQLite and PostgreSQL, forward-only.
#![forbid(unsafe_code)]

use sea_orm_migration::prelude::*;

mod m20261124_000001_baseline_tables;
mod m20261124_000002_time_zones_and_indexes;
mod m20261124_000003_account_security;
mod m20261124_000004_outbox_and_jobs;
mod m20261124_000005_ops_log;
mod m20261124_000006_covering_entries_index;
mod m20261124_000007_entries_index_in_tap_order;
mod m20261201_000008_sign_in_attempts;
mod m20261201_000009_adopted_panels_complete;
mod m20261203_000010_panel_tallies;
mod m20261203_000011_alerts;
mod m20261203_000012_rest_days;

/// Runs every migration in order; already-applied ones are skipped.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_baseline_tables::Migration),
            Box::new(m20261124_000002_time_zones_and_indexes::Migration),
            Box::new(m20261124_000003_account_security::Migration),
            Box::new(m20261124_000004_outbox_and_jobs::Migration),
            Box::new(m20261124_000005_ops_log::Migration),
            Box::new(m20261124_000006_covering_entries_index::Migration),
            Box::new(m20261124_000007_entries_index_in_tap_order::Migration),
            Box::new(m20261201_000008_sign_in_attempts::Migration),
            Box::new(m20261201_000009_adopted_panels_complete::Migration),
            Box::new(m20261203_000010_panel_tallies::Migration),
            Box::new(m20261203_000011_alerts::Migration),
            Box::new(m20261203_000012_rest_days::Migration),
        ]
    }
}
