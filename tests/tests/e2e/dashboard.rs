use crate::{click, css, screenshot, text_until, until_gone};

/// 현황판 on the demo county with two months of traffic added by `maeul demo-seed
/// --history 2m`: the figures, the charts (canvases drawn), a chart read as its table, the
/// villages sorted by households not reached, and one village's visit list.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn dashboard_shows_reach_signup_and_the_visit_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::seeded_copy(dir.path());
    crate::cli(&db, &["demo-seed", "--history", "2m"], "");
    let (_driver, c) = crate::sign_in(&db).await;
    click(&c, "nav a[href='/dashboard']").await;
    let kpis = text_until(&c, "[data-testid=dash-kpis]", |t| t.contains("37,000")).await;
    assert!(kpis.contains("가입 세대"), "{kpis}");
    // The charts drew: a canvas with pixels on it.
    let drawn = c
        .execute(
            "const c = document.querySelector('[data-testid=dash-reach-chart] canvas'); \
             return c && c.width > 0 && c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v !== 0);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn, serde_json::Value::Bool(true), "the reach chart drew");
    css(&c, "[data-testid=dash-villages-chart] canvas").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    screenshot(&c, "dashboard.png").await;

    // The villages as a table, most households not reached first; one village's list.
    click(&c, "[data-testid=dash-sort-not_reached]").await;
    click(&c, "[data-testid=dash-villages-toggle]").await;
    text_until(&c, "[data-testid=dash-villages-table]", |t| {
        t.contains("방문 명단")
    })
    .await;
    let counts = c
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=dash-villages-table] tbody tr')) \
                 .map(r => Number(r.children[9].textContent.replace(/,/g, '')));",
            vec![],
        )
        .await
        .unwrap();
    let counts: Vec<i64> = serde_json::from_value(counts).unwrap();
    assert!(counts.len() > 100, "{counts:?}");
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most not reached first: {counts:?}"
    );
    let first = css(
        &c,
        "[data-testid=dash-villages-table] tbody tr td:last-child button",
    )
    .await;
    first.click().await.unwrap();
    let want = format!("{}세대", counts[0]);
    let list = text_until(&c, "[data-testid=dash-visit]", |t| t.contains(&want)).await;
    let rows = c
        .execute(
            "return document.querySelectorAll('[data-testid=dash-visit] tbody tr').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        rows.as_i64(),
        Some(counts[0]),
        "the list has as many households: {list}"
    );
    screenshot(&c, "dashboard-visit.png").await;
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    until_gone(&c, "[data-testid=dash-visit]", "Escape closes the list").await;
    c.close().await.unwrap();
}
