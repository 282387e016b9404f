//! 이행현황: the status table with its two-level header and the ○ under the card's status.

use std::collections::HashSet;

use super::card::BODY;
use crate::model::{PledgeCard, StatusKind};
use maeul_print::fonts::Weight;
use maeul_print::grid::{self, PAD_Y, boxed, header_fill, line_height};
use maeul_print::page::{Align, LEFT, Pager};

pub(crate) fn status_table(p: &mut Pager<'_>, card: &PledgeCard, marked: &HashSet<String>) {
    let widths = [22.0, 20.0, 26.0, 22.0, 22.0, 20.0, 20.0, 28.0];
    let lh = line_height(BODY) + 2.0 * PAD_Y;
    p.ensure(lh * 3.0 + 2.0);
    let y = p.y;
    let fill = Some(header_fill());
    let one = |s: &str| vec![s.to_string()];
    let bold = Weight::Bold;
    let xs: Vec<f32> = widths
        .iter()
        .scan(LEFT, |x, w| {
            let here = *x;
            *x += w;
            Some(here)
        })
        .collect();
    boxed(
        p,
        xs[0],
        y,
        widths[0],
        lh * 2.0,
        &one("구분"),
        BODY,
        bold,
        Align::Center,
        fill,
    );
    boxed(
        p,
        xs[1],
        y,
        widths[1],
        lh * 2.0,
        &one("완료"),
        BODY,
        bold,
        Align::Center,
        fill,
    );
    boxed(
        p,
        xs[2],
        y,
        widths[2] + widths[3] + widths[4],
        lh,
        &one("추진중"),
        BODY,
        bold,
        Align::Center,
        fill,
    );
    boxed(
        p,
        xs[5],
        y,
        widths[5] + widths[6],
        lh,
        &one("미착수"),
        BODY,
        bold,
        Align::Center,
        fill,
    );
    boxed(
        p,
        xs[7],
        y,
        widths[7],
        lh * 2.0,
        &one("비고"),
        BODY,
        bold,
        Align::Center,
        fill,
    );
    for (i, kind) in StatusKind::ALL.iter().enumerate().skip(1) {
        let size = if kind.label().chars().count() > 5 {
            7.5
        } else {
            BODY
        };
        boxed(
            p,
            xs[i + 1],
            y + lh,
            widths[i + 1],
            lh,
            &one(kind.label()),
            size,
            bold,
            Align::Center,
            fill,
        );
    }
    let row_y = y + lh * 2.0;
    boxed(
        p,
        xs[0],
        row_y,
        widths[0],
        lh,
        &one("이행도"),
        BODY,
        bold,
        Align::Center,
        fill,
    );
    for (i, kind) in StatusKind::ALL.iter().enumerate() {
        let mark = if *kind == card.status.kind { "○" } else { "" };
        boxed(
            p,
            xs[i + 1],
            row_y,
            widths[i + 1],
            lh,
            &one(mark),
            BODY,
            Weight::Regular,
            Align::Center,
            None,
        );
    }
    let percent_fill = marked.contains("status.-.percent").then(grid::error_fill);
    boxed(
        p,
        xs[7],
        row_y,
        widths[7],
        lh,
        &one(&format!("{}%", card.status.percent)),
        BODY,
        Weight::Regular,
        Align::Center,
        percent_fill,
    );
    p.y = row_y + lh;
}
