//! The delivery report to print: what was sent, how far it got per channel and village, and
//! the households no channel reached, one table per village with a column for the chief's
//! check — the paper the auditor files and the chief takes round.

use maeul_print::grid::{self, GridCell};
use maeul_print::{Align, Document, LEFT, Pager, WIDTH, Weight};

use crate::DispatchError;
use crate::escalation::{Step, StepState};
use crate::fanout::Channel;
use crate::replies::Replies;
use crate::report::{
    BroadcastRow, ChannelProgress, NotReached, Progress, ReasonCount, VillageProgress,
};

/// Everything the report shows, gathered (and scoped to the reader) by the caller.
pub struct DeliveryReport {
    pub broadcast: BroadcastRow,
    pub channels: Vec<ChannelProgress>,
    pub reasons: Vec<ReasonCount>,
    pub villages: Vec<VillageProgress>,
    pub not_reached: Vec<NotReached>,
    pub replies: Replies,
    /// Households whose calls ended with no key pressed: the chiefs' call list.
    pub unconfirmed: Vec<NotReached>,
    pub escalation: Vec<Step>,
}

/// A stored instant as the office reads it: Seoul time to the minute.
fn local(stamp: &str) -> String {
    stamp
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(crate::policy::seoul())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

fn n(v: u32) -> String {
    v.to_string()
}

/// A table's header row: centred labels.
fn headers(labels: &[&str]) -> Vec<GridCell> {
    labels
        .iter()
        .map(|h| GridCell::label(h).align(Align::Center))
        .collect()
}

fn progress_cells(first: Vec<GridCell>, p: &Progress) -> Vec<GridCell> {
    let mut cells = first;
    for v in [p.queued, p.sent, p.delivered, p.failed] {
        cells.push(GridCell::value(&n(v)).align(Align::Right));
    }
    cells
}

fn heading(p: &mut Pager<'_>, text: &str) {
    p.ensure(14.0);
    p.text_in(
        LEFT,
        WIDTH,
        p.y + 6.0,
        11.5,
        Weight::Bold,
        Align::Left,
        text,
    );
    p.y += 9.0;
}

/// Households that confirmed by keypad, and the poll's tallies (in total, then per village).
fn replies_section(p: &mut Pager<'_>, r: &Replies) {
    let c = &r.confirmation;
    if c.answered == 0 && r.poll.is_none() {
        return;
    }
    heading(p, "전화 확인 (번호 누름)");
    let header = headers(&["전화 받은 세대", "확인", "받았으나 확인 안 함", "확인 중"]);
    let row = vec![
        GridCell::value(&n(c.answered)).align(Align::Right),
        GridCell::value(&n(c.confirmed)).align(Align::Right),
        GridCell::value(&n(c.unconfirmed)).align(Align::Right),
        GridCell::value(&n(c.waiting)).align(Align::Right),
    ];
    grid::table(p, LEFT, &[WIDTH / 4.0; 4], &header, &[row], 9.5);
    p.y += 6.0;
    let Some(poll) = &r.poll else { return };
    heading(p, &format!("설문 — {}", poll.question));
    let mut labels: Vec<String> = vec!["읍면".into(), "마을".into()];
    labels.extend(
        poll.answers
            .iter()
            .map(|a| format!("{} {}", a.digit, a.label)),
    );
    labels.push("번호 모름".into());
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let header = headers(&label_refs);
    let count_cells = |counts: &mut dyn Iterator<Item = u32>, unknown: u32| {
        let mut cells: Vec<GridCell> = counts
            .map(|v| GridCell::value(&n(v)).align(Align::Right))
            .collect();
        cells.push(GridCell::value(&n(unknown)).align(Align::Right));
        cells
    };
    let mut rows: Vec<Vec<GridCell>> = poll
        .villages
        .iter()
        .map(|v| {
            let mut cells = vec![GridCell::value(&v.town), GridCell::value(&v.village)];
            cells.extend(count_cells(&mut v.counts.iter().copied(), v.unknown));
            cells
        })
        .collect();
    let mut total = vec![GridCell::label("합계"), GridCell::label("")];
    total.extend(count_cells(
        &mut poll.answers.iter().map(|a| a.count),
        poll.unknown,
    ));
    rows.push(total);
    let columns = poll.answers.len() + 1;
    let mut widths = vec![28.0, WIDTH - 28.0 - columns as f32 * 22.0];
    widths.extend(std::iter::repeat_n(22.0, columns));
    grid::table(p, LEFT, &widths, &header, &rows, 9.0);
    p.y += 6.0;
}

/// Households by village, a table each, with a column to tick.
fn households(p: &mut Pager<'_>, list: &[NotReached]) {
    let header = headers(&["번호", "세대주", "주소", "확인"]);
    let widths = [14.0, 36.0, WIDTH - 14.0 - 36.0 - 30.0, 30.0];
    for chunk in list.chunk_by(|a, b| a.village_id == b.village_id) {
        let rows: Vec<Vec<GridCell>> = chunk
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    GridCell::value(&(i + 1).to_string()).align(Align::Center),
                    GridCell::value(&m.head_name),
                    GridCell::value(&m.address),
                    GridCell::value(""),
                ]
            })
            .collect();
        // The village's name stays with its table's first rows.
        p.ensure(9.0 + grid::head_height(p, &widths, &header, &rows, 9.5));
        heading(p, &format!("{} ({}세대)", chunk[0].village, chunk.len()));
        grid::table(p, LEFT, &widths, &header, &rows, 9.5);
        p.y += 4.0;
    }
}

