//! Route handlers, one module per area of API.md.

pub mod meta;
