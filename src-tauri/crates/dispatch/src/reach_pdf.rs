//! The not-reached visit sheet: the households of a village no delivery reached in the last
//! so many days, with when each was last reached and a column for the chief to tick at the
//! door — the paper for the chief's visit — and the same list as CSV.

use maeul_print::grid::{self, GridCell};
use maeul_print::{Align, Document, LEFT, WIDTH, Weight};
use maeul_registry::export::neutralize;

use crate::DispatchError;
use crate::fanout::Channel;
use crate::reach::HouseholdReach;

/// The printed name of a stored channel ("" for none).
fn channel_label(c: Option<&str>) -> &'static str {
    c.and_then(Channel::parse).map_or("", Channel::label)
}

/// The sheet for `place` ("증평읍 연탄1리"): its PDF and page count.
pub fn visit_sheet(
    place: &str,
    rows: &[HouseholdReach],
    days: u32,
    printed_at: &str,
) -> Result<(Vec<u8>, usize), DispatchError> {
    let title = format!("미도달 세대 방문 확인표 — {place}");
    let doc = Document::new(&title)
        .ok_or_else(|| DispatchError::Pdf("내장 글꼴을 읽을 수 없습니다".into()))?;
    let mut p = doc.pager();
    p.running_title = title.clone();
    p.text_in(
        LEFT,
        WIDTH,
        p.y + 7.0,
        16.0,
        Weight::Bold,
        Align::Center,
        "미도달 세대 방문 확인표",
    );
    p.y += 13.0;
    let never = rows.iter().filter(|r| r.last_at.is_none()).count();
    let lines = [
        ("마을", place.to_string()),
        (
            "기준",
            format!("최근 {days}일 동안 문자·전화·카카오톡이 한 번도 닿지 않은 세대"),
        ),
        (
            "세대 수",
            format!(
                "{}세대 (그중 한 번도 닿은 적 없는 세대 {never})",
                rows.len()
            ),
        ),
        (
            "확인 방법",
            "방문하여 전화번호·수신 방법을 확인하고 확인란에 표시".into(),
        ),
    ];
    grid::fields(&mut p, 24.0, &lines, 9.5);
    p.y += 6.0;
    let widths = [11.0, 26.0, WIDTH - 118.0, 25.0, 18.0, 14.0, 24.0];
    let header: Vec<GridCell> = [
        "번호",
        "세대주",
        "주소",
        "마지막 도달",
        "수단",
        "확인",
        "비고",
    ]
    .iter()
    .map(|h| GridCell::label(h).align(Align::Center))
    .collect();
    let body: Vec<Vec<GridCell>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                GridCell::value(&(i + 1).to_string()).align(Align::Center),
                GridCell::value(&r.head_name),
                GridCell::value(&r.address),
                GridCell::value(
                    &r.last_at
                        .as_deref()
                        .map_or("없음".into(), maeul_time::seoul_day),
                )
                .align(Align::Center),
                GridCell::value(channel_label(r.channel.as_deref())).align(Align::Center),
                GridCell::value(""),
                GridCell::value(""),
            ]
        })
        .collect();
    grid::table_min(&mut p, LEFT, &widths, &header, &body, 9.5, 8.0);
    p.number_pages(&title, printed_at);
    let n = p.pages.len();
    Ok((doc.save(p.pages), n))
}

/// The same households as CSV (UTF-8 with a byte-order mark, CRLF, as Excel on a Korean
/// Windows reads it); cells a spreadsheet would run as formulas are neutralised.
pub fn visit_csv(rows: &[HouseholdReach]) -> Result<Vec<u8>, DispatchError> {
    let bad = |e: csv::Error| DispatchError::invalid("csv", e.to_string());
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record([
            "읍면",
            "마을",
            "세대주",
            "주소",
            "마지막 도달",
            "수단",
            "확인됨",
        ])
        .map_err(bad)?;
        for r in rows {
            w.write_record([
                neutralize(&r.town),
                neutralize(&r.village),
                neutralize(&r.head_name),
                neutralize(&r.address),
                r.last_at
                    .as_deref()
                    .map_or(String::new(), maeul_time::seoul_day),
                channel_label(r.channel.as_deref()).to_string(),
                if r.confirmed { "예" } else { "" }.to_string(),
            ])
            .map_err(bad)?;
        }
        w.flush()
            .map_err(|e| DispatchError::invalid("csv", e.to_string()))?;
    }
    Ok(out)
}
