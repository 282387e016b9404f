use fantoccini::Client;

use crate::{click, css, fill, screenshot, text, text_until, until_gone};

/// Dispatch on a desk restored from a backup: the outbox waits for a person to resume it.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn dispatch_restored_outbox_compose_send_progress() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::first_run::restored(dir.path());
    let (_driver, c) = crate::sign_in(&db).await;
    flow(&c).await;
    c.close().await.unwrap();
}

/// Dispatch: a long text shows as LMS with its byte count, two villages picked from the list
/// give the summary of who gets what, two presses send it, and the progress view fills in
/// as the app's own sync worker hands it to the sandbox, saying why some calls and texts did
/// not get through and that they will be tried again.
async fn flow(c: &Client) {
    click(c, "nav a[href='/dispatch']").await;
    css(c, "[data-testid=sync-status]").await;
    // Restored from a backup: nothing is sent until whoever manages dispatch resumes.
    let paused = text_until(c, "[data-testid=sync-paused]", |t| t.contains("복원")).await;
    assert!(paused.contains("재개"), "{paused}");
    screenshot(c, "dispatch-paused.png").await;
    click(c, "[data-testid=sync-resume]").await;
    until_gone(
        c,
        "[data-testid=sync-paused]",
        "the outbox stayed paused after 재개",
    )
    .await;
    fill(c, "[data-testid=dispatch-title]", "마을 대청소 안내").await;
    fill(
        c,
        "[data-testid=dispatch-body]",
        "내일(토) 오전 7시 마을회관 앞에서 대청소를 합니다. 집게와 장갑은 마을에서 준비합니다. 많이 참여해 주세요.",
    )
    .await;
    let counter = text(c, "[data-testid=dispatch-counter]").await;
    assert!(counter.contains("장문(LMS)"), "{counter}");
    fill(c, "[data-testid=dispatch-village-search]", "창동").await;
    click(c, "[data-testid='village-창동1리']").await;
    click(c, "[data-testid='village-창동2리']").await;
    let summary = text_until(c, "[data-testid=dispatch-summary]", |t| {
        t.contains("마을 2")
    })
    .await;
    assert!(
        summary.contains("음성 전화") && summary.contains("문자"),
        "{summary}"
    );
    screenshot(c, "dispatch-compose.png").await;
    click(c, "[data-testid=dispatch-send]").await;
    text_until(c, "[data-testid=dispatch-send]", |t| t.contains("한 번 더")).await;
    click(c, "[data-testid=dispatch-send]").await;
    // The sandbox answers at once; the app's worker moves rows within a few seconds.
    text_until(c, "[data-testid=progress-sms-delivered]", |t| {
        t.replace(',', "").parse::<u32>().is_ok_and(|n| n > 0)
    })
    .await;
    // The sandbox never answers a call to a number ending 0 and finds those ending 1 busy:
    // the default schedule tries them again in 3 minutes.
    let reasons = text_until(c, "[data-testid=dispatch-reasons]", |t| {
        t.contains("받지 않음") && t.contains("통화 중")
    })
    .await;
    assert!(reasons.contains("다시 시도 예정"), "{reasons}");
    screenshot(c, "dispatch-progress.png").await;
    click(c, "[data-testid=dispatch-tab-history]").await;
    let history = text(c, "[data-testid=dispatch-history]").await;
    assert!(history.contains("마을 대청소 안내"), "{history}");
}
