//! Broadcasts to phones: the rules that decide what is sent before any provider is called
//! (how a text counts and goes, the fan-out to one delivery per channel and number), the
//! outbox that survives a crash at any point, the sending policy, the sync worker and the
//! provider clients.

pub mod activity;
pub mod broadcast;
pub mod cap;
pub mod chief_notice;
pub mod credentials;
pub mod demo_history;
pub mod drafts;
mod error;
pub mod escalation;
pub mod fanout;
pub mod feed;
pub mod keypad;
pub mod limiter;
pub mod outbox;
pub mod policy;
pub mod provider;
pub mod providers;
pub mod reach;
pub mod reach_pdf;
pub mod replies;
pub mod report;
pub mod report_csv;
pub mod report_pdf;
pub mod sandbox;
pub mod secret;
pub mod solapi;
pub mod store;
pub mod templates;
pub mod text;
pub mod twilio;
pub mod worker;

pub use error::DispatchError;
