use std::fmt;

use serde::{Deserialize, Serialize};

/// The six roles of PRODUCT.md. A chief is bound to one village (see [`crate::Actor`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Operator,
    /// 이장 — village chief, limited to their own village.
    Chief,
    Trainer,
    /// Living-lab coordinator.
    Livinglab,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Operator,
        Role::Chief,
        Role::Trainer,
        Role::Livinglab,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Chief => "chief",
            Role::Trainer => "trainer",
            Role::Livinglab => "livinglab",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a use case needs. Each `api` use case names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Towns and villages with their counts (every role: trainers build rosters from it).
    ViewVillages,
    /// Households and subscribers.
    ViewHouseholds,
    /// Subscribers' phone numbers unmasked.
    ViewFullPhone,
    /// Add, change or remove households and subscribers.
    EditHouseholds,
    /// Village details: chief, zone code.
    EditVillages,
    /// Approve or reject enrollment requests.
    DecideEnrollment,
    ImportRegistry,
    ExportRegistry,
    ManageUsers,
    Backup,
    ViewAudit,
    SeedDemo,
    /// Pledge cards: list, open, check.
    ViewBudget,
    /// Change pledge cards (audited old → new).
    EditBudget,
    /// Print pledge cards to PDF.
    PrintBudget,
    /// Living-lab cohorts, chief trainings, the calendar; print sign-in sheets, export ICS.
    ViewPrograms,
    /// Cohorts, participants, workshops, attendance, teams, outcomes, reminders.
    EditLivingLab,
    /// Training sessions, check-in, walk-ins, the chiefs' checklist.
    RunTraining,
    /// Switch the desk into (and out of) the practice sandbox.
    PracticeMode,
    /// Compose and send broadcasts (a chief: to their own village only).
    SendBroadcast,
    /// The broadcast history, progress and delivery reports.
    ViewBroadcasts,
    /// The second person's approval of a county-wide send.
    ApproveBroadcast,
    /// Provider accounts and the sending policy.
    ManageDispatch,
    /// The broadcast console: go on air, record, choose devices and levels (a chief: their
    /// own village's loudspeakers only).
    GoOnAir,
    /// Recordings: list, listen back.
    ViewRecordings,
    /// Delete recordings, import audio files as recordings (a chief: their own).
    ManageRecordings,
    /// The office's subscriber groups (county-wide lists, so not a chief's).
    ViewGroups,
    /// Create, rename and delete groups; add and remove their members.
    ManageGroups,
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Which data a check is about: the whole county, or one village.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    County,
    Village(i64),
}

impl Permission {
    pub const ALL: [Permission; 28] = [
        Permission::ViewVillages,
        Permission::ViewHouseholds,
        Permission::ViewFullPhone,
        Permission::EditHouseholds,
        Permission::EditVillages,
        Permission::DecideEnrollment,
        Permission::ImportRegistry,
        Permission::ExportRegistry,
        Permission::ManageUsers,
        Permission::Backup,
        Permission::ViewAudit,
        Permission::SeedDemo,
        Permission::ViewBudget,
        Permission::EditBudget,
        Permission::PrintBudget,
        Permission::ViewPrograms,
        Permission::EditLivingLab,
        Permission::RunTraining,
        Permission::PracticeMode,
        Permission::SendBroadcast,
        Permission::ViewBroadcasts,
        Permission::ApproveBroadcast,
        Permission::ManageDispatch,
        Permission::GoOnAir,
        Permission::ViewRecordings,
        Permission::ManageRecordings,
        Permission::ViewGroups,
        Permission::ManageGroups,
    ];

    /// The permission table. A chief's grants hold only inside their own village; that
    /// part is checked by [`crate::Actor::require`].
    pub fn granted_to(self, role: Role) -> bool {
        use Permission as P;
        use Role as R;
        match self {
            P::ViewVillages => true,
            P::ViewHouseholds => matches!(role, R::Admin | R::Operator | R::Chief | R::Auditor),
            P::ViewFullPhone => matches!(role, R::Admin | R::Operator | R::Chief),
            P::EditHouseholds | P::DecideEnrollment => {
                matches!(role, R::Admin | R::Operator | R::Chief)
            }
            P::EditVillages | P::ImportRegistry | P::ExportRegistry => {
                matches!(role, R::Admin | R::Operator)
            }
            P::ManageUsers | P::Backup | P::SeedDemo => role == R::Admin,
            P::ViewAudit => matches!(role, R::Admin | R::Auditor),
            P::ViewBudget | P::PrintBudget => matches!(role, R::Admin | R::Operator | R::Auditor),
            P::EditBudget => matches!(role, R::Admin | R::Operator),
            P::ViewPrograms => role != R::Chief,
            P::EditLivingLab => matches!(role, R::Admin | R::Livinglab),
            P::RunTraining | P::PracticeMode => matches!(role, R::Admin | R::Trainer),
            P::SendBroadcast => matches!(role, R::Admin | R::Operator | R::Chief),
            P::ViewBroadcasts => matches!(role, R::Admin | R::Operator | R::Chief | R::Auditor),
            P::ApproveBroadcast => matches!(role, R::Admin | R::Operator),
            P::ManageDispatch => role == R::Admin,
            // Trainers go on air in practice mode, where no loudspeaker or phone is reached.
            P::GoOnAir => matches!(role, R::Admin | R::Operator | R::Chief | R::Trainer),
            P::ViewRecordings => matches!(
                role,
                R::Admin | R::Operator | R::Chief | R::Trainer | R::Auditor
            ),
            P::ManageRecordings => matches!(role, R::Admin | R::Operator | R::Chief),
            P::ViewGroups => matches!(role, R::Admin | R::Operator | R::Auditor),
            P::ManageGroups => matches!(role, R::Admin | R::Operator),
        }
    }
}
