//! The printed card: A4 portrait, NanumGothic embedded and subset, ruled tables, a vector
//! chart, page numbers and the print date on every page, and a red "검증 오류" mark on every
//! page of a card whose figures do not add up.

mod card;
mod chart;
mod history;
mod money;
mod status;

use maeul_print::{Align, BOTTOM, Document, LEFT, PAGE_H, Pager, RIGHT, WIDTH, Weight, fonts, rgb};

use crate::BudgetError;
use crate::check::{CheckIssue, check};
use crate::model::PledgeCard;

/// Where a batch print has got to: `done` of `total` cards laid out; `saving` while the
/// fonts are subset and the file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
pub struct PrintProgress {
    pub done: u32,
    pub total: u32,
    pub saving: bool,
}

/// Characters in the cards that the bundled font cannot draw. Printing refuses them rather
/// than printing empty boxes.
pub fn unprintable(card: &PledgeCard) -> Vec<char> {
    let Some(fonts) = fonts() else {
        return vec![];
    };
    let text = serde_json::to_string(card).unwrap_or_default();
    fonts.missing(&text)
}

/// Prints `cards` into one PDF, in the order given; returns the file and its page count.
/// `printed_at` is shown in every footer.
pub fn print_cards(
    cards: &[PledgeCard],
    printed_at: &str,
    progress: &(dyn Fn(PrintProgress) + Send + Sync),
) -> Result<(Vec<u8>, usize), BudgetError> {
    let fonts = fonts().ok_or_else(|| BudgetError::Pdf("내장 글꼴을 읽을 수 없습니다".into()))?;
    for card in cards {
        let missing = unprintable(card);
        if !missing.is_empty() {
            let shown: String = missing.iter().take(10).collect();
            return Err(BudgetError::Invalid {
                field: "card".into(),
                reason: format!(
                    "{}: 글꼴에 없는 문자가 있어 인쇄할 수 없습니다: {shown}",
                    card.number
                ),
            });
        }
    }
    let title = match cards {
        [one] => format!("{} {}", one.number, one.title),
        _ => format!("공약사업 관리카드 {}건", cards.len()),
    };
    let doc = Document::new(&title)
        .ok_or_else(|| BudgetError::Pdf("내장 글꼴을 읽을 수 없습니다".into()))?;
    let (regular, bold) = (doc.regular.clone(), doc.bold.clone());

    let total = cards.len() as u32;
    let mut laid_out: Vec<(Vec<Vec<maeul_print::Op>>, usize)> = Vec::with_capacity(cards.len());
    for (i, card) in cards.iter().enumerate() {
        let issues = check(card);
        let mut pager = Pager::new(fonts, regular.clone(), bold.clone());
        card::lay_out(&mut pager, card, &issues);
        let mut pages = pager.pages;
        // Drop a trailing page left empty by a last section that ended on a page break.
        if pages.len() > 1 && pages.last().is_some_and(Vec::is_empty) {
            pages.pop();
        }
        let n = pages.len();
        let mut finisher = Pager::new(fonts, regular.clone(), bold.clone());
        finisher.pages = pages;
        footers(&mut finisher, card, &issues, printed_at, cards.len() > 1);
        laid_out.push((finisher.pages, n));
        progress(PrintProgress {
            done: i as u32 + 1,
            total,
            saving: false,
        });
    }
    let all_pages: usize = laid_out.iter().map(|(_, n)| n).sum();
    let mut page_no = 0;
    let mut pages = Vec::with_capacity(all_pages);
    for (card_pages, _) in laid_out {
        for mut ops in card_pages {
            page_no += 1;
            if total > 1 {
                let mut p = Pager::new(fonts, regular.clone(), bold.clone());
                p.pages = vec![Vec::new()];
                p.text_in(
                    LEFT,
                    WIDTH,
                    PAGE_H - 6.0,
                    7.0,
                    Weight::Regular,
                    Align::Right,
                    &format!("전체 {page_no} / {all_pages}"),
                );
                ops.extend(p.pages.pop().unwrap_or_default());
            }
            pages.push(ops);
        }
    }
    progress(PrintProgress {
        done: total,
        total,
        saving: true,
    });
    let bytes = doc.save(pages);
    Ok((bytes, all_pages))
}

/// Page numbers, print date and the error mark, added once the card's page count is known.
fn footers(
    p: &mut Pager<'_>,
    card: &PledgeCard,
    issues: &[CheckIssue],
    printed_at: &str,
    batch: bool,
) {
    let n = p.pages.len();
    let pages = std::mem::take(&mut p.pages);
    let mut out = Vec::with_capacity(n);
    for (i, ops) in pages.into_iter().enumerate() {
        p.pages = vec![ops];
        let y = BOTTOM + 6.0;
        p.hline(LEFT, RIGHT, y - 3.5, 0.2, rgb(150, 150, 150));
        let grey = rgb(80, 80, 80);
        p.text(LEFT, y, 7.5, Weight::Regular, &card.number, grey);
        let pages = if batch {
            format!("이 카드 {} / {n}쪽", i + 1)
        } else {
            format!("{} / {n}쪽", i + 1)
        };
        p.text_in(LEFT, WIDTH, y, 8.0, Weight::Regular, Align::Center, &pages);
        p.text_in(
            LEFT,
            WIDTH,
            y,
            7.5,
            Weight::Regular,
            Align::Right,
            &format!("출력일 {printed_at}"),
        );
        if !issues.is_empty() {
            let (w, h) = (34.0, 8.0);
            let (x, top) = (RIGHT - w, 4.0);
            let red = rgb(0xc0, 0, 0);
            p.stroke(x, top, w, h, 0.6, red);
            p.text(
                x + 3.0,
                top + 5.6,
                10.0,
                Weight::Bold,
                &format!("검증 오류 {}건", issues.len()),
                red,
            );
        }
        out.append(&mut p.pages);
    }
    p.pages = out;
}
