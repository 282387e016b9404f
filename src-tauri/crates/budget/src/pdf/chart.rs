//! 연도별 계획 대비 집행: paired bars per year, drawn as vector paths.

use crate::model::{MillionWon, PledgeCard, Source, amount};
use maeul_print::fonts::Weight;
use maeul_print::page::{Align, LEFT, Pager, WIDTH, black, rgb};

pub(crate) const HEIGHT: f32 = 62.0;

/// A round step for the axis: 1, 2 or 5 times a power of ten, giving at most 5 gridlines.
fn axis_step(max: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if max <= step * m * 5 {
                return step * m;
            }
        }
        step *= 10;
    }
}

pub(crate) fn plan_vs_executed(p: &mut Pager<'_>, card: &PledgeCard) {
    let years = card.years();
    let per_year = |table: &crate::MoneyTable| -> Vec<MillionWon> {
        let row = table.row(Source::Total);
        (0..years.len())
            .map(|i| {
                row.and_then(|r| r.years.get(i).copied().flatten())
                    .unwrap_or_default()
            })
            .collect()
    };
    let plan = per_year(&card.plan);
    let done = per_year(&card.executed);
    let max = plan
        .iter()
        .chain(&done)
        .map(|m| m.0)
        .max()
        .unwrap_or(0)
        .max(1);
    let step = axis_step(max);
    let top_value = step * ((max + step - 1) / step);

    p.ensure(HEIGHT);
    let top = p.y;
    p.text(
        LEFT,
        top + 4.0,
        9.0,
        Weight::Bold,
        "연도별 계획 대비 집행 (백만원)",
        black(),
    );
    let plan_col = rgb(0x9d, 0xb4, 0xd8);
    let done_col = rgb(0x1f, 0x3a, 0x68);
    // Legend, top right.
    let lx = LEFT + WIDTH - 46.0;
    p.fill(lx, top + 1.2, 3.5, 3.5, plan_col);
    p.text(lx + 5.0, top + 4.0, 8.0, Weight::Regular, "계획", black());
    p.fill(lx + 20.0, top + 1.2, 3.5, 3.5, done_col);
    p.text(lx + 25.0, top + 4.0, 8.0, Weight::Regular, "집행", black());

    let (plot_x, plot_w) = (LEFT + 14.0, WIDTH - 16.0);
    let (plot_top, plot_h) = (top + 9.0, HEIGHT - 20.0);
    let y_of = |v: i64| plot_top + plot_h - plot_h * v as f32 / top_value as f32;
    let grid = rgb(0xcc, 0xcc, 0xcc);
    let mut v = 0;
    while v <= top_value {
        let y = y_of(v);
        p.hline(
            plot_x,
            plot_x + plot_w,
            y,
            if v == 0 { 0.3 } else { 0.1 },
            if v == 0 { black() } else { grid },
        );
        p.text_in(
            LEFT,
            12.5,
            y + 1.0,
            7.0,
            Weight::Regular,
            Align::Right,
            &v.to_string(),
        );
        v += step;
    }
    let group_w = plot_w / years.len() as f32;
    let bar_w = (group_w * 0.3).min(12.0);
    for (i, year) in years.iter().enumerate() {
        let gx = plot_x + group_w * i as f32 + group_w / 2.0;
        for (value, color, x) in [
            (plan[i], plan_col, gx - bar_w - 0.4),
            (done[i], done_col, gx + 0.4),
        ] {
            if value.0 > 0 {
                let y = y_of(value.0);
                p.fill(x, y, bar_w, y_of(0) - y, color);
            }
            p.text_in(
                x - 2.0,
                bar_w + 4.0,
                y_of(value.0) - 1.0,
                7.0,
                Weight::Regular,
                Align::Center,
                &amount(Some(value)).0.to_string(),
            );
        }
        p.text_in(
            gx - group_w / 2.0,
            group_w,
            plot_top + plot_h + 4.5,
            8.0,
            Weight::Regular,
            Align::Center,
            &year.to_string(),
        );
    }
    p.y = top + HEIGHT;
}

#[cfg(test)]
mod tests {
    use super::axis_step;

    #[test]
    fn axis_steps_are_round_and_give_at_most_five_lines() {
        assert_eq!(axis_step(230), 50);
        assert_eq!(axis_step(1), 1);
        assert_eq!(axis_step(9), 2);
        assert_eq!(axis_step(1000), 200);
    }
}
