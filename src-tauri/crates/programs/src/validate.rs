//! Form checks. Each refusal names the field (as the form calls it) and says in Korean what
//! is wrong, so the UI can put the message under the right input.

use jiff::civil::{Date, DateTime};

use crate::ProgramsError;
use crate::model::{Cohort, Person, Training, Workshop};

pub fn date(field: &str, value: &str) -> Result<Date, ProgramsError> {
    value.trim().parse::<Date>().map_err(|_| {
        ProgramsError::invalid(
            field,
            format!("날짜는 2024-06-19 형식으로 적어 주세요 (받은 값: {value:?})"),
        )
    })
}

/// `YYYY-MM-DDTHH:MM` (a space instead of `T` is accepted too).
pub fn datetime(field: &str, value: &str) -> Result<DateTime, ProgramsError> {
    let v = value.trim().replacen(' ', "T", 1);
    v.parse::<DateTime>().map_err(|_| {
        ProgramsError::invalid(
            field,
            format!("일시는 2024-06-19 09:30 형식으로 적어 주세요 (받은 값: {value:?})"),
        )
    })
}

/// The stored form of a civil time: minutes precision.
pub fn civil(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M").to_string()
}

fn required(field: &str, value: &str, max: usize) -> Result<(), ProgramsError> {
    let n = value.trim().chars().count();
    if n == 0 {
        return Err(ProgramsError::invalid(field, "비어 있습니다"));
    }
    if n > max {
        return Err(ProgramsError::invalid(
            field,
            format!("{max}자를 넘을 수 없습니다 ({n}자)"),
        ));
    }
    Ok(())
}

/// Start before end, both well-formed; returns them in stored form.
pub fn interval(starts_at: &str, ends_at: &str) -> Result<(String, String), ProgramsError> {
    let s = datetime("starts_at", starts_at)?;
    let e = datetime("ends_at", ends_at)?;
    if e <= s {
        return Err(ProgramsError::invalid(
            "ends_at",
            "끝나는 시각이 시작 시각보다 뒤여야 합니다",
        ));
    }
    Ok((civil(s), civil(e)))
}

pub fn cohort(c: &mut Cohort) -> Result<(), ProgramsError> {
    required("name", &c.name, 80)?;
    c.name = c.name.trim().to_string();
    if !(2000..=2100).contains(&c.year) {
        return Err(ProgramsError::invalid("year", "연도가 올바르지 않습니다"));
    }
    if c.budget_million.is_some_and(|b| b < 0) {
        return Err(ProgramsError::invalid(
            "budget_million",
            "사업비는 0 이상이어야 합니다",
        ));
    }
    if !(1..=500).contains(&c.target_size) {
        return Err(ProgramsError::invalid(
            "target_size",
            "모집 인원은 1~500명이어야 합니다",
        ));
    }
    let a0 = date("activity_start", &c.activity_start)?;
    let a1 = date("activity_end", &c.activity_end)?;
    if a1 < a0 {
        return Err(ProgramsError::invalid(
            "activity_end",
            "활동 종료일이 시작일보다 빠릅니다",
        ));
    }
    match (&c.recruit_start, &c.recruit_end) {
        (Some(s), Some(e)) if !s.trim().is_empty() || !e.trim().is_empty() => {
            let r0 = date("recruit_start", s)?;
            let r1 = date("recruit_end", e)?;
            if r1 < r0 {
                return Err(ProgramsError::invalid(
                    "recruit_end",
                    "모집 마감일이 시작일보다 빠릅니다",
                ));
            }
        }
        (Some(_), None) => {
            return Err(ProgramsError::invalid(
                "recruit_end",
                "모집 마감일이 없습니다",
            ));
        }
        (None, Some(_)) => {
            return Err(ProgramsError::invalid(
                "recruit_start",
                "모집 시작일이 없습니다",
            ));
        }
        _ => {
            c.recruit_start = None;
            c.recruit_end = None;
        }
    }
    if let Some(d) = &c.results_date {
        if d.trim().is_empty() {
            c.results_date = None;
        } else {
            date("results_date", d)?;
        }
    }
    Ok(())
}

/// Checks a person and normalises the phone to E.164.
pub fn person(p: &mut Person) -> Result<(), ProgramsError> {
    required("name", &p.name, 40)?;
    p.name = p.name.trim().to_string();
    p.phone = match p.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            maeul_registry::phone::normalize(raw)
                .map_err(|e| ProgramsError::invalid("phone", e.to_string()))?
                .e164,
        ),
    };
    if p.sms_consent && p.phone.is_none() {
        return Err(ProgramsError::invalid(
            "phone",
            "문자 수신에 동의했으면 전화번호가 있어야 합니다",
        ));
    }
    Ok(())
}

pub fn workshop(w: &mut Workshop) -> Result<(), ProgramsError> {
    required("title", &w.title, 80)?;
    required("place", &w.place, 80)?;
    if !(1..=3).contains(&w.phase) {
        return Err(ProgramsError::invalid(
            "phase",
            "단계는 1, 2, 3 중 하나입니다",
        ));
    }
    (w.starts_at, w.ends_at) = interval(&w.starts_at, &w.ends_at)?;
    w.title = w.title.trim().to_string();
    w.place = w.place.trim().to_string();
    w.facilitator = w.facilitator.trim().to_string();
    Ok(())
}

pub fn training(t: &mut Training) -> Result<(), ProgramsError> {
    required("title", &t.title, 80)?;
    required("place", &t.place, 80)?;
    (t.starts_at, t.ends_at) = interval(&t.starts_at, &t.ends_at)?;
    t.title = t.title.trim().to_string();
    t.place = t.place.trim().to_string();
    t.trainer = t.trainer.trim().to_string();
    Ok(())
}
