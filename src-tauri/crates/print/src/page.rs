//! A page cursor over printpdf's operations: millimetres measured from the top-left corner,
//! the way the card is designed, turned into PDF points from the bottom-left on the way out.

use printpdf::{
    Color, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem,
};

use crate::fonts::{Fonts, Weight};

pub const PAGE_W: f32 = 210.0;
pub const PAGE_H: f32 = 297.0;
pub const LEFT: f32 = 15.0;
pub const RIGHT: f32 = PAGE_W - 15.0;
pub const TOP: f32 = 14.0;
/// Below this the footer lives.
pub const BOTTOM: f32 = PAGE_H - 18.0;
pub const WIDTH: f32 = RIGHT - LEFT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// An RGB colour, small and `Copy` so that layout code can pass it around freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ink(u8, u8, u8);

impl Ink {
    fn color(self) -> Color {
        Color::Rgb(Rgb {
            r: f32::from(self.0) / 255.0,
            g: f32::from(self.1) / 255.0,
            b: f32::from(self.2) / 255.0,
            icc_profile: None,
        })
    }
}

pub fn rgb(r: u8, g: u8, b: u8) -> Ink {
    Ink(r, g, b)
}

pub fn black() -> Ink {
    rgb(0, 0, 0)
}

fn point(x: f32, y_from_top: f32) -> Point {
    Point {
        x: Mm(x).into(),
        y: Mm(PAGE_H - y_from_top).into(),
    }
}

/// The pages of one card as they are laid out.
pub struct Pager<'f> {
    pub fonts: &'f Fonts,
    pub regular: PdfFontHandle,
    pub bold: PdfFontHandle,
    pub pages: Vec<Vec<Op>>,
    /// Distance of the cursor from the top edge, mm.
    pub y: f32,
    /// Called at the top of every page after the first (a running title).
    pub running_title: String,
}

impl<'f> Pager<'f> {
    pub fn new(fonts: &'f Fonts, regular: PdfFontHandle, bold: PdfFontHandle) -> Pager<'f> {
        Pager {
            fonts,
            regular,
            bold,
            pages: vec![Vec::new()],
            y: TOP,
            running_title: String::new(),
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a pager always has a page")
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
        if !self.running_title.is_empty() {
            let title = self.running_title.clone();
            self.text(
                LEFT,
                TOP + 3.0,
                8.0,
                Weight::Regular,
                &title,
                rgb(90, 90, 90),
            );
            self.hline(LEFT, RIGHT, TOP + 4.5, 0.2, rgb(150, 150, 150));
            self.y = TOP + 8.0;
        }
    }

    /// Room left on this page, mm.
    pub fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Starts a new page unless `height` mm still fit.
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() {
            self.new_page();
        }
    }

    /// One line of text with its baseline at `baseline` mm from the top.
    pub fn text(&mut self, x: f32, baseline: f32, size: f32, weight: Weight, s: &str, color: Ink) {
        if s.is_empty() {
            return;
        }
        let font = match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        };
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color.color() },
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: point(x, baseline),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Text placed inside `[x, x + w]` by `align`.
    #[allow(clippy::too_many_arguments)]
    pub fn text_in(
        &mut self,
        x: f32,
        w: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        align: Align,
        s: &str,
    ) {
        let tw = self.fonts.width(s, size, weight);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (w - tw) / 2.0,
            Align::Right => x + w - tw,
        };
        self.text(x, baseline, size, weight, s, black());
    }

    pub fn hline(&mut self, x0: f32, x1: f32, y: f32, thickness: f32, color: Ink) {
        self.line(&[(x0, y), (x1, y)], thickness, color);
    }

    pub fn line(&mut self, points: &[(f32, f32)], thickness: f32, color: Ink) {
        let points = points
            .iter()
            .map(|(x, y)| LinePoint {
                p: point(*x, *y),
                bezier: false,
            })
            .collect();
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness {
                pt: Pt(thickness / super::fonts::PT),
            },
            Op::DrawLine {
                line: Line {
                    points,
                    is_closed: false,
                },
            },
        ]);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, mode: PaintMode) {
        let bottom_left = point(x, y + h);
        let rectangle = Rect {
            x: bottom_left.x,
            y: bottom_left.y,
            width: Mm(w).into(),
            height: Mm(h).into(),
            mode: Some(mode),
            winding_order: None,
        };
        self.ops().push(Op::DrawRectangle { rectangle });
    }

    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Ink) {
        self.ops().push(Op::SetFillColor { col: color.color() });
        self.rect(x, y, w, h, PaintMode::Fill);
    }

    pub fn stroke(&mut self, x: f32, y: f32, w: f32, h: f32, thickness: f32, color: Ink) {
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness {
                pt: Pt(thickness / super::fonts::PT),
            },
        ]);
        self.rect(x, y, w, h, PaintMode::Stroke);
    }

    /// Footers once the page count is known: `left` at the left, "n / N쪽" centred and the
    /// print date at the right of every page.
    pub fn number_pages(&mut self, left: &str, printed_at: &str) {
        let n = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let mut out = Vec::with_capacity(n);
        for (i, ops) in pages.into_iter().enumerate() {
            self.pages = vec![ops];
            let y = BOTTOM + 6.0;
            let grey = rgb(80, 80, 80);
            self.hline(LEFT, RIGHT, y - 3.5, 0.2, rgb(150, 150, 150));
            // The left text yields to the centred page number.
            let room = WIDTH / 2.0 - 14.0;
            let shown = self.fonts.truncate(left, room, 7.5, Weight::Regular);
            self.text(LEFT, y, 7.5, Weight::Regular, &shown, grey);
            let page = format!("{} / {n}쪽", i + 1);
            self.text_in(LEFT, WIDTH, y, 8.0, Weight::Regular, Align::Center, &page);
            let date = format!("출력일 {printed_at}");
            self.text_in(LEFT, WIDTH, y, 7.5, Weight::Regular, Align::Right, &date);
            out.append(&mut self.pages);
        }
        self.pages = out;
    }
}
