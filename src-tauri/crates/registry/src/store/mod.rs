//! SQL for the registry's tables, one module per table or aggregate.

pub mod groups;
pub mod households;
pub mod stats;
pub mod subscribers;
pub mod towns;
pub mod villages;
