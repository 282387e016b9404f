//! Who may do what: local users with argon2 password hashes, their roles, the [`Actor`]
//! handed to every use case, the permission table, and the hash-chained audit log.

mod actor;
pub mod anchor;
pub mod audit;
mod error;
mod password;
mod role;
pub mod throttle;
pub mod users;

pub use actor::Actor;
pub use error::AccountsError;
pub use password::{hash_password, verify_password};
pub use role::{Permission, Role, Scope};

/// Now as ISO-8601 UTC text, the one timestamp format stored in the database.
pub use maeul_time::now_utc;
