//! Printed and exported documents made by the Windows build, read back on Linux.

use std::process::Command;

use crate::wine::{maeul, ok, win, workdir};

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn budget_card_and_calendar_print_under_windows() {
    let dir = workdir();
    let db = dir.path().join("홍 길동/desk.db");
    ok(maeul(Some(&db)).arg("demo-seed").output().unwrap());

    // The seed's card: the font subset and the figures survive, as pdftotext reads them.
    let pdf = dir.path().join("홍 길동/공약사업 관리카드.pdf");
    let printed = ok(maeul(Some(&db))
        .args([
            "budget",
            "print",
            "--card",
            "공감행정 ②-5",
            "--out",
            &win(&pdf),
        ])
        .output()
        .unwrap());
    assert!(printed.contains("카드 1"), "{printed}");
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<String> = text.lines().map(squeeze).collect();
    assert!(text.contains("마을 단위 스마트 시스템 구축 확대"), "{text}");
    for row in [
        "계 370 - 340 20 230 30 30 30 30",
        "계 233 - 233 20 203 10 - - -",
    ] {
        assert!(lines.iter().any(|l| l.ends_with(row)), "{row} in\n{text}");
    }

    // The 2024 living lab's calendar: CRLF lines, times in UTC from Korean time.
    let listing: serde_json::Value = serde_json::from_str(&ok(maeul(Some(&db))
        .args(["programs", "list", "--json"])
        .output()
        .unwrap()))
    .unwrap();
    let cohort = &listing["cohorts"][0];
    assert_eq!(cohort["year"], 2024);
    let ics = dir.path().join("홍 길동/2024 리빙랩.ics");
    ok(maeul(Some(&db))
        .args([
            "programs",
            "ics",
            "--cohort",
            &cohort["id"].to_string(),
            "--out",
            &win(&ics),
        ])
        .output()
        .unwrap());
    let cal = std::fs::read_to_string(&ics).unwrap();
    assert!(cal.starts_with("BEGIN:VCALENDAR\r\n"), "{cal}");
    assert_eq!(cal.matches("BEGIN:VEVENT").count(), 4);
    assert!(
        cal.contains("DTSTART:20240619T003000Z"),
        "OT 09:30 KST: {cal}"
    );
    assert_eq!(
        cal.matches('\n').count(),
        cal.matches("\r\n").count(),
        "every line CRLF"
    );
}
