//! NanumGothic (SIL OFL, `assets/fonts/`), parsed once per process and measured here so that
//! lines can be broken before they reach the page. printpdf subsets it on save.

use std::sync::OnceLock;

use printpdf::ParsedFont;

static REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/NanumGothic.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/NanumGothicBold.ttf");

pub struct Face {
    pub font: ParsedFont,
    units_per_em: f32,
    /// Advances of U+0000–U+33FF (Latin, punctuation, symbols, circled numbers, jamo) and of
    /// every Hangul syllable, looked up once: a card measures tens of thousands of characters.
    low: Vec<u16>,
    hangul: Vec<u16>,
}

const LOW_END: u32 = 0x3400;
const HANGUL: std::ops::Range<u32> = 0xAC00..0xD7A4;

impl Face {
    fn lookup(font: &ParsedFont, c: u32) -> u16 {
        let gid = font.lookup_glyph_index(c).unwrap_or(0);
        font.get_horizontal_advance(gid)
    }

    fn advance(&self, c: char) -> u16 {
        let u = c as u32;
        if u < LOW_END {
            self.low[u as usize]
        } else if HANGUL.contains(&u) {
            self.hangul[(u - HANGUL.start) as usize]
        } else {
            Face::lookup(&self.font, u)
        }
    }
}

pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Points to millimetres.
pub const PT: f32 = 25.4 / 72.0;

fn parse(bytes: &[u8]) -> Option<Face> {
    let font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
    let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    let low = (0..LOW_END).map(|c| Face::lookup(&font, c)).collect();
    let hangul = HANGUL.map(|c| Face::lookup(&font, c)).collect();
    Some(Face {
        font,
        units_per_em,
        low,
        hangul,
    })
}

/// The parsed faces; `None` only if the bundled files were damaged at build time.
pub fn fonts() -> Option<&'static Fonts> {
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
        let units: u32 = text.chars().map(|c| u32::from(face.advance(c))).sum();
        units as f32 / face.units_per_em * size * PT
    }

    /// Breaks `text` into lines no wider than `width` mm: at spaces where it can, and inside a
    /// word only when the word alone is too wide (Hangul may break between any syllables).
    /// Each character is measured once.
    pub fn wrap(&self, text: &str, width: f32, size: f32, weight: Weight) -> Vec<String> {
        let space = self.width(" ", size, weight);
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in text.split(' ') {
            let word_w = self.width(word, size, weight);
            let joined = if line.is_empty() {
                word_w
            } else {
                line_w + space + word_w
            };
            if joined <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line_w = 0.0;
            if word_w <= width {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            for c in word.chars() {
                let mut buf = [0u8; 4];
                let cw = self.width(c.encode_utf8(&mut buf), size, weight);
                if line_w + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Characters the faces cannot draw (they would print as empty boxes).
    /// `text` cut to fit `width` mm, ending in "…" when it was cut.
    pub fn truncate(&self, text: &str, width: f32, size: f32, weight: Weight) -> String {
        if self.width(text, size, weight) <= width {
            return text.to_string();
        }
        let mut out = String::new();
        for c in text.chars() {
            out.push(c);
            if self.width(&format!("{out}…"), size, weight) > width {
                out.pop();
                break;
            }
        }
        format!("{}…", out.trim_end())
    }

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
