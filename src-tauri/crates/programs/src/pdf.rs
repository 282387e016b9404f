//! Printables on the shared Korean PDF foundation: a sign-in sheet per session (names,
//! village, a signature column) and a cohort's attendance summary.

use maeul_print::grid::{self, GridCell};
use maeul_print::{Align, Document, LEFT, Pager, WIDTH, Weight, black};
use serde::Serialize;

use crate::ProgramsError;
use crate::model::{ApplicationState, Attendance, CohortDetail};

/// One line of a sign-in sheet.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SignInRow {
    pub name: String,
    /// Village, or the participant's role.
    pub affiliation: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SignInSheet {
    /// e.g. "이장교육 참석자 서명부".
    pub heading: String,
    pub title: String,
    /// "2024-06-19 (수) 09:30~12:00"
    pub when: String,
    pub place: String,
    pub leader: String,
    pub rows: Vec<SignInRow>,
    /// Empty rows for walk-ins at the end.
    pub blank_rows: u32,
}

/// A civil time range for people: "2024-06-19 (수) 09:30~12:00".
pub fn when(starts_at: &str, ends_at: &str) -> String {
    let weekday = starts_at
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .map(|d| {
            ["월", "화", "수", "목", "금", "토", "일"][d.weekday().to_monday_zero_offset() as usize]
        });
    let day = starts_at.get(..10).unwrap_or(starts_at);
    let t0 = starts_at.get(11..16).unwrap_or("");
    let (d1, t1) = (
        ends_at.get(..10).unwrap_or(""),
        ends_at.get(11..16).unwrap_or(""),
    );
    let end = if d1 == day {
        t1.to_string()
    } else {
        format!("{d1} {t1}")
    };
    match weekday {
        Some(w) => format!("{day} ({w}) {t0}~{end}"),
        None => format!("{day} {t0}~{end}"),
    }
}

fn document(title: &str) -> Result<Document, ProgramsError> {
    Document::new(title).ok_or_else(|| ProgramsError::Pdf("내장 글꼴을 읽을 수 없습니다".into()))
}

/// Refuses text the bundled font cannot draw instead of printing empty boxes.
fn printable(text: &str) -> Result<(), ProgramsError> {
    let fonts = maeul_print::fonts()
        .ok_or_else(|| ProgramsError::Pdf("내장 글꼴을 읽을 수 없습니다".into()))?;
    let missing = fonts.missing(text);
    if missing.is_empty() {
        Ok(())
    } else {
        let shown: String = missing.iter().take(10).collect();
        Err(ProgramsError::Pdf(format!(
            "글꼴에 없는 문자가 있어 인쇄할 수 없습니다: {shown}"
        )))
    }
}

fn heading(p: &mut Pager<'_>, heading: &str, lines: &[(&str, &str)]) {
    p.text_in(
        LEFT,
        WIDTH,
        p.y + 7.0,
        16.0,
        Weight::Bold,
        Align::Center,
        heading,
    );
    p.y += 13.0;
    grid::fields(p, 22.0, lines, 9.5);
    p.y += 5.0;
}

/// The sign-in sheet; returns the file and its page count.
pub fn sign_in_sheet(
    sheet: &SignInSheet,
    printed_at: &str,
) -> Result<(Vec<u8>, usize), ProgramsError> {
    printable(&serde_json::to_string(sheet).unwrap_or_default())?;
    let doc = document(&format!("{} {}", sheet.heading, sheet.title))?;
    let mut p = doc.pager();
    p.running_title = format!("{} — {} ({})", sheet.heading, sheet.title, sheet.when);
    heading(
        &mut p,
        &sheet.heading,
        &[
            ("교육·행사명", &sheet.title),
            ("일시", &sheet.when),
            ("장소", &sheet.place),
            ("진행", &sheet.leader),
        ],
    );
    let widths = [12.0, 34.0, 44.0, 34.0, WIDTH - 124.0];
    let header: Vec<GridCell> = ["번호", "성명", "마을·구분", "연락처", "서명"]
        .iter()
        .map(|h| GridCell::label(h).align(Align::Center))
        .collect();
    let mut rows: Vec<Vec<GridCell>> = sheet
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                GridCell::value(&(i + 1).to_string()).align(Align::Center),
                GridCell::value(&r.name),
                GridCell::value(&r.affiliation),
                GridCell::value(&r.phone).align(Align::Center),
                GridCell::value(""),
            ]
        })
        .collect();
    for i in 0..sheet.blank_rows as usize {
        rows.push(vec![
            GridCell::value(&(sheet.rows.len() + i + 1).to_string()).align(Align::Center),
            GridCell::value(""),
            GridCell::value(""),
            GridCell::value(""),
            GridCell::value(""),
        ]);
    }
    grid::table_min(&mut p, LEFT, &widths, &header, &rows, 10.0, 11.0);
    p.y += 4.0;
    p.ensure(6.0);
    let y = p.y + 4.0;
    p.text(
        LEFT,
        y,
        8.5,
        Weight::Regular,
        &format!(
            "명단 {}명 · 현장 추가용 빈 칸 {}줄",
            sheet.rows.len(),
            sheet.blank_rows
        ),
        black(),
    );
    p.number_pages(&sheet.title, printed_at);
    let n = p.pages.len();
    Ok((doc.save(p.pages), n))
}

