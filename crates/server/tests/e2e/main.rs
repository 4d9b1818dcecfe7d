//! End-to-end tests: a real server on a loopback port, over HTTP, on SQLite and PostgreSQL.

mod accounts;
mod meta;
mod startup;
mod support;
