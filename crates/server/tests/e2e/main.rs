//! End-to-end tests: a real server on a loopback port, over HTTP, on SQLite and PostgreSQL.

mod meta;
mod startup;
mod support;
