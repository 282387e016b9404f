use fantoccini::Client;

use crate::{
    attr_until, click, css, digits, fill, screenshot, select_tab, signed_in, text, text_until,
};

/// Registry groups.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn groups_made_filled_and_targeted() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, c) = signed_in(dir.path()).await;
    flow(&c).await;
    c.close().await.unwrap();
}

/// Groups: the demo's groups are listed with their counts; a new group made in the form is
/// filled from the registry list filtered by another group (the toolbar's "목록을 그룹에
/// 넣기"); the compose form sends to it and its summary counts exactly its members.
async fn flow(c: &Client) {
    click(c, "nav a[href='/registry']").await;
    select_tab(c, "[data-testid=tab-groups]").await;
    let panel = text_until(c, "[data-testid=group-panel]", |t| {
        t.contains("경로당 회장단")
    })
    .await;
    assert!(panel.contains("귀농·귀촌 모임"), "{panel}");
    fill(c, "[data-testid=group-name]", "마을 방송 도우미").await;
    click(c, "[data-testid=group-save]").await;
    text_until(c, "[data-testid=group-panel]", |t| {
        t.contains("마을 방송 도우미")
    })
    .await;

    // The registry list narrowed to one group, then everyone shown put into the new one.
    click(c, "[data-testid='group-귀농·귀촌 모임']").await;
    let shown = digits(
        // The whole registry's count is in the tens of thousands; the group's is hundreds.
        &text_until(c, "[data-testid=row-count]", |t| {
            (1..1000).contains(&digits(t))
        })
        .await,
    );
    assert!(shown > 100, "{shown}");
    css(c, "[data-testid=group-add-shown]")
        .await
        .select_by_label("→ 마을 방송 도우미")
        .await
        .expect("choose the group");
    select_tab(c, "[data-testid=tab-groups]").await;
    let row = text_until(c, "[data-testid=group-panel]", |t| {
        t.lines()
            .any(|l| l.contains("마을 방송 도우미") && digits(l) > 0)
    })
    .await;
    let line = row
        .lines()
        .find(|l| l.contains("마을 방송 도우미"))
        .unwrap()
        .to_string();
    screenshot(c, "registry-groups.png").await;

    // Compose to the group: the summary counts its members.
    click(c, "nav a[href='/dispatch']").await;
    fill(
        c,
        "[data-testid=dispatch-body]",
        "방송 도우미 모임이 금요일 오후 2시에 있습니다.",
    )
    .await;
    click(c, "[data-testid=dispatch-mode-groups]").await;
    click(c, "[data-testid='dispatch-group-마을 방송 도우미']").await;
    let summary = text_until(c, "[data-testid=dispatch-summary]", |t| {
        t.contains("수신자")
    })
    .await;
    let members = shown.to_string();
    assert!(
        summary
            .replace(',', "")
            .contains(&format!("수신자 {members}")),
        "summary {summary:?} for a group of {members} ({line})"
    );
    screenshot(c, "dispatch-groups.png").await;

    // Back in the registry, straight to the group's members from the 그룹 tab (the page's
    // first load, the whole county, is still on its way): a member's form shows the group
    // ticked, and the list stays the group's once the county's rows arrive.
    click(c, "nav a[href='/registry']").await;
    select_tab(c, "[data-testid=tab-groups]").await;
    click(c, "[data-testid='group-마을 방송 도우미']").await;
    text_until(c, "[data-testid=row-count]", |t| digits(t) == shown).await;
    click(c, "[data-testid=subscriber-table] button.row").await;
    text_until(c, "[data-testid=subscriber-groups]", |t| {
        t.contains("마을 방송 도우미")
    })
    .await;
    css(c, "[data-testid=subscriber-groups] input:checked").await;
    screenshot(c, "subscriber-form-groups.png").await;
    // Once no load is out, the county's list has come back and must have been ignored.
    attr_until(c, "[data-testid=row-count]", "data-in-flight", |v| v == "0").await;
    let count = text(c, "[data-testid=row-count]").await;
    assert_eq!(
        digits(&count),
        shown,
        "the group's list was replaced: {count}"
    );
    click(
        c,
        "[data-testid=subscriber-form] .actions button[type=button]:not(.danger)",
    )
    .await;
}
