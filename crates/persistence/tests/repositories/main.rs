//! Repository tests: every body runs on a fresh SQLite file and a fresh PostgreSQL database.

mod alerts;
mod attempts;
mod checkpoints;
mod commits;
mod entries;
mod history;
mod inline;
mod kept;
mod migrations;
mod panels;
mod support;
mod tallies;
mod taps;
mod timings;
mod tokens;
mod users;
