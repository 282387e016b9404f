use fantoccini::{Client, Locator};

use crate::{click, css, digits, fill, screenshot, signed_in, text_until, until_gone};

/// Budget cards: the seed's card with its execution rate; a wrong cell is marked while
/// typing; reverting clears it; the preview draws every printed page.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn budget_card_checks_and_preview() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, c) = signed_in(dir.path()).await;
    flow(&c).await;
    c.close().await.unwrap();
}

async fn flow(c: &Client) {
    // Budget cards: the seed's card with its execution rate; a wrong cell is marked while
    // typing; reverting clears it; the preview draws the printed pages.
    click(c, "nav a[href='/budget']").await;
    let row = text_until(c, "[data-testid=card-row]", |t| t.contains("공감행정 ②-5")).await;
    assert!(row.contains("63.0%") && row.contains("이상 없음"), "{row}");
    screenshot(c, "budget-list.png").await;
    click(c, "[data-testid=card-row] strong").await;
    text_until(c, "[data-testid=check-panel]", |t| {
        t.contains("모든 합계가 맞습니다")
    })
    .await;
    fill(c, "[data-key='executed.county.y2025']", "25").await;
    let checks = text_until(c, "[data-testid=check-panel]", |t| t.contains("검증 오류")).await;
    assert!(checks.contains("집행액 군비 소계"), "{checks}");
    assert!(checks.contains("집행액 계 2025년"), "{checks}");
    let marked = css(c, "[data-key='executed.county.subtotal']").await;
    assert_eq!(
        marked.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    screenshot(c, "budget-editor.png").await;
    click(c, "[data-testid=revert-card]").await;
    text_until(c, "[data-testid=check-panel]", |t| {
        t.contains("모든 합계가 맞습니다")
    })
    .await;
    click(c, "[data-testid=open-preview]").await;
    // Every page drawn: "N / N 쪽" with N ≥ 3 and no "rendering" note left.
    let count = text_until(c, "[data-testid=page-count]", |t| {
        let n: Vec<u64> = t
            .split(|ch: char| !ch.is_ascii_digit())
            .filter_map(|d| d.parse().ok())
            .collect();
        n.len() >= 2 && n[0] == n[1] && n[0] >= 3
    })
    .await;
    let drawn = c
        .find_all(Locator::Css("[data-testid=pdf-page]"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        drawn as u64,
        digits(count.split('/').next().unwrap()),
        "{count}"
    );
    until_gone(
        c,
        "[data-testid=rendering]",
        "the preview kept saying it was rendering",
    )
    .await;
    screenshot(c, "budget-preview.png").await;
}
