//! The village registry: county → towns (읍/면) → villages (행정리) → households (세대) →
//! subscribers (phone numbers with consent and channel preferences), enrollment requests,
//! import from .xlsx/.csv and export.

pub mod demo;
mod error;
pub mod export;
pub mod import;
mod language;
mod model;
pub mod phone;
pub mod store;
mod validate;

pub use error::RegistryError;
pub use language::Language;
pub use model::*;
