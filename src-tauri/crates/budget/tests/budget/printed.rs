use std::process::Command;

use maeul_budget::demo::seed_card;
use maeul_budget::pdf::print_cards;
use maeul_budget::{MillionWon, PledgeCard, Source};

/// The PDF's text as poppler's `pdftotext -layout` reads it: an independent reader, so the
/// test also proves the embedded subset font maps back to the right characters.
fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by ./dev) must be on PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn print(cards: &[PledgeCard]) -> (Vec<u8>, usize) {
    print_cards(cards, "2026-11-25 09:00", &|_| {}).unwrap()
}

#[test]
fn the_printed_demo_card_holds_title_number_and_every_figure() {
    let (pdf, pages) = print(&[seed_card()]);
    let text = text_of(&pdf);
    let lines: Vec<String> = text.lines().map(squeeze).collect();
    assert!(text.contains("마을 단위 스마트 시스템 구축 확대"));
    assert!(text.contains("공감행정 ②-5"));
    assert!(text.contains("민선6기 군수 공약사업 관리카드(실천계획)"));
    assert!(text.contains("민선6기 군수 공약사업 관리카드(이행현황)"));

    // Both money tables, row by row, as printed: 총계 기투자 소계 2022…2026 2027 이후.
    let plan_row = "370 - 340 20 230 30 30 30 30";
    let done_row = "233 - 233 20 203 10 - - -";
    let empty_row = "- - - - - - - - -";
    for (label, row, times) in [
        ("계", plan_row, 1),
        ("군비", plan_row, 1),
        ("계", done_row, 1),
        ("군비", done_row, 1),
        ("국비", empty_row, 2),
        ("도비", empty_row, 2),
        ("민자", empty_row, 2),
        ("자담 등", empty_row, 2),
    ] {
        let wanted = format!("{label} {row}");
        let found = lines.iter().filter(|l| l.ends_with(&wanted)).count();
        assert_eq!(found, times, "{wanted:?} in\n{text}");
    }
    // Yearly progress and status.
    for p in ["15%", "70%", "80%", "90%", "100%"] {
        assert!(text.contains(p), "{p}");
    }
    assert!(text.contains("1 / 4쪽") || text.contains(&format!("1 / {pages}쪽")));
    assert!(text.contains("출력일 2026-11-25 09:00"));
    assert!(
        !text.contains("검증 오류"),
        "a clean card carries no error mark"
    );
    // History flows across pages and keeps its last entry.
    assert!(text.contains("반려동물 배변처리기"));
    assert!(pages >= 3, "{pages} pages");
    assert!(pdf.len() < 150 * 1024, "{} bytes", pdf.len());
}

#[test]
fn a_card_that_fails_checks_prints_with_the_mark_on_every_page() {
    let mut card = seed_card();
    card.plan.row_mut(Source::County).unwrap().years[1] = Some(MillionWon(231));
    let (pdf, pages) = print(&[card]);
    let text = text_of(&pdf);
    assert_eq!(text.matches("검증 오류 2건").count(), pages, "{text}");
    assert!(text.contains("투자계획 군비 소계: 340백만원이 연도별 합계 341백만원과 다릅니다"));
}

#[test]
fn a_long_history_flows_onto_further_pages_without_losing_a_line() {
    let mut card = seed_card();
    let long: Vec<String> = (1..=120)
        .map(|i| format!("- 추진 내용 {i:03}번째 줄"))
        .collect();
    card.history.push(maeul_budget::HistoryEntry {
        year: 2025,
        body: format!("○ 긴 추진현황\n{}", long.join("\n")),
    });
    let (pdf, pages) = print(std::slice::from_ref(&card));
    let (_, short_pages) = print(&[seed_card()]);
    assert!(pages > short_pages);
    let text = text_of(&pdf);
    for i in 1..=120 {
        assert!(
            text.contains(&format!("추진 내용 {i:03}번째 줄")),
            "line {i}"
        );
    }
    assert!(text.contains("2025년") && text.contains("(계속)"));
}

#[test]
fn many_cards_print_into_one_file_numbered_throughout() {
    let cards: Vec<PledgeCard> = (1..=3)
        .map(|i| {
            let mut c = seed_card();
            c.number = format!("공감행정 ②-{i}");
            c
        })
        .collect();
    let (pdf, pages) = print(&cards);
    let text = text_of(&pdf);
    for c in &cards {
        assert!(text.contains(&c.number));
    }
    assert!(text.contains(&format!("전체 {pages} / {pages}")));
}
