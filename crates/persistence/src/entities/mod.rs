//! sea-orm entities: one module per table, named as the old server named them.

pub mod entries;
pub mod panels;
pub mod users;
