use std::path::{Path, PathBuf};

use fantoccini::Client;

use crate::{
    cell, click, content_until, css, digits, fill, screenshot, select_tab, signed_in, text,
    text_until, until_gone,
};

/// The registry as an official uses it: the seed's figures, one village and a search inside
/// it, a subscriber refused for a bad number and saved with a good one, deleted and undone,
/// a village's zone code checked, the import wizard (every problem listed, nothing stored;
/// then a good file), and a chief's request approved from the enrolment queue.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn registry_search_edit_import_and_enrolment() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, c) = signed_in(dir.path()).await;
    flow(&c, &dir.path().join("desk.db")).await;
    c.close().await.unwrap();
}

async fn flow(c: &Client, db: &Path) {
    // The registry shows the seed's figures.
    assert_eq!(
        text_until(c, "[data-stat='stats.villages']", |t| !t.is_empty()).await,
        "112"
    );
    assert_eq!(
        text_until(c, "[data-stat='stats.households']", |t| !t.is_empty()).await,
        "37,000"
    );
    let all = digits(&text_until(c, "[data-testid=row-count]", |t| digits(t) > 40_000).await);

    // One village, then an instant search inside it.
    click(c, "[data-village='연탄1리']").await;
    let village = digits(
        &text_until(c, "[data-testid=row-count]", |t| {
            digits(t) > 0 && digits(t) < all
        })
        .await,
    );
    let first_name = cell(c, "[data-subscriber] span:nth-child(4)").await;
    assert!(!first_name.is_empty(), "first row has a name");
    fill(c, "[data-testid=registry-search]", &first_name).await;
    text_until(c, "[data-testid=row-count]", |t| {
        digits(t) >= 1 && digits(t) < village
    })
    .await;
    screenshot(c, "registry-village.png").await;

    // Adding a subscriber: a bad number is refused at the field, a good one is saved.
    click(c, "[data-testid=add-subscriber]").await;
    fill(c, "input[name=address]", "증평읍 연탄리 777").await;
    fill(c, "input[name=head_name]", "홍길동").await;
    fill(c, "input[name=name]", "홍길동").await;
    fill(c, "input[name=phone]", "010-12").await;
    click(c, "[data-testid=subscriber-form] button[type=submit]").await;
    let error = text(c, "[data-testid=phone-error]").await;
    assert!(error.contains("유효하지 않은 번호"), "{error}");
    fill(c, "input[name=phone]", "010-0777-1234").await;
    click(c, "[data-testid=subscriber-form] button[type=submit]").await;
    fill(c, "[data-testid=registry-search]", "0777-1234").await;
    text_until(c, "[data-testid=row-count]", |t| digits(t) == 1).await;
    let added = cell(c, "[data-subscriber] span:nth-child(5)").await;
    assert_eq!(added, "010-0777-1234");

    // Two officials on one record: while the form is open, another desk saves the person
    // first. The save is refused naming them, the form keeps what was typed, and "keep mine"
    // then saves it over the newer row.
    click(c, "[data-subscriber]").await;
    fill(c, "input[name=name]", "홍길순").await;
    another_desk_renames(db, "010-0777-1234", "홍길남").await;
    click(c, "[data-testid=subscriber-form] button[type=submit]").await;
    let conflict = text(c, "[data-testid=save-conflict]").await;
    assert!(conflict.contains("증평읍 행정팀"), "{conflict}");
    let kept = css(c, "input[name=name]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("홍길순"),
        "the form kept what was typed"
    );
    screenshot(c, "registry-conflict.png").await;
    click(c, "[data-testid=conflict-keep-mine]").await;
    until_gone(c, "[data-testid=save-conflict]", "the conflict note stayed").await;
    click(c, "[data-testid=subscriber-form] button[type=submit]").await;
    content_until(c, "[data-subscriber]", |t| t.contains("홍길순")).await;

    // Deleting asks first, and the toast can undo it.
    click(c, "[data-subscriber]").await;
    click(c, "[data-testid=delete-subscriber]").await;
    text_until(c, "[data-testid=delete-subscriber]", |t| t == "삭제 확인").await;
    click(c, "[data-testid=delete-subscriber]").await;
    text_until(c, "[data-testid=row-count]", |t| digits(t) == 0).await;
    click(c, "[data-testid=toast-action]").await;
    text_until(c, "[data-testid=row-count]", |t| digits(t) == 1).await;

    // The whole registry again, for the screenshot in the README.
    fill(c, "[data-testid=registry-search]", "").await;
    click(c, "[data-testid=all-villages]").await;
    text_until(c, "[data-testid=row-count]", |t| digits(t) > all).await;
    screenshot(c, "registry.png").await;

    // A village's own details: a zone code must be DTMF digits.
    click(c, "[data-village='연탄1리']").await;
    click(c, "[data-testid=edit-village]").await;
    fill(c, "input[name=zone_code]", "1a7").await;
    click(c, "[data-testid=village-header] button[type=submit]").await;
    let zone_error = text(c, "[data-testid=village-error]").await;
    assert!(zone_error.contains("DTMF"), "{zone_error}");
    fill(c, "input[name=zone_code]", "147").await;
    click(c, "[data-testid=village-header] button[type=submit]").await;
    text_until(c, "[data-testid=village-header]", |t| t.contains("147")).await;
    click(c, "[data-testid=all-villages]").await;

    // The import wizard: a bad file lists every problem and stores nothing; a good one imports.
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/registry");
    click(c, "[data-testid=open-import]").await;
    fill(
        c,
        "[data-testid=import-path]",
        corpus.join("22_many_errors.csv").to_str().unwrap(),
    )
    .await;
    click(c, "[data-testid=import-load]").await;
    click(c, "[data-testid=import-run]").await;
    let problems = text(c, "[data-testid=import-problems]").await;
    assert!(
        problems.contains("row 3: 세대주: 필수 항목이 비어 있습니다"),
        "{problems}"
    );
    assert!(
        problems.contains("row 4: 마을: 마을 또는 마을코드가 비어 있습니다"),
        "{problems}"
    );
    screenshot(c, "import-problems.png").await;
    fill(
        c,
        "[data-testid=import-path]",
        corpus.join("00_valid.xlsx").to_str().unwrap(),
    )
    .await;
    click(c, "[data-testid=import-load]").await;
    click(c, "[data-testid=import-run]").await;
    let report = text(c, "[data-testid=import-report]").await;
    assert!(report.contains("가져오기 완료"), "{report}");
    click(c, "[data-testid=import-wizard] header button").await;

    // The chief's queue: approving a request moves it into the registry.
    let pending = digits(&text_until(c, "[data-stat='stats.pending']", |t| digits(t) > 0).await);
    select_tab(c, "[data-testid=tab-enrollment]").await;
    click(c, "[data-testid=enrollment-queue] li button.primary").await;
    text_until(c, "[data-stat='stats.pending']", |t| {
        digits(t) + 1 == pending
    })
    .await;
    screenshot(c, "enrollment.png").await;

    // Another desk (the CLI on the same file) imports a household: the figures move here
    // without a restart, through the window's poll (every second) of what others changed.
    let before = digits(&text(c, "[data-stat='stats.households']").await);
    let csv = db.with_file_name("another-desk.csv");
    std::fs::write(
        &csv,
        "읍면,마을,주소,세대주,이름,전화번호,동의일자,동의방법,음성,문자,카카오톡,상태\n\
         증평읍,연탄1리,증평읍 연탄리 888,박새집,박새집,010-0888-1234,2024-03-02,서면,Y,Y,N,정상\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    crate::cli(db, &["registry", "import", csv.to_str().unwrap()], "");
    text_until(c, "[data-stat='stats.households']", |t| {
        digits(t) == before + 1
    })
    .await;
    eprintln!(
        "another desk's import shown after {} ms",
        started.elapsed().as_millis()
    );
}

/// What another desk's save looks like in the shared database: the row changed, its version
/// bumped, the saver's name and time stamped.
async fn another_desk_renames(db: &Path, phone: &str, name: &str) {
    let pool = crate::pool(db).await;
    let e164 = format!("+82{}", phone.replace('-', "").trim_start_matches('0'));
    let done = maeul_db::query(
        "UPDATE subscribers SET name = $1, version = version + 1, updated_by = '증평읍 행정팀', \
         updated_at = '2026-12-06T04:00:00Z' WHERE phone = $2",
    )
    .bind(name)
    .bind(&e164)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1, "no subscriber with {e164}");
    pool.close().await;
}
