//! Broadcasts to phones. This first part holds the rules that decide what is sent before any
//! provider is called: how a text counts and goes (SMS, LMS, refused), and the fan-out of a
//! broadcast to one delivery per (channel, number). The outbox, the sync worker and the
//! provider clients build on these.

pub mod fanout;
pub mod outbox;
pub mod provider;
pub mod sandbox;
pub mod text;
pub mod worker;