/// The escalation steps: when, what, and what became of each.
fn escalation_section(p: &mut Pager<'_>, steps: &[Step]) {
    if steps.is_empty() {
        return;
    }
    heading(p, "확인 안 된 세대 안내 단계");
    let header = headers(&["단계", "할 일", "예정 시각", "결과"]);
    let rows: Vec<Vec<GridCell>> = steps
        .iter()
        .map(|s| {
            let result = match s.state {
                StepState::Planned => "예정".to_string(),
                StepState::Done => format!("완료 · {}세대", s.households.unwrap_or(0)),
                StepState::Stopped => {
                    format!("중지 ({})", s.stopped_by.clone().unwrap_or_default())
                }
                StepState::Skipped => format!("건너뜀 · {}", s.note.clone().unwrap_or_default()),
            };
            vec![
                GridCell::value(&format!("{}. +{}분", s.step, s.after_mins)),
                GridCell::value(s.action.label_ko()),
                GridCell::value(
                    &s.due_at
                        .as_deref()
                        .map(local)
                        .unwrap_or_else(|| "승인 후".into()),
                ),
                GridCell::value(&result),
            ]
        })
        .collect();
    let widths = [26.0, 40.0, 40.0, WIDTH - 106.0];
    grid::table(p, LEFT, &widths, &header, &rows, 9.5);
    p.y += 6.0;
}

