//! One card, section by section, in the order and shape of the county's paper card:
//! 실천계획 (plan) first, then 이행현황 (implementation) from a fresh page.

use std::collections::HashSet;

use super::chart;
use super::history::history;
use super::money::money_table;
use super::status::status_table;
use crate::check::CheckIssue;
use crate::model::PledgeCard;
use maeul_print::fonts::Weight;
use maeul_print::grid::{self, GridCell, PAD_Y, boxed, line_height};
use maeul_print::page::{Align, LEFT, Pager, WIDTH, black, rgb};

/// Body text size, pt.
pub(crate) const BODY: f32 = 9.0;

pub(crate) fn lay_out(p: &mut Pager<'_>, card: &PledgeCard, issues: &[CheckIssue]) {
    let marked: HashSet<String> = issues.iter().map(|i| i.key.clone()).collect();
    p.running_title = format!("{} · {}", card.number, card.title);

    title(p, &format!("{}(실천계획)", card.heading));
    header_block(p, card, &marked);

    section(p, "□ 목표 및 필요성");
    for goal in &card.goals {
        paragraph(p, 2.0, &format!("- {goal}"), Weight::Regular);
    }
    section(p, "□ 사업개요");
    for (i, sub) in card.sub_projects.iter().enumerate() {
        let circled = char::from_u32(0x2460 + i as u32).unwrap_or('•');
        paragraph(p, 2.0, &format!("{circled} {}", sub.title), Weight::Bold);
        paragraph(
            p,
            5.0,
            &format!("- 사업기간 : {}", sub.period),
            Weight::Regular,
        );
        paragraph(
            p,
            5.0,
            &format!("- 사업대상 : {}", sub.targets),
            Weight::Regular,
        );
        if let Some(budget) = sub.budget {
            paragraph(
                p,
                5.0,
                &format!("- 사업비 : {}백만원", budget.0),
                Weight::Regular,
            );
        }
        for line in &sub.content {
            let indent = if line.starts_with('-') || line.starts_with('•') {
                8.0
            } else {
                5.0
            };
            let text = if indent > 5.0 {
                line.clone()
            } else {
                format!("- {line}")
            };
            paragraph(p, indent, &text, Weight::Regular);
        }
        p.y += 1.0;
    }
    phases(p, &card.phases);
    section(p, "□ 기대효과");
    for effect in &card.effects {
        paragraph(p, 2.0, &format!("- {effect}"), Weight::Regular);
    }

    section_with_unit(p, "□ 연도별 사업비 투자계획");
    money_table(p, card, &card.plan, "plan", "투 자 계 획", &marked);

    let widths = [18.0, WIDTH - 38.0, 20.0];
    let header = [
        GridCell::label("연도"),
        GridCell::label("주요내용 및 확인지표"),
        GridCell::label("진도"),
    ];
    let rows: Vec<Vec<GridCell>> = card
        .yearly_plan
        .iter()
        .map(|plan| {
            let items: Vec<String> = plan.items.iter().map(|i| format!("• {i}")).collect();
            let key = format!("yearly_plan.-.progress{}", plan.year);
            vec![
                GridCell::value(&plan.year.to_string()).align(Align::Center),
                GridCell::value(&items.join("\n")),
                GridCell::value(&format!("{}%", plan.progress))
                    .align(Align::Center)
                    .fill(marked.contains(&key).then(grid::error_fill)),
            ]
        })
        .collect();
    let keep = grid::head_height(p, &widths, &header, &rows, BODY);
    section_keep(p, "□ 연도별 추진계획", keep);
    grid::table(p, LEFT, &widths, &header, &rows, BODY);

    p.new_page();
    title(p, &format!("{}(이행현황)", card.heading));
    section_with_unit(p, "□ 사업비 확정 및 집행액");
    money_table(p, card, &card.executed, "executed", "집행액", &marked);
    for reason in &card.overrun_reasons {
        paragraph(
            p,
            2.0,
            &format!(
                "※ {}년 {} 초과집행 사유: {}",
                reason.year,
                reason.source.label(),
                reason.reason
            ),
            Weight::Regular,
        );
    }
    p.y += 3.0;
    chart::plan_vs_executed(p, card);

    section_keep(p, "□ 추진현황", 20.0);
    history(p, card);

    section(p, "□ 향후 추진계획");
    for line in &card.future_plan {
        paragraph(p, 2.0, &format!("○ {line}"), Weight::Regular);
    }
    section_keep(p, "□ 이행현황", 22.0);
    status_table(p, card, &marked);
    section(p, "□ 공약사업 추진 중 주요 변경사항");
    paragraph(p, 2.0, &card.changes, Weight::Regular);

    if !issues.is_empty() {
        section(p, &format!("□ 검증 오류 ({}건)", issues.len()));
        for issue in issues {
            let lines = p.fonts.wrap(
                &format!("- {}", issue.message),
                WIDTH - 4.0,
                BODY,
                Weight::Regular,
            );
            for line in lines {
                let lh = line_height(BODY);
                p.ensure(lh);
                p.text(
                    LEFT + 2.0,
                    p.y + lh * 0.75,
                    BODY,
                    Weight::Regular,
                    &line,
                    rgb(0xc0, 0, 0),
                );
                p.y += lh;
            }
        }
    }
}

