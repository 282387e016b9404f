use fantoccini::Client;

use crate::{click, count_until, css, fill, screenshot, signed_in, text, text_until, until_gone};

/// Living lab and chief training.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn programmes_workshops_calendar_and_check_in() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, c) = signed_in(dir.path()).await;
    flow(&c).await;
    c.close().await.unwrap();
}

/// Living lab and chief training: a workshop added through the form that clashes with the
/// 2nd workshop is saved with a warning and shows red on the July 2024 calendar; Enter at the
/// check-in desk checks in the first match; practice mode puts the banner on every screen.
async fn flow(c: &Client) {
    click(c, "nav a[href='/programs']").await;
    // The calendar opens on the latest month with events: the results event, September 2024.
    text_until(c, "[data-testid=cal-title]", |t| t == "2024년 9월").await;

    click(c, "[data-testid=tab-livinglab]").await;
    let first = text_until(c, "[data-testid=cohort-item]", |t| t.contains("2024")).await;
    assert!(first.contains("선정 10/10"), "{first}");
    text_until(c, "[data-testid=attendance-grid]", |t| t.contains("출석률")).await;
    let phases = text(c, "[data-testid=cohort-phases]").await;
    assert!(
        phases.contains("04-01 ~ 04-26")
            && phases.contains("06-19 ~ 07-03 (2회)")
            && phases.contains("07-10 ~ 09-11 (2회)"),
        "{phases}"
    );
    screenshot(c, "programs-cohort.png").await;
    click(c, "[data-testid=workshop-add]").await;
    fill(c, "[data-testid=workshop-title]", "선진지 견학").await;
    fill(c, "[data-testid=workshop-starts]", "2024-07-10 13:00").await;
    fill(c, "[data-testid=workshop-ends]", "2024-07-10 17:00").await;
    fill(
        c,
        "[data-testid=workshop-place]",
        "증평군청 본관 2층 소회의실",
    )
    .await;
    click(c, "[data-testid=workshop-save]").await;
    let warned = text_until(c, "[data-testid=toast]", |t| t.contains("겹칩니다")).await;
    assert!(warned.contains("장소 겹침"), "{warned}");
    count_until(c, "[data-testid=workshop-row]", 5).await;
    screenshot(c, "programs-cohort-added.png").await;
    // Deleting the 2nd workshop and undoing it brings back every attendance mark it had.
    let totals = text(c, "[data-testid=attendance-grid] tfoot").await;
    click(c, "[data-testid=workshop-row]:nth-child(3) button.danger").await;
    text_until(c, "[data-testid=toast]", |t| t.contains("2차")).await;
    count_until(c, "[data-testid=workshop-row]", 4).await;
    click(c, "[data-testid=toast-action]").await;
    text_until(c, "[data-testid=attendance-grid] tfoot", |t| t == totals).await;

    click(c, "[data-testid=tab-calendar]").await;
    text_until(c, "[data-testid=cal-title]", |t| t == "2024년 9월").await;
    click(c, "button[aria-label='이전']").await;
    click(c, "button[aria-label='이전']").await;
    text_until(c, "[data-testid=cal-title]", |t| t == "2024년 7월").await;
    let clashes = text_until(c, "[data-testid=cal-conflicts]", |t| {
        t.contains("장소 겹침")
    })
    .await;
    assert!(clashes.contains("참여자 이중 일정"), "{clashes}");
    count_until(c, "[data-testid=cal-event]", 3).await;
    count_until(c, "[data-testid=cal-event].clash", 2).await;
    screenshot(c, "programs-calendar.png").await;

    click(c, "[data-testid=tab-training]").await;
    let count = text_until(c, "[data-testid=checkin-count]", |t| t.contains("72")).await;
    assert!(count.starts_with("56"), "{count}");
    // 사곡리's chiefs are at the end of 증평읍's roster, after the 56 who came.
    fill(c, "[data-testid=checkin-search]", "사곡").await;
    css(c, "[data-testid=checkin-search]")
        .await
        .send_keys("\u{E007}")
        .await
        .unwrap();
    text_until(c, "[data-testid=checkin-count]", |t| t.starts_with("57")).await;
    let toast = text(c, "[data-testid=toast]").await;
    assert!(toast.contains("사곡"), "{toast}");
    let search = css(c, "[data-testid=checkin-search]").await;
    assert_eq!(search.prop("value").await.unwrap().as_deref(), Some(""));
    screenshot(c, "programs-checkin.png").await;

    click(c, "[data-testid=practice-toggle]").await;
    text_until(c, "[data-testid=practice-banner]", |t| {
        t.contains("연습 모드")
    })
    .await;
    click(c, "nav a[href='/budget']").await;
    css(c, "[data-testid=practice-banner]").await;
    screenshot(c, "practice-banner.png").await;
    click(c, "nav a[href='/programs']").await;
    click(c, "[data-testid=tab-training]").await;
    click(c, "[data-testid=practice-toggle]").await;
    until_gone(
        c,
        "[data-testid=practice-banner]",
        "the practice banner stayed after switching off",
    )
    .await;
}