/// The PDF and its page count.
pub fn write(r: &DeliveryReport, printed_at: &str) -> Result<(Vec<u8>, usize), DispatchError> {
    let b = &r.broadcast;
    let doc = Document::new(&format!("발송 결과 — {}", b.title))
        .ok_or_else(|| DispatchError::Pdf("내장 글꼴을 읽을 수 없습니다".into()))?;
    let mut p = doc.pager();
    p.running_title = format!("마을방송 발송 결과 — {}", b.title);
    p.text_in(
        LEFT,
        WIDTH,
        p.y + 7.0,
        16.0,
        Weight::Bold,
        Align::Center,
        "마을방송 발송 결과",
    );
    p.y += 13.0;

    let total = Progress::sum(&r.channels);
    let state = if b.cancelled_at.is_some() {
        "취소됨"
    } else if total.settled() {
        "완료"
    } else {
        "진행 중 (출력 시점 기준)"
    };
    let category = b.category.label();
    let sent_by = match &b.approved_by {
        Some(a) => format!("{} (승인 {a})", b.created_by),
        None => b.created_by.clone(),
    };
    let mut lines: Vec<(&str, String)> = vec![
        ("제목", b.title.clone()),
        (
            "분류",
            format!("{category}{}", if b.emergency { " · 긴급" } else { "" }),
        ),
        ("보낸 사람", sent_by),
        ("등록 시각", local(&b.created_at)),
        ("상태", state.to_string()),
        ("내용", b.body.clone()),
    ];
    if let Some(at) = &b.send_at {
        lines.insert(4, ("예약 시각", local(at)));
    }
    grid::fields(&mut p, 24.0, &lines, 9.5);
    p.y += 6.0;

    heading(&mut p, "수단별 결과");
    let header = headers(&["수단", "대기", "발송", "도달", "실패"]);
    let mut rows: Vec<Vec<GridCell>> = r
        .channels
        .iter()
        .map(|c| {
            progress_cells(
                vec![GridCell::value(Channel::label(c.channel))],
                &c.progress,
            )
        })
        .collect();
    rows.push(progress_cells(vec![GridCell::label("합계")], &total));
    let widths = [WIDTH - 4.0 * 30.0, 30.0, 30.0, 30.0, 30.0];
    grid::table(&mut p, LEFT, &widths, &header, &rows, 9.5);
    p.y += 6.0;

    replies_section(&mut p, &r.replies);
    escalation_section(&mut p, &r.escalation);

    if !r.reasons.is_empty() {
        heading(&mut p, "실패·재시도 사유");
        let header = headers(&["수단", "사유", "실패", "재시도 예정"]);
        let rows: Vec<Vec<GridCell>> = r
            .reasons
            .iter()
            .map(|c| {
                // The provider's codes after the reason: what staff quote to the provider.
                let codes: Vec<&str> = c.codes.iter().map(|k| k.code.as_str()).collect();
                let reason = match codes.as_slice() {
                    [] => c.reason.label_ko().to_string(),
                    codes => format!("{} ({})", c.reason.label_ko(), codes.join(", ")),
                };
                vec![
                    GridCell::value(Channel::label(c.channel)),
                    GridCell::value(&reason),
                    GridCell::value(&n(c.failed)).align(Align::Right),
                    GridCell::value(&n(c.retrying)).align(Align::Right),
                ]
            })
            .collect();
        let widths = [40.0, WIDTH - 40.0 - 2.0 * 30.0, 30.0, 30.0];
        grid::table(&mut p, LEFT, &widths, &header, &rows, 9.5);
        p.y += 6.0;
    }

    let missing_in = |vid: i64| r.not_reached.iter().filter(|m| m.village_id == vid).count();
    heading(&mut p, "마을별 결과");
    let header = headers(&[
        "읍면",
        "마을",
        "대기",
        "발송",
        "도달",
        "실패",
        "미수신 세대",
    ]);
    let rows: Vec<Vec<GridCell>> = r
        .villages
        .iter()
        .map(|v| {
            let sum = Progress::sum(&v.channels);
            let mut cells = progress_cells(
                vec![GridCell::value(&v.town), GridCell::value(&v.village)],
                &sum,
            );
            cells.push(GridCell::value(&missing_in(v.village_id).to_string()).align(Align::Right));
            cells
        })
        .collect();
    let widths = [
        28.0,
        WIDTH - 28.0 - 5.0 * 22.0,
        22.0,
        22.0,
        22.0,
        22.0,
        22.0,
    ];
    grid::table(&mut p, LEFT, &widths, &header, &rows, 9.0);
    p.y += 6.0;

    heading(
        &mut p,
        &format!("미수신 세대 ({}세대) — 이장님 확인용", r.not_reached.len()),
    );
    if r.not_reached.is_empty() {
        p.text_in(
            LEFT,
            WIDTH,
            p.y + 5.0,
            9.5,
            Weight::Regular,
            Align::Left,
            if total.settled() {
                "모든 세대에 하나 이상의 수단으로 닿았습니다."
            } else {
                "아직 끝나지 않은 발송은 미수신으로 세지 않습니다."
            },
        );
        p.y += 8.0;
    }
    households(&mut p, &r.not_reached);
    if !r.unconfirmed.is_empty() {
        p.y += 4.0;
        heading(
            &mut p,
            &format!(
                "전화 확인 안 된 세대 ({}세대) — 이장님 전화용",
                r.unconfirmed.len()
            ),
        );
        households(&mut p, &r.unconfirmed);
    }
    p.number_pages(&format!("발송 결과 — {}", b.title), printed_at);
    let pages = p.pages.len();
    Ok((doc.save(p.pages), pages))
}