fn mark(a: Option<Attendance>) -> &'static str {
    match a {
        Some(Attendance::Present) => "○",
        Some(Attendance::Late) => "△",
        Some(Attendance::Absent) => "×",
        Some(Attendance::Excused) => "공",
        None => "",
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_string(), |r| format!("{:.0}%", r * 100.0))
}

/// The cohort's attendance: selected participants × workshops, with rates.
pub fn attendance_summary(
    d: &CohortDetail,
    printed_at: &str,
) -> Result<(Vec<u8>, usize), ProgramsError> {
    let c = &d.cohort;
    printable(&serde_json::to_string(d).unwrap_or_default())?;
    let doc = document(&format!("{} 출석 현황", c.name))?;
    let mut p = doc.pager();
    p.running_title = format!("{} 출석 현황", c.name);
    let period = format!("{} ~ {}", c.activity_start, c.activity_end);
    let counts = format!(
        "선정 {}명 (목표 {}명) · 주민 {} · 전문가 {} · 워크숍 {}회 · 전체 출석률 {}",
        d.stats.selected,
        d.stats.target,
        d.stats.residents,
        d.stats.experts,
        d.workshops.len(),
        percent(d.stats.overall_rate)
    );
    heading(
        &mut p,
        "리빙랩 출석 현황",
        &[("기수", &c.name), ("활동 기간", &period), ("인원", &counts)],
    );
    let n = d.workshops.len().max(1);
    let fixed = [10.0, 26.0, 20.0];
    let rate_w = 16.0;
    let each = (WIDTH - fixed.iter().sum::<f32>() - rate_w) / n as f32;
    let mut widths = fixed.to_vec();
    widths.extend(std::iter::repeat_n(each, n));
    widths.push(rate_w);
    let mut header = vec![
        GridCell::label("번호").align(Align::Center),
        GridCell::label("성명").align(Align::Center),
        GridCell::label("구분").align(Align::Center),
    ];
    for (i, w) in d.workshops.iter().enumerate() {
        let day = w.starts_at.get(5..10).unwrap_or("").replace('-', "/");
        header.push(GridCell::label(&format!("{}회\n{day}", i + 1)).align(Align::Center));
    }
    if d.workshops.is_empty() {
        header.push(GridCell::label("-"));
    }
    header.push(GridCell::label("출석률").align(Align::Center));
    let selected = d
        .people
        .iter()
        .filter(|r| r.person.state == ApplicationState::Selected);
    let mut rows = Vec::new();
    for (i, r) in selected.enumerate() {
        let pid = r.person.id.unwrap_or_default();
        let mut cells = vec![
            GridCell::value(&(i + 1).to_string()).align(Align::Center),
            GridCell::value(&r.person.name),
            GridCell::value(r.person.role.label()).align(Align::Center),
        ];
        for w in &d.workshops {
            let m = d
                .attendance
                .iter()
                .find(|m| Some(m.workshop_id) == w.id && m.person_id == pid)
                .map(|m| m.status);
            cells.push(GridCell::value(mark(m)).align(Align::Center));
        }
        if d.workshops.is_empty() {
            cells.push(GridCell::value(""));
        }
        let rate = d
            .stats
            .people
            .iter()
            .find(|s| s.person_id == pid)
            .and_then(|s| s.rate);
        cells.push(GridCell::value(&percent(rate)).align(Align::Right));
        rows.push(cells);
    }
    let mut total = vec![GridCell::label("출석 인원").span(3).align(Align::Center)];
    for s in &d.stats.workshops {
        // A workshop still ahead (no marks) shows "-", not "0명 0%".
        let text = match s.rate {
            Some(_) => format!("{}명\n{}", s.present + s.late, percent(s.rate)),
            None => "-".to_string(),
        };
        total.push(GridCell::label(&text).align(Align::Center));
    }
    if d.workshops.is_empty() {
        total.push(GridCell::label(""));
    }
    total.push(GridCell::label(&percent(d.stats.overall_rate)).align(Align::Right));
    rows.push(total);
    grid::table(&mut p, LEFT, &widths, &header, &rows, 8.5);
    p.y += 3.0;
    p.ensure(6.0);
    let y = p.y + 4.0;
    p.text(
        LEFT,
        y,
        8.0,
        Weight::Regular,
        "○ 출석  △ 지각  × 결석  공 공결 · 출석률 = (출석+지각) / (열린 회차 - 공결)",
        black(),
    );
    p.number_pages(&c.name, printed_at);
    let n = p.pages.len();
    Ok((doc.save(p.pages), n))
}
