//! NanumGothic (SIL OFL, `assets/fonts/`), parsed once per process and measured here so that
//! lines can be broken before they reach the page. printpdf subsets it on save.

use std::sync::OnceLock;

use printpdf::ParsedFont;

static REGULAR_TTF: &[u8] = include_bytes!("../../../../../assets/fonts/NanumGothic.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../../../../assets/fonts/NanumGothicBold.ttf");

pub(crate) struct Face {
    pub font: ParsedFont,
    units_per_em: f32,
}

pub(crate) struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Points to millimetres.
pub(crate) const PT: f32 = 25.4 / 72.0;

fn parse(bytes: &[u8]) -> Option<Face> {
    let font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
    let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    Some(Face { font, units_per_em })
}

/// The parsed faces; `None` only if the bundled files were damaged at build time.
pub(crate) fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: parse(REGULAR_TTF)?,
                bold: parse(BOLD_TTF)?,
            })
        })
        .as_ref()
}

impl Fonts {
    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Width of `text` in millimetres at `size` points.
    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = self.face(weight);
        let units: u32 = text
            .chars()
            .map(|c| {
                face.font
                    .lookup_glyph_index(c as u32)
                    .map_or(u32::from(face.font.get_horizontal_advance(0)), |g| {
                        u32::from(face.font.get_horizontal_advance(g))
                    })
            })
            .sum();
        units as f32 / face.units_per_em * size * PT
    }

    /// Breaks `text` into lines no wider than `width` mm: at spaces where it can, and inside a
    /// word only when the word alone is too wide (Hangul may break between any syllables).
    pub fn wrap(&self, text: &str, width: f32, size: f32, weight: Weight) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, weight) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(&line, size, weight) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Characters the faces cannot draw (they would print as empty boxes).
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| {
                !c.is_whitespace() && self.regular.font.lookup_glyph_index(*c as u32).is_none()
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}
