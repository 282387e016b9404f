//! `maeul-bench pdf`: printing the seed's pledge card. One card (goal ≤ 50 ms, ≤ 150 KB),
//! 100 cards into one PDF, and, when LibreOffice is installed, the same card converted by
//! `soffice --headless` from an equivalent HTML document, as a ratio.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use maeul_api::{ApiError, ErrorCode};
use maeul_budget::demo::seed_card;
use maeul_budget::pdf::print_cards;
use maeul_budget::{MoneyTable, PledgeCard, StatusKind};

fn io(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, e.to_string())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[0], times[times.len() - 1])
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let out = f();
    (started.elapsed(), out)
}

pub fn run(runs: usize) -> Result<ExitCode, ApiError> {
    let runs = runs.max(1);
    let card = seed_card();
    let at = "2026-11-25 09:00";
    let print = |cards: &[PledgeCard]| print_cards(cards, at, &|_| {});

    // The first print parses the two embedded font files; later prints reuse them.
    let (cold, first) = time(|| print(std::slice::from_ref(&card)));
    let (bytes, pages) = first?;
    let mut one = Vec::with_capacity(runs);
    for _ in 0..runs {
        one.push(time(|| print(std::slice::from_ref(&card))).0);
    }
    let (m, lo, hi) = median(one);
    println!(
        "bench pdf one card: median {} (min {}, max {}, {runs} runs; first print with font parsing {}); {pages} pages, {:.1} KB",
        ms(m),
        ms(lo),
        ms(hi),
        ms(cold),
        bytes.len() as f64 / 1024.0
    );

    let hundred: Vec<PledgeCard> = (1..=100)
        .map(|i| {
            let mut c = card.clone();
            c.number = format!("공감행정 ②-{i:03}");
            c
        })
        .collect();
    let batch_runs = runs.min(5);
    let mut batch = Vec::with_capacity(batch_runs);
    let mut batch_out = (0, 0);
    for _ in 0..batch_runs {
        let (d, r) = time(|| print(&hundred));
        let (b, p) = r?;
        batch_out = (b.len(), p);
        batch.push(d);
    }
    let (bm, blo, bhi) = median(batch);
    println!(
        "bench pdf 100 cards in one PDF: median {} (min {}, max {}, {batch_runs} runs); {} pages, {:.1} KB",
        ms(bm),
        ms(blo),
        ms(bhi),
        batch_out.1,
        batch_out.0 as f64 / 1024.0
    );

    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        println!("bench pdf libreoffice: not installed on this machine; comparison skipped");
        return Ok(ExitCode::SUCCESS);
    };
    let dir = std::env::temp_dir().join(format!("maeul-bench-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let html = dir.join("card.html");
    std::fs::write(&html, card_html(&card)).map_err(io)?;
    let lo_runs = runs.min(5);
    let mut lo_times = Vec::with_capacity(lo_runs);
    let mut lo_size = 0;
    for _ in 0..lo_runs {
        let (d, ok) = time(|| convert(soffice, &html, &dir));
        ok?;
        lo_size = std::fs::metadata(dir.join("card.pdf")).map_err(io)?.len();
        lo_times.push(d);
    }
    let (lm, llo, lhi) = median(lo_times);
    println!(
        "bench pdf libreoffice ({soffice} --headless --convert-to pdf, same card as HTML): median {} (min {}, max {}, {lo_runs} runs); {:.1} KB; maeul is {:.0}× faster",
        ms(lm),
        ms(llo),
        ms(lhi),
        lo_size as f64 / 1024.0,
        lm.as_secs_f64() / m.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}

fn convert(soffice: &str, html: &Path, dir: &Path) -> Result<(), ApiError> {
    let profile = dir.join("lo-profile");
    let out = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "pdf:writer_web_pdf_Export",
            "--outdir",
        ])
        .arg(dir)
        .arg(html)
        .output()
        .map_err(io)?;
    if !out.status.success() {
        return Err(io(String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn money_html(out: &mut String, card: &PledgeCard, table: &MoneyTable, middle: &str) {
    let years = card.years();
    let _ = write!(
        out,
        "<table border=1><tr><th rowspan=2>연도/재원</th><th rowspan=2>총계</th><th rowspan=2>기투자</th><th colspan={}>{middle}</th><th rowspan=2>{} 이후</th></tr><tr><th>소계</th>",
        years.len() + 1,
        card.last_year + 1
    );
    for y in &years {
        let _ = write!(out, "<th>{y}</th>");
    }
    out.push_str("</tr>");
    let cell = |c: Option<maeul_budget::MillionWon>| c.map_or("-".to_string(), |m| m.0.to_string());
    for row in &table.rows {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td>",
            row.source.label(),
            cell(row.total),
            cell(row.prior),
            cell(row.subtotal)
        );
        for c in &row.years {
            let _ = write!(out, "<td>{}</td>", cell(*c));
        }
        let _ = write!(out, "<td>{}</td></tr>", cell(row.after));
    }
    out.push_str("</table>");
}

/// The same card as an HTML document: the same sections, tables and text.
fn card_html(card: &PledgeCard) -> String {
    let mut out = String::from(
        "<!doctype html><html><head><meta charset=utf-8><style>body{font-family:'NanumGothic';font-size:9pt}table{border-collapse:collapse;width:100%}td,th{padding:2px}</style></head><body>",
    );
    let _ = write!(out, "<h2>{}(실천계획)</h2>", esc(&card.heading));
    let _ = write!(
        out,
        "<table border=1><tr><th>관리번호</th><td>{}</td><th>공약명</th><td colspan=5>{}</td></tr><tr><th>총괄부서</th><td>{}</td><th>추진담당</th><td>{}</td><th>담당자</th><td>{}</td><th>협조부서</th><td>{}</td></tr><tr><th>사업기간</th><td colspan=3>{}년 ~ {}년</td><th>총 사업비</th><td colspan=3>{}백만원</td></tr></table>",
        esc(&card.number),
        esc(&card.title),
        esc(&card.lead_department),
        esc(&card.teams),
        esc(&card.contacts),
        esc(&card.cooperating),
        card.first_year,
        card.last_year,
        card.total_budget.0
    );
    let list = |out: &mut String, title: &str, items: &[String]| {
        let _ = write!(out, "<h3>{title}</h3><ul>");
        for i in items {
            let _ = write!(out, "<li>{}</li>", esc(i));
        }
        out.push_str("</ul>");
    };
    list(&mut out, "□ 목표 및 필요성", &card.goals);
    out.push_str("<h3>□ 사업개요</h3>");
    for sub in &card.sub_projects {
        let _ = write!(
            out,
            "<p><b>{}</b> {} / {}</p><ul>",
            esc(&sub.title),
            esc(&sub.period),
            esc(&sub.targets)
        );
        for l in &sub.content {
            let _ = write!(out, "<li>{}</li>", esc(l));
        }
        out.push_str("</ul>");
    }
    list(&mut out, "□ 기대효과", &card.effects);
    out.push_str("<h3>□ 연도별 사업비 투자계획</h3>");
    money_html(&mut out, card, &card.plan, "투 자 계 획");
    out.push_str("<h3>□ 연도별 추진계획</h3><table border=1>");
    for p in &card.yearly_plan {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td><td>{}%</td></tr>",
            p.year,
            esc(&p.items.join("<br>")),
            p.progress
        );
    }
    out.push_str("</table>");
    let _ = write!(
        out,
        "<h2 style='page-break-before:always'>{}(이행현황)</h2><h3>□ 사업비 확정 및 집행액</h3>",
        esc(&card.heading)
    );
    money_html(&mut out, card, &card.executed, "집행액");
    out.push_str("<h3>□ 추진현황</h3><table border=1>");
    for h in &card.history {
        let _ = write!(
            out,
            "<tr><th>{}년</th><td>{}</td></tr>",
            h.year,
            esc(&h.body).replace('\n', "<br>")
        );
    }
    out.push_str("</table>");
    list(&mut out, "□ 향후 추진계획", &card.future_plan);
    out.push_str("<h3>□ 이행현황</h3><table border=1><tr>");
    for k in StatusKind::ALL {
        let _ = write!(out, "<th>{}</th>", k.label());
    }
    out.push_str("<th>비고</th></tr><tr>");
    for k in StatusKind::ALL {
        let _ = write!(
            out,
            "<td>{}</td>",
            if k == card.status.kind { "○" } else { "" }
        );
    }
    let _ = write!(
        out,
        "<td>{}%</td></tr></table><h3>□ 주요 변경사항</h3><p>{}</p></body></html>",
        card.status.percent,
        esc(&card.changes)
    );
    out
}