fn title(p: &mut Pager<'_>, text: &str) {
    p.ensure(14.0);
    let y = p.y;
    p.text_in(
        LEFT,
        WIDTH,
        y + 7.0,
        15.0,
        Weight::Bold,
        Align::Center,
        text,
    );
    p.y = y + 12.0;
}

fn section(p: &mut Pager<'_>, text: &str) {
    section_keep(p, text, 10.0);
}

/// A heading kept on one page with the first `keep` mm of what follows it.
fn section_keep(p: &mut Pager<'_>, text: &str, keep: f32) {
    p.ensure(9.0 + keep);
    p.y += 2.5;
    let y = p.y;
    p.text(LEFT, y + 4.0, 10.5, Weight::Bold, text, black());
    p.y = y + 6.5;
}

/// A section heading with "(단위 : 백만원)" at the right, kept with its money table.
fn section_with_unit(p: &mut Pager<'_>, text: &str) {
    // Heading, two header rows and six source rows.
    section_keep(p, text, 58.0);
    let y = p.y - 6.5;
    p.text_in(
        LEFT,
        WIDTH,
        y + 4.0,
        8.0,
        Weight::Regular,
        Align::Right,
        "(단위 : 백만원)",
    );
}

/// A paragraph whose wrapped lines hang under the text after its marker ("- ", "• ", "○ ").
fn paragraph(p: &mut Pager<'_>, indent: f32, text: &str, weight: Weight) {
    let marker: String = match text.split_once(' ') {
        Some((m, _)) if m.chars().count() <= 2 && !m.chars().any(char::is_alphanumeric) => {
            format!("{m} ")
        }
        _ => String::new(),
    };
    let hang = p.fonts.width(&marker, BODY, weight);
    let lh = line_height(BODY);
    let lines = p
        .fonts
        .wrap(&text[marker.len()..], WIDTH - indent - hang, BODY, weight);
    for (i, line) in lines.iter().enumerate() {
        p.ensure(lh);
        let baseline = p.y + lh * 0.75;
        if i == 0 && !marker.is_empty() {
            p.text(LEFT + indent, baseline, BODY, weight, &marker, black());
        }
        p.text(LEFT + indent + hang, baseline, BODY, weight, line, black());
        p.y += lh;
    }
}

/// 1단계 ⇒ 2단계 ⇒ 3단계 as boxes joined by arrows.
fn phases(p: &mut Pager<'_>, phases: &[String]) {
    if phases.is_empty() {
        return;
    }
    let n = phases.len() as f32;
    let gap = 8.0;
    let w = (WIDTH - 4.0 - gap * (n - 1.0)) / n;
    let lines: Vec<Vec<String>> = phases
        .iter()
        .map(|s| grid::wrapped(p, s, w, BODY, Weight::Regular))
        .collect();
    let h = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_height(BODY) + 2.0 * PAD_Y;
    p.ensure(h + 3.0);
    p.y += 1.5;
    let y = p.y;
    for (i, l) in lines.iter().enumerate() {
        let x = LEFT + 2.0 + (w + gap) * i as f32;
        boxed(
            p,
            x,
            y,
            w,
            h,
            l,
            BODY,
            Weight::Regular,
            Align::Center,
            Some(rgb(0xf2, 0xf2, 0xf2)),
        );
        if i + 1 < lines.len() {
            let ay = y + h / 2.0;
            p.line(&[(x + w + 1.5, ay), (x + w + gap - 1.5, ay)], 0.4, black());
            p.line(
                &[
                    (x + w + gap - 3.0, ay - 1.2),
                    (x + w + gap - 1.5, ay),
                    (x + w + gap - 3.0, ay + 1.2),
                ],
                0.4,
                black(),
            );
        }
    }
    p.y = y + h + 1.5;
}

fn header_block(p: &mut Pager<'_>, card: &PledgeCard, marked: &HashSet<String>) {
    let widths = [18.0, 24.0, 18.0, 28.0, 16.0, 42.0, 18.0, 16.0];
    let l = GridCell::label;
    let v = GridCell::value;
    grid::row(
        p,
        LEFT,
        &widths,
        &[
            l("관리번호"),
            v(&card.number),
            l("공약명"),
            v(&card.title).span(5),
        ],
        BODY,
    );
    grid::row(
        p,
        LEFT,
        &widths,
        &[
            l("총괄부서"),
            v(&card.lead_department),
            l("추진담당"),
            v(&card.teams),
            l("담당자"),
            v(&card.contacts),
            l("협조부서"),
            v(&card.cooperating),
        ],
        BODY,
    );
    let budget_fill = marked
        .contains("header.-.total_budget")
        .then(grid::error_fill);
    grid::row(
        p,
        LEFT,
        &widths,
        &[
            l("사업기간"),
            v(&format!("{}년 ~ {}년", card.first_year, card.last_year)).span(3),
            l("총 사업비"),
            v(&format!("{}백만원", card.total_budget.0))
                .span(3)
                .fill(budget_fill),
        ],
        BODY,
    );
}
