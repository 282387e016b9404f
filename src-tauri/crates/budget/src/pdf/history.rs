//! 추진현황: the implementation history table, which may run over several pages.

use super::card::BODY;
use crate::model::PledgeCard;
use maeul_print::fonts::Weight;
use maeul_print::grid::{self, GridCell, PAD_Y, boxed, header_fill, line_height};
use maeul_print::page::{Align, LEFT, Pager, TOP, WIDTH, black};

/// One body line of 추진현황: its indent and text.
fn history_lines(p: &Pager<'_>, body: &str, width: f32) -> Vec<(f32, String, Weight)> {
    let mut out = Vec::new();
    for raw in body.lines() {
        let spaces = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        // "○" headings flush left and bold; "•" sub-items deeper than "-" items and plain lines.
        let (indent, weight) = if line.starts_with('○') {
            (0.0, Weight::Bold)
        } else if line.starts_with('•') {
            (6.0, Weight::Regular)
        } else {
            (3.0, Weight::Regular)
        };
        let indent =
            indent + (spaces / 2) as f32 * 3.0 * f32::from(u8::from(!line.starts_with('•')));
        let marker_w = match line.split_once(' ') {
            Some((m, _)) if m.chars().count() == 1 => p.fonts.width(&format!("{m} "), BODY, weight),
            _ => 0.0,
        };
        for (i, wrapped) in p
            .fonts
            .wrap(line, width - indent - marker_w, BODY, weight)
            .into_iter()
            .enumerate()
        {
            let x = if i == 0 { indent } else { indent + marker_w };
            out.push((x, wrapped, weight));
        }
    }
    out
}

fn history_header(p: &mut Pager<'_>, widths: &[f32; 2]) {
    grid::row(
        p,
        LEFT,
        widths,
        &[GridCell::label("연도별"), GridCell::label("주요 내용")],
        BODY,
    );
}

/// Each entry is one row; a row that does not fit moves whole to the next page, and only an
/// entry longer than a page is divided, between lines, with the header repeated.
pub(crate) fn history(p: &mut Pager<'_>, card: &PledgeCard) {
    let widths = [20.0, WIDTH - 20.0];
    let lh = line_height(BODY);
    let header_h = lh + 2.0 * PAD_Y;
    p.ensure(header_h + lh * 3.0);
    history_header(p, &widths);
    let page_capacity = maeul_print::BOTTOM - TOP - 8.0 - header_h;
    for entry in &card.history {
        let mut lines = history_lines(p, &entry.body, widths[1] - 2.4);
        let mut continued = false;
        while !lines.is_empty() {
            let full = lines.len() as f32 * lh + 2.0 * PAD_Y;
            if full > p.room() && full <= page_capacity {
                p.new_page();
                history_header(p, &widths);
            }
            let fit = (((p.room() - 2.0 * PAD_Y) / lh).floor().max(0.0) as usize).min(lines.len());
            if fit == 0 {
                p.new_page();
                history_header(p, &widths);
                continue;
            }
            let chunk: Vec<_> = lines.drain(..fit).collect();
            let h = chunk.len() as f32 * lh + 2.0 * PAD_Y;
            let y = p.y;
            let year = if continued {
                format!("{}년\n(계속)", entry.year)
            } else {
                format!("{}년", entry.year)
            };
            let year_lines: Vec<String> = year.lines().map(str::to_string).collect();
            boxed(
                p,
                LEFT,
                y,
                widths[0],
                h,
                &year_lines,
                BODY,
                Weight::Bold,
                Align::Center,
                Some(header_fill()),
            );
            boxed(
                p,
                LEFT + widths[0],
                y,
                widths[1],
                h,
                &[],
                BODY,
                Weight::Regular,
                Align::Left,
                None,
            );
            let mut baseline = y + PAD_Y + lh * 0.75;
            for (x, text, weight) in chunk {
                p.text(
                    LEFT + widths[0] + 1.2 + x,
                    baseline,
                    BODY,
                    weight,
                    &text,
                    black(),
                );
                baseline += lh;
            }
            p.y = y + h;
            continued = true;
            if !lines.is_empty() {
                p.new_page();
                history_header(p, &widths);
            }
        }
    }
}
