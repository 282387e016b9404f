//! SQL for the programme tables, one module per aggregate.

pub mod calendar;
pub mod cohorts;
pub mod people;
pub mod readiness;
pub mod reminders;
pub mod teams;
pub mod trainings;
pub mod workshops;

use crate::ProgramsError;

fn parse_enum<T>(field: &str, s: &str, parse: fn(&str) -> Option<T>) -> Result<T, ProgramsError> {
    parse(s)
        .ok_or_else(|| ProgramsError::invalid(field, format!("저장된 값이 올바르지 않습니다: {s}")))
}
