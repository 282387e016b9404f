//! Cross-crate and end-to-end tests live in `tests/`; this library holds the fake provider
//! they (and `cargo run -p maeul-tests --bin fake-provider`) talk to.

pub mod fake;
