//! The two money tables (투자계획, 집행액) drawn like the card: a split "연도/재원" corner,
//! a two-level header, and 기타 spanning 민자 and 자담 등.

use std::collections::HashSet;

use crate::model::{Cell, MoneyTable, PledgeCard, Source};
use maeul_print::fonts::Weight;
use maeul_print::grid::{PAD_Y, boxed, error_fill, header_fill, line_height};
use maeul_print::page::{Align, LEFT, Pager, WIDTH, black};

const SIZE: f32 = 8.5;

fn shown(cell: Cell) -> String {
    cell.map_or("-".into(), |m| m.0.to_string())
}

/// `middle` is the heading over 소계 and the years ("투 자 계 획" or "집행액"); `marked` holds
/// the keys of cells that failed a check (`plan.county.y2023`, …).
pub(crate) fn money_table(
    p: &mut Pager<'_>,
    card: &PledgeCard,
    table: &MoneyTable,
    table_key: &str,
    middle: &str,
    marked: &HashSet<String>,
) {
    let years = card.years();
    let (label_w, total_w, prior_w, sub_w, after_w) = (24.0, 17.0, 15.0, 17.0, 19.0);
    let year_w = (WIDTH - label_w - total_w - prior_w - sub_w - after_w) / years.len() as f32;
    let row_h = line_height(SIZE) + 2.0 * PAD_Y;
    p.ensure(row_h * 8.0);
    let top = p.y;
    let one = |s: &str| vec![s.to_string()];
    let bold = Weight::Bold;
    let fill = Some(header_fill());

    // Corner: 연도 over 재원, split by a diagonal as on the paper card.
    let h2 = row_h * 2.0;
    boxed(
        p,
        LEFT,
        top,
        label_w,
        h2,
        &[],
        SIZE,
        bold,
        Align::Center,
        fill,
    );
    p.line(&[(LEFT, top), (LEFT + label_w, top + h2)], 0.2, black());
    p.text_in(
        LEFT + 1.2,
        label_w - 2.4,
        top + row_h * 0.75,
        SIZE,
        bold,
        Align::Right,
        "연도",
    );
    p.text_in(
        LEFT + 1.2,
        label_w - 2.4,
        top + row_h * 1.75,
        SIZE,
        bold,
        Align::Left,
        "재원",
    );

    let mut x = LEFT + label_w;
    boxed(
        p,
        x,
        top,
        total_w,
        h2,
        &one("총계"),
        SIZE,
        bold,
        Align::Center,
        fill,
    );
    x += total_w;
    boxed(
        p,
        x,
        top,
        prior_w,
        h2,
        &one("기투자"),
        SIZE,
        bold,
        Align::Center,
        fill,
    );
    x += prior_w;
    let middle_w = sub_w + year_w * years.len() as f32;
    boxed(
        p,
        x,
        top,
        middle_w,
        row_h,
        &one(middle),
        SIZE,
        bold,
        Align::Center,
        fill,
    );
    boxed(
        p,
        x,
        top + row_h,
        sub_w,
        row_h,
        &one("소계"),
        SIZE,
        bold,
        Align::Center,
        fill,
    );
    let mut yx = x + sub_w;
    for year in &years {
        boxed(
            p,
            yx,
            top + row_h,
            year_w,
            row_h,
            &one(&year.to_string()),
            SIZE,
            bold,
            Align::Center,
            fill,
        );
        yx += year_w;
    }
    x += middle_w;
    let after = format!("{} 이후", card.last_year + 1);
    boxed(
        p,
        x,
        top,
        after_w,
        h2,
        &one(&after),
        SIZE,
        bold,
        Align::Center,
        fill,
    );

    let mut y = top + h2;
    for source in Source::ALL {
        let Some(row) = table.row(source) else {
            continue;
        };
        let weight = if source == Source::Total {
            Weight::Bold
        } else {
            Weight::Regular
        };
        // 기타 spans 민자 and 자담 등; their own labels sit to its right.
        const OTHER_W: f32 = 9.0;
        if source == Source::Private {
            boxed(
                p,
                LEFT,
                y,
                OTHER_W,
                row_h * 2.0,
                &one("기 타"),
                SIZE,
                bold,
                Align::Center,
                fill,
            );
        }
        let (label_x, label_cell_w) = match source {
            Source::Private | Source::SelfFunded => (LEFT + OTHER_W, label_w - OTHER_W),
            _ => (LEFT, label_w),
        };
        boxed(
            p,
            label_x,
            y,
            label_cell_w,
            row_h,
            &one(source.label()),
            SIZE,
            bold,
            Align::Center,
            fill,
        );
        let mut cells: Vec<(String, Cell, f32)> = vec![
            ("total".into(), row.total, total_w),
            ("prior".into(), row.prior, prior_w),
            ("subtotal".into(), row.subtotal, sub_w),
        ];
        for (i, year) in years.iter().enumerate() {
            cells.push((
                format!("y{year}"),
                row.years.get(i).copied().flatten(),
                year_w,
            ));
        }
        cells.push(("after".into(), row.after, after_w));
        let mut x = LEFT + label_w;
        for (column, cell, w) in cells {
            let key = format!("{table_key}.{}.{column}", source.key());
            let fill = marked.contains(&key).then(error_fill);
            boxed(
                p,
                x,
                y,
                w,
                row_h,
                &one(&shown(cell)),
                SIZE,
                weight,
                Align::Center,
                fill,
            );
            x += w;
        }
        y += row_h;
    }
    p.y = y;
}
