//! Attendance figures for a cohort: per workshop and per participant.

use serde::Serialize;

use crate::model::{ApplicationState, Attendance, AttendanceMark, PersonRow, Workshop};

#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
pub struct WorkshopStats {
    pub workshop_id: i64,
    pub present: u32,
    pub late: u32,
    pub absent: u32,
    pub excused: u32,
    /// Selected participants with no mark for this workshop.
    pub unmarked: u32,
    /// (present + late) / selected participants, 0..=1; `None` before anyone is selected or
    /// before the workshop has any mark.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
pub struct PersonStats {
    pub person_id: i64,
    /// Present or late.
    pub attended: u32,
    pub excused: u32,
    /// Workshops with at least one mark (held, as far as the desk knows).
    pub held: u32,
    /// attended / (held − excused); `None` when there is nothing to count.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
pub struct CohortStats {
    pub target: u32,
    pub selected: u32,
    pub residents: u32,
    pub experts: u32,
    pub workshops: Vec<WorkshopStats>,
    pub people: Vec<PersonStats>,
    /// Over all held workshops: attendances / (selected × held).
    pub overall_rate: Option<f64>,
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

pub fn cohort_stats(
    target: u32,
    people: &[PersonRow],
    workshops: &[Workshop],
    marks: &[AttendanceMark],
) -> CohortStats {
    let selected: Vec<i64> = people
        .iter()
        .filter(|p| p.person.state == ApplicationState::Selected)
        .filter_map(|p| p.person.id)
        .collect();
    let is_selected = |id: i64| selected.contains(&id);
    let mut held = Vec::new();
    let mut per_workshop = Vec::with_capacity(workshops.len());
    for w in workshops {
        let Some(wid) = w.id else { continue };
        let mut s = WorkshopStats {
            workshop_id: wid,
            ..WorkshopStats::default()
        };
        let mut marked = 0;
        for m in marks.iter().filter(|m| m.workshop_id == wid) {
            match m.status {
                Attendance::Present => s.present += 1,
                Attendance::Late => s.late += 1,
                Attendance::Absent => s.absent += 1,
                Attendance::Excused => s.excused += 1,
            }
            if is_selected(m.person_id) {
                marked += 1;
            }
        }
        let was_held = marked > 0 || s.present + s.late + s.absent + s.excused > 0;
        if was_held {
            held.push(wid);
        }
        s.unmarked = selected.len() as u32 - marked;
        // A workshop nobody has marked yet (still ahead) has no rate rather than 0 %.
        s.rate = if was_held {
            ratio(s.present + s.late, selected.len() as u32)
        } else {
            None
        };
        per_workshop.push(s);
    }
    let mut per_person = Vec::with_capacity(selected.len());
    let mut total_attended = 0;
    for &pid in &selected {
        let mut s = PersonStats {
            person_id: pid,
            held: held.len() as u32,
            ..PersonStats::default()
        };
        for m in marks
            .iter()
            .filter(|m| m.person_id == pid && held.contains(&m.workshop_id))
        {
            match m.status {
                Attendance::Present | Attendance::Late => s.attended += 1,
                Attendance::Excused => s.excused += 1,
                Attendance::Absent => {}
            }
        }
        s.rate = ratio(s.attended, s.held - s.excused);
        total_attended += s.attended;
        per_person.push(s);
    }
    let count = |role| {
        people
            .iter()
            .filter(|p| p.person.state == ApplicationState::Selected && p.person.role == role)
            .count() as u32
    };
    CohortStats {
        target,
        selected: selected.len() as u32,
        residents: count(crate::model::PersonRole::Resident),
        experts: count(crate::model::PersonRole::Expert),
        workshops: per_workshop,
        people: per_person,
        overall_rate: ratio(total_attended, selected.len() as u32 * held.len() as u32),
    }
}
