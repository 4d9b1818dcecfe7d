//! End-to-end tests: a real server on a loopback port, over HTTP, on SQLite and PostgreSQL.

mod accounts;
mod admin;
mod alerts;
mod binary;
mod browser;
mod check;
mod connections;
mod days;
mod deploy;
mod docs;
mod durability;
mod entries;
mod hostile;
mod legacy_tokens;
mod meta;
mod ownership;
mod panels;
mod rest_days;
mod scrape;
mod sign_in_limits;
mod smtp;
mod startup;
mod summaries;
mod support;
mod token;
mod your_data;
