//! The Korean PDF foundation: NanumGothic embedded and subset, an A4 page cursor in
//! millimetres from the top-left, and ruled grids with wrapped cells. The budget cards and
//! the programmes' sign-in sheets print through it, so they look like one family.

pub mod fonts;
pub mod grid;
pub mod page;

pub use fonts::{Fonts, PT, Weight, fonts};
pub use page::{Align, BOTTOM, Ink, LEFT, PAGE_H, PAGE_W, Pager, RIGHT, TOP, WIDTH, black, rgb};

pub use printpdf::Op;
use printpdf::{Mm, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions};

/// A document with both faces registered, ready for [`Pager`]s.
pub struct Document {
    pub doc: PdfDocument,
    pub fonts: &'static Fonts,
    pub regular: PdfFontHandle,
    pub bold: PdfFontHandle,
}

impl Document {
    /// `None` only if the bundled font files were damaged at build time.
    pub fn new(title: &str) -> Option<Document> {
        let fonts = fonts::fonts()?;
        let mut doc = PdfDocument::new(title);
        let regular = PdfFontHandle::External(doc.add_font(&fonts.regular.font));
        let bold = PdfFontHandle::External(doc.add_font(&fonts.bold.font));
        Some(Document {
            doc,
            fonts,
            regular,
            bold,
        })
    }

    pub fn pager(&self) -> Pager<'static> {
        Pager::new(self.fonts, self.regular.clone(), self.bold.clone())
    }

    /// Writes the pages (A4 portrait) with the fonts subset to the characters used.
    pub fn save(mut self, pages: Vec<Vec<Op>>) -> Vec<u8> {
        let pages = pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops))
            .collect();
        self.doc.with_pages(pages);
        let options = PdfSaveOptions {
            subset_fonts: true,
            ..PdfSaveOptions::default()
        };
        let mut warnings = Vec::new();
        let bytes = self.doc.save(&options, &mut warnings);
        for w in warnings
            .iter()
            .filter(|w| w.severity != printpdf::PdfParseErrorSeverity::Info)
        {
            log::warn!("pdf: {w:?}");
        }
        bytes
    }
}
