//! Living lab and chief training use cases. Coordinators (livinglab) edit cohorts, trainers
//! run sessions and practice mode; everyone but a chief reads the calendar and prints sheets.
//! Every change is audited in the same transaction.

mod calendar;
mod livinglab;
mod practice;
mod printing;
mod reminders;
mod training;

pub use calendar::CalendarView;
pub use livinglab::WorkshopSaved;
pub use practice::PracticeState;
pub(crate) use practice::refuse_in_practice;
pub use reminders::{ReminderPlan, ReminderSettings};
pub use training::WalkIn;

use maeul_accounts::{Actor, Permission, Role};
use maeul_programs::ProgramsError;

use crate::{ApiError, ErrorCode};

impl From<ProgramsError> for ApiError {
    fn from(e: ProgramsError) -> ApiError {
        let field = e.field().map(str::to_string);
        let code = match &e {
            ProgramsError::Invalid { .. } => ErrorCode::Invalid,
            ProgramsError::NotFound(_) => ErrorCode::NotFound,
            ProgramsError::Conflict(_) => ErrorCode::Conflict,
            ProgramsError::Pdf(_) => ErrorCode::Io,
            ProgramsError::Sql(_) => ErrorCode::Database,
        };
        ApiError {
            code,
            message: e.to_string(),
            field,
        }
    }
}

/// Participants' numbers in full only for those who contact them: the store's `mask`.
fn mask_for(actor: &Actor) -> bool {
    !matches!(actor.role, Role::Admin | Role::Livinglab | Role::Trainer)
}

fn require_any(actor: &Actor, permissions: &[Permission]) -> Result<(), ApiError> {
    let mut last = None;
    for p in permissions {
        match actor.require(*p, maeul_accounts::Scope::County) {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(
        || ApiError::new(ErrorCode::Forbidden, "권한이 없습니다"),
        ApiError::from,
    ))
}
