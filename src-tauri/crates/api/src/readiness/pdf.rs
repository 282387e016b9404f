//! The readiness one-pager as PDF: key figures, bars against the county's, households
//! reached month by month (vector shapes, not pictures), and for a town or the county the
//! line per village or town.

use maeul_print::grid::{self, GridCell};
use maeul_print::{Align, Document, Ink, LEFT, Pager, WIDTH, Weight, black, rgb};

use super::{Readiness, ReadinessKind, ReadinessReport};
use crate::{ApiError, ApiResult, ErrorCode};

fn pct(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 * 100.0 / whole as f64
    } else {
        0.0
    }
}

fn n(v: i64) -> String {
    let s = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 { format!("-{out}") } else { out }
}

fn heading(p: &mut Pager<'_>, text: &str) {
    p.ensure(14.0);
    p.text(LEFT, p.y + 6.0, 11.5, Weight::Bold, text, black());
    p.y += 9.0;
}

fn chief_line(r: &Readiness, kind: ReadinessKind) -> String {
    match kind {
        ReadinessKind::Village => match (&r.trained_at, r.invited) {
            (Some(at), _) => format!(
                "이수 ({}, {}/{}회 참석)",
                maeul_time::seoul_day(at),
                r.attended,
                r.invited
            ),
            (None, 0) => "교육 기록 없음".into(),
            (None, invited) => format!("미이수 (초대 {invited}회, 참석 0회)"),
        },
        _ => format!(
            "이장 {}명 중 {}명 이수 ({:.0}%)",
            r.villages,
            r.chiefs_trained,
            pct(r.chiefs_trained, r.villages)
        ),
    }
}

/// Horizontal bars: this place against the county, each with its percentage.
fn compare(p: &mut Pager<'_>, r: &ReadinessReport) {
    let dark = rgb(47, 93, 158);
    let light = rgb(178, 196, 222);
    let rows = [
        (
            "가입률",
            pct(r.total.signed_up, r.total.households),
            pct(r.county.signed_up, r.county.households),
        ),
        (
            "90일 도달률",
            pct(r.total.reached_90, r.total.households),
            pct(r.county.reached_90, r.county.households),
        ),
        (
            "번호 눌러 응답",
            pct(r.total.confirmed_90, r.total.households),
            pct(r.county.confirmed_90, r.county.households),
        ),
        (
            "이장 교육 이수율",
            pct(r.total.chiefs_trained, r.total.villages),
            pct(r.county.chiefs_trained, r.county.villages),
        ),
    ];
    let label_w = 32.0;
    let bar_w = WIDTH - label_w - 22.0;
    let compare = r.kind != ReadinessKind::County;
    p.ensure(rows.len() as f32 * 11.0 + 8.0);
    for (label, this, county) in rows {
        let y = p.y;
        p.text(LEFT, y + 4.2, 9.0, Weight::Regular, label, black());
        let x = LEFT + label_w;
        p.fill(x, y, bar_w, 4.5, rgb(238, 241, 245));
        p.fill(x, y, bar_w * (this / 100.0) as f32, 4.5, dark);
        p.text(
            x + bar_w + 2.0,
            y + 4.0,
            9.0,
            Weight::Bold,
            &format!("{this:.1}%"),
            black(),
        );
        if compare {
            p.fill(x, y + 5.5, bar_w * (county / 100.0) as f32, 2.5, light);
            p.text(
                x + bar_w + 2.0,
                y + 8.2,
                7.0,
                Weight::Regular,
                &format!("군 {county:.1}%"),
                rgb(90, 90, 90),
            );
        }
        p.y += 11.0;
    }
    if compare {
        let y = p.y;
        p.fill(LEFT + label_w, y, 6.0, 2.5, dark);
        p.text(
            LEFT + label_w + 8.0,
            y + 2.5,
            7.5,
            Weight::Regular,
            &r.title,
            black(),
        );
        p.fill(LEFT + label_w + 60.0, y, 6.0, 2.5, light);
        p.text(
            LEFT + label_w + 68.0,
            y + 2.5,
            7.5,
            Weight::Regular,
            &format!("{} 전체", r.county.name),
            black(),
        );
        p.y += 6.0;
    }
    p.y += 3.0;
}

/// Vertical bars: households reached in each of the last twelve months.
fn months(p: &mut Pager<'_>, r: &ReadinessReport) {
    let h = 40.0;
    p.ensure(h + 16.0);
    let top = p.y + 4.0;
    let max = r.total.households.max(1) as f32;
    let slot = WIDTH / r.months.len().max(1) as f32;
    let ink: Ink = rgb(47, 93, 158);
    p.hline(LEFT, LEFT + WIDTH, top + h, 0.3, rgb(120, 120, 120));
    for (i, (month, reached)) in r.months.iter().enumerate() {
        let x = LEFT + slot * i as f32;
        let bh = h * (*reached as f32 / max).min(1.0);
        p.fill(x + slot * 0.18, top + h - bh, slot * 0.64, bh, ink);
        let share = pct(*reached, r.total.households);
        p.text_in(
            x,
            slot,
            top + h - bh - 1.2,
            6.5,
            Weight::Regular,
            Align::Center,
            &format!("{share:.0}%"),
        );
        let label = month.get(5..).map_or(month.clone(), |m| {
            format!("{}월", m.trim_start_matches('0'))
        });
        p.text_in(
            x,
            slot,
            top + h + 4.0,
            7.0,
            Weight::Regular,
            Align::Center,
            &label,
        );
    }
    p.y = top + h + 9.0;
}

