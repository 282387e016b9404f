//! Living-lab cohorts and chief training: the people, their workshops and sessions,
//! attendance, the calendar with its clashes, ICS export, reminders queued for dispatch,
//! and printed sign-in sheets.

pub mod calendar;
pub mod demo;
mod error;
pub mod ics;
pub mod model;
pub mod pdf;
pub mod reminders;
pub mod stats;
pub mod store;
pub mod validate;

pub use error::ProgramsError;
pub use model::*;
