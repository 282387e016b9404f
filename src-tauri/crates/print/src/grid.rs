//! Ruled table cells: a box with wrapped text, and rows of such boxes with column spans.

use crate::fonts::{PT, Weight};
use crate::page::{Align, Ink, LEFT, Pager, WIDTH, black, rgb};

pub const PAD_X: f32 = 1.2;
pub const PAD_Y: f32 = 1.3;
pub const RULE: f32 = 0.2;

pub fn header_fill() -> Ink {
    rgb(0xd9, 0xe1, 0xf2)
}

pub fn error_fill() -> Ink {
    rgb(0xfc, 0xd5, 0xd5)
}

pub fn line_height(size: f32) -> f32 {
    size * PT * 1.45
}

#[derive(Clone)]
pub struct GridCell {
    pub text: String,
    pub span: usize,
    pub align: Align,
    pub weight: Weight,
    pub fill: Option<Ink>,
}

impl GridCell {
    pub fn label(text: &str) -> GridCell {
        GridCell {
            text: text.into(),
            span: 1,
            align: Align::Center,
            weight: Weight::Bold,
            fill: Some(header_fill()),
        }
    }

    pub fn value(text: &str) -> GridCell {
        GridCell {
            text: text.into(),
            span: 1,
            align: Align::Left,
            weight: Weight::Regular,
            fill: None,
        }
    }

    pub fn span(mut self, span: usize) -> GridCell {
        self.span = span;
        self
    }

    pub fn align(mut self, align: Align) -> GridCell {
        self.align = align;
        self
    }

    pub fn fill(mut self, fill: Option<Ink>) -> GridCell {
        self.fill = fill;
        self
    }
}

/// Lines of a cell's text once wrapped to the cell's inner width; explicit newlines kept.
pub fn wrapped(p: &Pager<'_>, text: &str, w: f32, size: f32, weight: Weight) -> Vec<String> {
    text.split('\n')
        .flat_map(|l| p.fonts.wrap(l, (w - 2.0 * PAD_X).max(1.0), size, weight))
        .collect()
}

/// A ruled box at (`x`, `y`) with `lines` vertically centred.
#[allow(clippy::too_many_arguments)]
pub fn boxed(
    p: &mut Pager<'_>,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    lines: &[String],
    size: f32,
    weight: Weight,
    align: Align,
    fill: Option<Ink>,
) {
    if let Some(fill) = fill {
        p.fill(x, y, w, h, fill);
    }
    p.stroke(x, y, w, h, RULE, black());
    let lh = line_height(size);
    let block = lh * lines.len() as f32;
    // Baseline of the first line: centred block, cap height about 0.75 of the size.
    let mut baseline = y + (h - block) / 2.0 + lh * 0.5 + size * PT * 0.36;
    for line in lines {
        p.text_in(
            x + PAD_X,
            w - 2.0 * PAD_X,
            baseline,
            size,
            weight,
            align,
            line,
        );
        baseline += lh;
    }
}

fn spans(widths: &[f32], cells: &[GridCell]) -> Vec<(f32, f32)> {
    let mut out = Vec::with_capacity(cells.len());
    let mut col = 0;
    let mut x = 0.0;
    for cell in cells {
        let w: f32 = widths[col..(col + cell.span).min(widths.len())]
            .iter()
            .sum();
        out.push((x, w));
        x += w;
        col += cell.span;
    }
    out
}

pub fn row_height(p: &Pager<'_>, widths: &[f32], cells: &[GridCell], size: f32) -> f32 {
    let lines = spans(widths, cells)
        .iter()
        .zip(cells)
        .map(|((_, w), c)| wrapped(p, &c.text, *w, size, c.weight).len())
        .max()
        .unwrap_or(1);
    lines as f32 * line_height(size) + 2.0 * PAD_Y
}

/// Draws one row at the cursor (starting a page first if it does not fit) and moves down.
pub fn row(p: &mut Pager<'_>, x0: f32, widths: &[f32], cells: &[GridCell], size: f32) {
    row_min(p, x0, widths, cells, size, 0.0);
}

/// A form's label and value pairs, one ruled row each with the label `label_w` mm wide, at
/// the left margin across the page: the heading block of every printed report.
pub fn fields<V: AsRef<str>>(p: &mut Pager<'_>, label_w: f32, lines: &[(&str, V)], size: f32) {
    let widths = [label_w, WIDTH - label_w];
    for (label, value) in lines {
        row(
            p,
            LEFT,
            &widths,
            &[GridCell::label(label), GridCell::value(value.as_ref())],
            size,
        );
    }
}

/// [`row`], at least `min_h` mm tall (room to sign in).
pub fn row_min(
    p: &mut Pager<'_>,
    x0: f32,
    widths: &[f32],
    cells: &[GridCell],
    size: f32,
    min_h: f32,
) {
    let h = row_height(p, widths, cells, size).max(min_h);
    p.ensure(h);
    let y = p.y;
    for ((dx, w), cell) in spans(widths, cells).into_iter().zip(cells) {
        let lines = wrapped(p, &cell.text, w, size, cell.weight);
        boxed(
            p,
            x0 + dx,
            y,
            w,
            h,
            &lines,
            size,
            cell.weight,
            cell.align,
            cell.fill,
        );
    }
    p.y += h;
}

/// A table whose header row is repeated on every page it runs onto; a row never splits.
pub fn table(
    p: &mut Pager<'_>,
    x0: f32,
    widths: &[f32],
    header: &[GridCell],
    rows: &[Vec<GridCell>],
    size: f32,
) {
    table_min(p, x0, widths, header, rows, size, 0.0);
}

/// [`table`] with body rows at least `min_h` mm tall.
pub fn table_min(
    p: &mut Pager<'_>,
    x0: f32,
    widths: &[f32],
    header: &[GridCell],
    rows: &[Vec<GridCell>],
    size: f32,
    min_h: f32,
) {
    let header_h = row_height(p, widths, header, size);
    let first_h = rows
        .first()
        .map_or(0.0, |r| row_height(p, widths, r, size).max(min_h));
    p.ensure(header_h + first_h);
    row(p, x0, widths, header, size);
    for cells in rows {
        if row_height(p, widths, cells, size).max(min_h) > p.room() {
            p.new_page();
            row(p, x0, widths, header, size);
        }
        row_min(p, x0, widths, cells, size, min_h);
    }
}

/// Height of a table's header row plus its first row: what a heading must stay with.
pub fn head_height(
    p: &Pager<'_>,
    widths: &[f32],
    header: &[GridCell],
    rows: &[Vec<GridCell>],
    size: f32,
) -> f32 {
    row_height(p, widths, header, size)
        + rows.first().map_or(0.0, |r| row_height(p, widths, r, size))
}