fn lines_table(p: &mut Pager<'_>, r: &ReadinessReport) {
    let first = if r.kind == ReadinessKind::Town {
        "마을"
    } else {
        "읍면"
    };
    let header: Vec<GridCell> = [
        first,
        "이장 교육",
        "세대",
        "가입률",
        "90일 도달",
        "미도달",
        "가입 대기",
        "방송(90일)",
    ]
    .iter()
    .map(|h| GridCell::label(h).align(Align::Center))
    .collect();
    let rows: Vec<Vec<GridCell>> = r
        .lines
        .iter()
        .map(|l| {
            let chief = if r.kind == ReadinessKind::Town {
                if l.chiefs_trained > 0 {
                    "이수".to_string()
                } else if l.invited > 0 {
                    "불참".into()
                } else {
                    "-".into()
                }
            } else {
                format!("{}/{}", l.chiefs_trained, l.villages)
            };
            vec![
                GridCell::value(&l.name),
                GridCell::value(&chief).align(Align::Center),
                GridCell::value(&n(l.households)).align(Align::Right),
                GridCell::value(&format!("{:.1}%", pct(l.signed_up, l.households)))
                    .align(Align::Right),
                GridCell::value(&format!("{:.1}%", pct(l.reached_90, l.households)))
                    .align(Align::Right),
                GridCell::value(&n(l.not_reached_90)).align(Align::Right),
                GridCell::value(&n(l.pending)).align(Align::Right),
                GridCell::value(&n(l.broadcasts_90)).align(Align::Right),
            ]
        })
        .collect();
    let widths = [WIDTH - 126.0, 18.0, 18.0, 18.0, 18.0, 18.0, 18.0, 18.0];
    grid::table(p, LEFT, &widths, &header, &rows, 8.0);
}

/// The PDF and its page count.
pub fn write(r: &ReadinessReport, printed_at: &str) -> ApiResult<(Vec<u8>, usize)> {
    let title = format!("마을방송 준비 현황 — {}", r.title);
    let doc = Document::new(&title)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "내장 글꼴을 읽을 수 없습니다"))?;
    let mut p = doc.pager();
    p.running_title = title.clone();
    p.text_in(
        LEFT,
        WIDTH,
        p.y + 7.0,
        16.0,
        Weight::Bold,
        Align::Center,
        "마을방송 준비 현황",
    );
    p.text_in(
        LEFT,
        WIDTH,
        p.y + 14.0,
        12.0,
        Weight::Regular,
        Align::Center,
        &r.title,
    );
    p.y += 20.0;

    heading(&mut p, "핵심 지표 (최근 90일)");
    let t = &r.total;
    let figures = [
        ("이장 교육", chief_line(t, r.kind)),
        ("세대", format!("{}세대", n(t.households))),
        (
            "가입 세대",
            format!(
                "{}세대 ({:.1}%)",
                n(t.signed_up),
                pct(t.signed_up, t.households)
            ),
        ),
        (
            "닿은 세대",
            format!(
                "{}세대 ({:.1}%) · 전화에 번호를 눌러 응답 {}세대",
                n(t.reached_90),
                pct(t.reached_90, t.households),
                n(t.confirmed_90)
            ),
        ),
        (
            "못 닿은 세대",
            format!("{}세대 (방문 확인표로 확인)", n(t.not_reached_90)),
        ),
        ("가입 대기", format!("{}명", n(t.pending))),
        ("방송", format!("{}건", n(t.broadcasts_90))),
    ];
    grid::fields(&mut p, 30.0, &figures, 9.5);
    p.y += 6.0;

    heading(
        &mut p,
        if r.kind == ReadinessKind::County {
            "지표"
        } else {
            "군 전체와 비교"
        },
    );
    compare(&mut p, r);
    heading(&mut p, "월별 닿은 세대 (최근 12개월, 세대 대비)");
    months(&mut p, r);
    if !r.lines.is_empty() {
        heading(
            &mut p,
            if r.kind == ReadinessKind::Town {
                "마을별"
            } else {
                "읍면별"
            },
        );
        lines_table(&mut p, r);
    }
    p.number_pages(&title, printed_at);
    let pages = p.pages.len();
    Ok((doc.save(p.pages), pages))
}
