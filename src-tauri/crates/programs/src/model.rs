//! The programmes as data. Dates are `YYYY-MM-DD`, event times civil `YYYY-MM-DDTHH:MM` in
//! Asia/Seoul; both are checked by [`crate::validate`] before anything is stored.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal / $ko:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            /// The Korean label staff see on screen and on paper.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $ko),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(CohortKind {
    ResidentTraining = "resident_training" / "주민참여단 교육",
    SosLab = "sos_lab" / "S·O·S 랩",
    LivingLab = "living_lab" / "리빙랩",
    DataLivingLab = "data_living_lab" / "데이터기반 리빙랩",
});

text_enum!(PersonRole {
    Resident = "resident" / "주민",
    Expert = "expert" / "전문가",
    Facilitator = "facilitator" / "퍼실리테이터·멘토",
});

text_enum!(
    /// Where an application stands; only `selected` people take part.
    ApplicationState {
        Applied = "applied" / "신청",
        Selected = "selected" / "선정",
        Declined = "declined" / "미선정",
        Withdrew = "withdrew" / "중도 포기",
    }
);

text_enum!(WorkshopKind {
    Ot = "ot" / "OT",
    Workshop = "workshop" / "워크숍",
    SiteVisit = "site_visit" / "선진지 견학",
    Mentoring = "mentoring" / "멘토링",
    Results = "results" / "성과공유회",
});

text_enum!(Attendance {
    Present = "present" / "출석",
    Late = "late" / "지각",
    Absent = "absent" / "결석",
    Excused = "excused" / "공결",
});

text_enum!(OutcomeKind {
    Topic = "topic" / "의제",
    Solution = "solution" / "솔루션",
});

text_enum!(OutcomeStatus {
    Proposed = "proposed" / "제안",
    InProgress = "in_progress" / "구체화 중",
    Done = "done" / "완료",
    Dropped = "dropped" / "보류",
});

/// The three phases of a cohort's year.
pub fn phase_label(phase: u8) -> &'static str {
    match phase {
        1 => "1단계 모집",
        2 => "2단계 OT·공감, 문제 발견·정의",
        _ => "3단계 솔루션 탐색·구체화",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Cohort {
    pub id: Option<i64>,
    pub year: i32,
    pub name: String,
    pub kind: CohortKind,
    /// 백만원, as the pledge card states it.
    pub budget_million: Option<i64>,
    /// One partner per line.
    pub partners: String,
    pub recruit_start: Option<String>,
    pub recruit_end: Option<String>,
    pub activity_start: String,
    pub activity_end: String,
    pub results_date: Option<String>,
    pub target_size: i32,
    pub notes: String,
    /// The version the form was loaded with (0 for a new cohort): a save from an older one
    /// is refused as a conflict.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Person {
    pub id: Option<i64>,
    pub cohort_id: i64,
    pub name: String,
    /// E.164 once stored; the form may send it as typed.
    pub phone: Option<String>,
    pub village_id: Option<i64>,
    pub role: PersonRole,
    pub state: ApplicationState,
    /// Agreed to receive reminder SMS.
    pub sms_consent: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Workshop {
    pub id: Option<i64>,
    pub cohort_id: i64,
    pub kind: WorkshopKind,
    pub phase: u8,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub facilitator: String,
    /// One agenda item per line.
    pub agenda: String,
    /// The version the form was loaded with (0 for a new workshop).
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AttendanceMark {
    pub workshop_id: i64,
    pub person_id: i64,
    pub status: Attendance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Team {
    pub id: Option<i64>,
    pub cohort_id: i64,
    pub name: String,
    pub members: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Outcome {
    pub id: Option<i64>,
    pub cohort_id: i64,
    pub kind: OutcomeKind,
    pub title: String,
    pub status: OutcomeStatus,
    /// The workshop where it arose.
    pub workshop_id: Option<i64>,
    pub team_id: Option<i64>,
    pub note: String,
}

/// A cohort in the list: the target size against the actual count.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct CohortSummary {
    pub cohort: Cohort,
    pub applicants: u32,
    pub selected: u32,
    pub workshops: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct CohortDetail {
    pub cohort: Cohort,
    pub people: Vec<PersonRow>,
    pub workshops: Vec<Workshop>,
    pub attendance: Vec<AttendanceMark>,
    pub teams: Vec<Team>,
    pub outcomes: Vec<Outcome>,
    pub stats: crate::stats::CohortStats,
}

/// A person with their village's name, phone shown for people (010-1234-5678).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct PersonRow {
    pub person: Person,
    pub village_name: Option<String>,
    pub phone_display: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Training {
    pub id: Option<i64>,
    pub town_id: i64,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub trainer: String,
    pub agenda: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
pub struct Checklist {
    pub app_installed: bool,
    pub phone_registered: bool,
    pub practice_done: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Attendee {
    pub id: i64,
    pub training_id: i64,
    pub village_id: Option<i64>,
    pub village_name: Option<String>,
    pub name: String,
    pub phone_display: Option<String>,
    pub walk_in: bool,
    /// UTC instant of the check-in; `None` = not (yet) here.
    pub checked_in_at: Option<String>,
    pub checklist: Checklist,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct TrainingSummary {
    pub training: Training,
    pub town_name: String,
    pub roster: u32,
    pub present: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct TrainingDetail {
    pub summary: TrainingSummary,
    pub attendees: Vec<Attendee>,
}
