use std::path::Path;
use std::time::Duration;

use fantoccini::Client;

use crate::{
    ADMIN_PASSWORD, cell, cli, click, content_until, css, fill, out_dir, screenshot, sign_in,
    start, text, text_until,
};

/// Two desks on one office server (a throwaway PostgreSQL cluster), two app windows: the
/// county's 정보통신팀 and 도안면's official open the same person; the county saves first,
/// 도안면's list shows the new name without a restart while its form keeps what was typed,
/// and its save is refused naming who changed the record. 설정 says the desk is on the server,
/// and a new PC's first-run screen tests the connection to it.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn two_desks_on_one_office_server_see_each_others_edits() {
    let server = maeul_pg_cluster::Cluster::start().expect("PostgreSQL 15 (./dev installs it)");
    let url = server.create_database("office").unwrap();
    let db = Path::new(&url);
    cli(db, &["demo-seed"], "");
    cli(
        db,
        &[
            "user",
            "add",
            "--username",
            "doan",
            "--name",
            "도안면 행정팀",
            "--role",
            "operator",
        ],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    let (_county_driver, county) = sign_in(db).await;
    let (_doan_driver, doan) = start(db).await;
    fill(&doan, "input[name=username]", "doan").await;
    fill(&doan, "input[name=password]", ADMIN_PASSWORD).await;
    click(&doan, "[data-testid=login-form] button[type=submit]").await;
    css(&doan, "[data-testid=registry-stats]").await;
    // Overlapping on the one screen (1440 wide), 도안면's on top, for the picture of both.
    let _ = county.set_window_rect(0, 0, 1024, 900).await;
    let _ = doan.set_window_rect(416, 0, 1024, 900).await;

    // Both open the same person (the list's first).
    let phone = cell(&county, "[data-subscriber] span:nth-child(5)").await;
    open_person(&county, &phone).await;
    open_person(&doan, &phone).await;
    fill(&doan, "input[name=name]", "도안면이 고친 이름").await;

    // The county saves first; 도안면's list shows it within seconds, its form untouched.
    fill(&county, "input[name=name]", "군청이 고친 이름").await;
    click(&county, "[data-testid=subscriber-form] button[type=submit]").await;
    content_until(&county, "[data-subscriber]", |t| {
        t.contains("군청이 고친 이름")
    })
    .await;
    content_until(&doan, "[data-subscriber]", |t| {
        t.contains("군청이 고친 이름")
    })
    .await;
    let typed = css(&doan, "input[name=name]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("도안면이 고친 이름"));

    // 도안면's save is refused, naming the county's official.
    click(&doan, "[data-testid=subscriber-form] button[type=submit]").await;
    let conflict = text(&doan, "[data-testid=save-conflict]").await;
    assert!(conflict.contains("정보통신팀"), "{conflict}");
    screenshot(&doan, "office-conflict.png").await;
    screenshot(&county, "office-county.png").await;
    both_windows("office-two-desks.png");

    // 설정 names the server (no password in this URL to hide; the unit tests cover that).
    click(&county, "nav a[href='/settings']").await;
    let storage = text_until(&county, "[data-testid=storage]", |t| {
        t.contains("postgres://")
    })
    .await;
    assert!(storage.contains("사무실 서버"), "{storage}");
    screenshot(&county, "office-settings.png").await;

    county.close().await.unwrap();
    doan.close().await.unwrap();

    // A new PC's first start offers the server: the connection test reads it without
    // changing anything (joining is not pressed: it would save the server for this PC).
    let dir = tempfile::tempdir().unwrap();
    let (_new_driver, new_pc) = start(&dir.path().join("new.db")).await;
    css(&new_pc, "[data-testid=setup-form]").await;
    click(&new_pc, "[data-testid=setup-office] summary").await;
    fill(&new_pc, "input[name=office_url]", &url).await;
    click(&new_pc, "[data-testid=office-test]").await;
    let found = text_until(&new_pc, "[data-testid=office-result]", |t| !t.is_empty()).await;
    assert!(found.contains("마을 데스크 자료가 있습니다"), "{found}");
    let _ = new_pc
        .execute(
            "document.querySelector('[data-testid=office-result]').scrollIntoView()",
            vec![],
        )
        .await;
    screenshot(&new_pc, "office-first-run.png").await;
    new_pc.close().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// The person with `phone` in the list, their form open.
async fn open_person(c: &Client, phone: &str) {
    fill(c, "[data-testid=registry-search]", phone).await;
    text_until(c, "[data-testid=row-count]", |t| crate::digits(t) == 1).await;
    click(c, "[data-subscriber]").await;
    css(c, "[data-testid=subscriber-form] input[name=name]").await;
}

/// The whole X screen (both app windows) as one picture, where ImageMagick is installed.
fn both_windows(name: &str) {
    let path = out_dir().join(name);
    let shot = std::process::Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .status();
    if !matches!(shot, Ok(s) if s.success()) {
        eprintln!("no picture of both windows (ImageMagick's import): {shot:?}");
    }
}
