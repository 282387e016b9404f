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
    // A poll on the calls: 1 참여, 2 불참, said after the message.
    click(c, "[data-testid=dispatch-poll-on]").await;
    fill(
        c,
        "[data-testid=dispatch-poll-question]",
        "대청소에 참여하시나요?",
    )
    .await;
    fill(c, "[data-testid=dispatch-poll-answer-1]", "참여").await;
    let summary = text_until(c, "[data-testid=dispatch-summary]", |t| {
        t.contains("마을 2")
    })
    .await;
    assert!(
        summary.contains("음성 전화") && summary.contains("문자"),
        "{summary}"
    );
    // The demo's Vietnamese readers in 창동리 are counted; a translation goes to them.
    text_until(c, "[data-testid=summary-languages]", |t| {
        t.contains("베트남어")
    })
    .await;
    click(c, "[data-testid=add-translation-vi]").await;
    fill(
        c,
        "[data-testid=translation-vi]",
        "Thứ Bảy 7 giờ sáng tổng vệ sinh trước nhà văn hóa. Xin mời tham gia.",
    )
    .await;
    let as_sent = text(c, "[data-testid=translation-vi-as-sent]").await;
    assert!(
        as_sent.contains("Thu Bay 7 gio sang tong ve sinh"),
        "{as_sent}"
    );
    text_until(c, "[data-testid=summary-languages]", |t| {
        t.contains("번역 있음")
    })
    .await;
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
    // What residents pressed comes back with the calls: households that confirmed, and the
    // poll's tallies in total and per village.
    let tally = text_until(c, "[data-testid=dispatch-poll-tally]", |t| {
        t.contains("참여") && t.contains("불참")
    })
    .await;
    let confirmed = text_until(c, "[data-testid=replies-confirmed]", |t| {
        t.replace(',', "").parse::<u32>().is_ok_and(|n| n > 0)
    })
    .await;
    let villages = text(c, "[data-testid=dispatch-poll-villages]").await;
    assert!(
        villages.contains("창동1리") && villages.contains("창동2리"),
        "{tally} / {confirmed} / {villages}"
    );
    c.execute(
        "document.querySelector('[data-testid=dispatch-replies]').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll to the replies");
    screenshot(c, "dispatch-poll-tally.png").await;
    click(c, "[data-testid=dispatch-tab-history]").await;
    let history = text(c, "[data-testid=dispatch-history]").await;
    assert!(history.contains("마을 대청소 안내"), "{history}");
}

/// Disaster drafts at the desk: a CAP alert taken in by the CLI before the desk opens, and
/// a 위급재난 the app's own feed poll finds at the (fake) national feed. With the office's
/// alarm recording chosen and automatic play on, the feed loop plays the 위급재난 on the
/// loudspeakers of its villages by itself (the console on the test signal, no sound card).
/// The banner shows both at sign-in (what, who said so, where, the loudspeakers played);
/// one press sends the CAP one as an emergency and opens its progress, and the feed's stays
/// until someone acts on it.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn disaster_drafts_show_at_the_desk_and_send_with_one_press() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::seeded_copy(dir.path());
    let alert = dir.path().join("호우주의보.xml");
    std::fs::write(&alert, HEAVY_RAIN).unwrap();
    crate::cli(&db, &["alert", "import", alert.to_str().unwrap()], "");

    let feed = maeul_fake_provider::feed::FakeFeed::new("E2EFEEDKEY");
    let now = maeul_time::seoul_civil(jiff::Timestamp::now())
        .strftime("%Y/%m/%d %H:%M:%S")
        .to_string();
    feed.add(
        7001,
        &now,
        "충청북도 증평군 증평읍",
        "위급재난",
        "산사태",
        "[증평군] 좌구산 일대 산사태 위험, 인근 주민은 마을회관으로 대피 바랍니다",
    );
    let (addr, _feed_task) = feed.clone().serve().await.unwrap();
    let base = format!("http://{addr}");
    // The key goes to this session's keyring, where the app's feed poll finds it.
    let set = std::process::Command::new(crate::env_path("MAEUL_E2E_CLI"))
        .arg("--db")
        .arg(&db)
        .args(["feed", "set", "--base-url", &base, "--key-env", "FEED_KEY"])
        .env("FEED_KEY", "E2EFEEDKEY")
        .status()
        .unwrap();
    assert!(set.success(), "maeul feed set");
    alarm_on_the_test_signal(dir.path(), &db).await;

    let (_driver, c) = crate::sign_in(&db).await;
    let banner = text_until(&c, "[data-testid=draft-banner]", |t| {
        t.contains("호우주의보") && t.contains("산사태") && t.contains("확성기 자동 방송함")
    })
    .await;
    assert!(
        banner.contains("확성기로 방송"),
        "the CAP draft's loudspeakers wait for a person: {banner}"
    );
    assert!(banner.contains("청주기상지청"), "{banner}");
    assert!(banner.contains("행정안전부 재난문자"), "{banner}");
    screenshot(&c, "draft-banner.png").await;
    click(&c, "[data-testid=draft-send-1]").await;
    text_until(&c, "[data-testid=draft-banner]", |t| {
        !t.contains("호우주의보")
    })
    .await;
    // Sent as an emergency: it leaves at once, and the progress view fills in.
    text_until(&c, "[data-testid=progress-sms-delivered]", |t| {
        t.replace(',', "").parse::<u32>().is_ok_and(|n| n > 0)
    })
    .await;
    text_until(&c, "[data-testid=feed-status]", |t| t.contains("수신 중")).await;
    screenshot(&c, "draft-sent-progress.png").await;

    // The alarm as 설정 shows it: the recording chosen, automatic play on.
    click(&c, "nav a[href='/settings']").await;
    text_until(&c, "[data-testid=alarm-settings]", |t| {
        t.contains("재난 안내 방송")
    })
    .await;
    c.execute(
        "document.querySelector('[data-testid=alarm-settings]').closest('section').scrollIntoView({block: 'start'})",
        vec![],
    )
    .await
    .expect("scroll to the alarm");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    screenshot(&c, "alarm-settings.png").await;

    // The feed's draft edited before it goes: the form starts as the draft, and sending it
    // closes the draft (its loudspeakers have played already).
    click(&c, "[data-testid=draft-edit-2]").await;
    text_until(&c, "[data-testid=compose-from-draft]", |t| {
        t.contains("산사태")
    })
    .await;
    let body = css(&c, "[data-testid=dispatch-body]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(body.contains("좌구산"), "{body}");
    fill(
        &c,
        "[data-testid=dispatch-title]",
        "좌구산 산사태: 마을회관으로 대피",
    )
    .await;
    text_until(&c, "[data-testid=dispatch-summary]", |t| t.contains("문자")).await;
    screenshot(&c, "draft-edit-compose.png").await;
    click(&c, "[data-testid=dispatch-send]").await;
    text_until(&c, "[data-testid=dispatch-send]", |t| {
        t.contains("한 번 더")
    })
    .await;
    click(&c, "[data-testid=dispatch-send]").await;
    until_gone(&c, "[data-testid=draft-banner]", "the edited draft closed").await;
    text_until(&c, "[data-testid=progress-sms-delivered]", |t| {
        t.replace(',', "").parse::<u32>().is_ok_and(|n| n > 0)
    })
    .await;
    let pool = crate::pool(&db).await;
    let (title, state): (String, String) = maeul_db::query_as(
        "SELECT b.title, d.state FROM broadcast_drafts d JOIN broadcasts b ON b.id = d.broadcast_id \
         WHERE d.id = 2",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (title.as_str(), state.as_str()),
        ("좌구산 산사태: 마을회관으로 대피", "sent")
    );
    pool.close().await;
    assert!(feed.requests.load(std::sync::atomic::Ordering::SeqCst) > 0);
    c.close().await.unwrap();
}

/// The office's alarm recording (imported by the CLI) chosen with automatic play, and the
/// console on the test signal with no line-out device, as 설정 would leave them.
async fn alarm_on_the_test_signal(dir: &std::path::Path, db: &std::path::Path) {
    let wav = dir.join("재난안내.wav");
    let x = maeul_mixer::speech::speech_like(7, 1.5, 0.05);
    maeul_mixer::clip::write_wav16(&wav, &x, 48_000).unwrap();
    let out = std::process::Command::new(crate::env_path("MAEUL_E2E_CLI"))
        .arg("--db")
        .arg(db)
        .args(["recording", "import"])
        .arg(&wav)
        .args(["--title", "재난 안내 방송"])
        .output()
        .unwrap();
    assert!(out.status.success(), "maeul recording import");
    let id = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find_map(|w| w.parse::<i64>().ok())
        .expect("the recording's id");
    crate::cli(
        db,
        &["feed", "alarm", "--recording", &id.to_string(), "--auto"],
        "",
    );
    let pool = crate::pool(db).await;
    maeul_db::query(
        "INSERT INTO settings (key, value) VALUES ('console.devices', $1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(r#"{"input":"test:speech","line_out":"none","monitor":"none"}"#)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
}

const HEAVY_RAIN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>KMA-E2E-1</identifier>
  <sender>kma.go.kr</sender>
  <sent>2026-12-05T08:10:00+09:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <code>대한민국정부1.1</code>
  <info>
    <language>ko-KR</language>
    <category>Met</category>
    <event>호우주의보</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>TTAS.KO-07.0046/R5 재난 종류 코드</valueName><value>HRA</value></eventCode>
    <senderName>청주기상지청</senderName>
    <headline>도안면 호우주의보</headline>
    <description>시간당 30mm 이상의 강한 비가 내립니다.</description>
    <instruction>하천변 출입을 삼가십시오.</instruction>
    <area>
      <areaDesc>충청북도 증평군 도안면</areaDesc>
      <geocode><valueName>행정구역코드</valueName><value>4374531000</value></geocode>
    </area>
  </info>
</alert>"#;

/// Escalation at the desk: an emergency call sent (by the CLI) 35 minutes ago under a
/// three-step ladder. The app's own sync worker takes the two steps that came due — a text
/// to the households that did not press 1, then the chiefs' call lists — and the timeline
/// shows them done, with the 60-minute step still planned until staff stop it. The ladder
/// itself is edited in 설정.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn escalation_steps_show_on_the_timeline_and_stop() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::seeded_copy(dir.path());
    crate::cli(
        &db,
        &[
            "settings",
            "set",
            "dispatch.escalation",
            r#"{"emergency":[{"after_mins":10,"action":"sms"},{"after_mins":30,"action":"chief"},{"after_mins":60,"action":"chief"}]}"#,
        ],
        "",
    );
    let out = std::process::Command::new(crate::env_path("MAEUL_E2E_CLI"))
        .arg("--db")
        .arg(&db)
        .args([
            "broadcast",
            "send",
            "--title",
            "보강천 범람 대피",
            "--text",
            "보강천 수위가 높습니다. 하천변 주민은 마을회관으로 대피하세요.",
            "--villages",
            "창동1리,창동2리",
            "--channels",
            "voice",
            "--category",
            "emergency",
            "--emergency",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // Unanswered calls are tried again a second later, so the drain ends within moments.
    crate::cli(
        &db,
        &["settings", "set", "dispatch.retry_schedule", "1s"],
        "",
    );
    crate::cli(&db, &["sync", "--drain", "--timeout", "60"], "");
    // Sent 35 minutes ago, as far as the ladder is concerned.
    let earlier = maeul_time::stamp(jiff::Timestamp::now() - jiff::SignedDuration::from_mins(35));
    let pool = crate::pool(&db).await;
    maeul_db::query("UPDATE broadcasts SET created_at = $1 WHERE id = $2")
        .bind(&earlier)
        .bind(id.parse::<i64>().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let (_driver, c) = crate::sign_in(&db).await;
    click(&c, "nav a[href='/dispatch']").await;
    click(&c, "[data-testid=dispatch-tab-history]").await;
    click(&c, &format!("[data-testid=history-open-{id}]")).await;
    // The worker's first pass takes both due steps; the progress view refreshes on its own.
    let second = text_until(&c, "[data-testid=escalation-step-2]", |t| {
        t.contains("완료")
    })
    .await;
    assert!(
        second.contains("이장님 전화 명단") && second.contains("세대"),
        "{second}"
    );
    let first = text(&c, "[data-testid=escalation-step-1]").await;
    assert!(first.contains("문자") && first.contains("완료"), "{first}");
    let third = text(&c, "[data-testid=escalation-step-3]").await;
    assert!(third.contains("예정"), "{third}");
    screenshot(&c, "escalation-timeline.png").await;
    click(&c, "[data-testid=escalation-stop]").await;
    text_until(&c, "[data-testid=escalation-step-3]", |t| {
        t.contains("중지됨")
    })
    .await;
    until_gone(
        &c,
        "[data-testid=escalation-stop]",
        "the stop button stayed",
    )
    .await;

    // The ladder in 설정: the emergency one as set, and a new one for village news.
    click(&c, "nav a[href='/settings']").await;
    css(&c, "[data-testid=escalation-emergency-3-action]").await;
    click(&c, "[data-testid=escalation-village_news-add]").await;
    click(&c, "[data-testid=escalation-save]").await;
    let pool = crate::pool(&db).await;
    let stored = text_until_stored(&pool).await;
    c.execute(
        "document.querySelector('[data-testid=escalation-settings]').closest('section').scrollIntoView({block: 'start'})",
        vec![],
    )
    .await
    .expect("scroll to the ladders");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    screenshot(&c, "escalation-settings.png").await;

    // A frequent message kept in 설정, its fields put in with the buttons…
    fill(&c, "[data-testid=template-name]", "마을 총회 안내").await;
    fill(&c, "[data-testid=template-title]", "총회 안내").await;
    fill(&c, "[data-testid=template-body]", "총회가 열립니다. 일시: ").await;
    click(&c, "[data-testid='template-insert-일시']").await;
    css(&c, "[data-testid=template-body]")
        .await
        .send_keys(", 장소: ")
        .await
        .expect("type after the field");
    click(&c, "[data-testid='template-insert-장소']").await;
    click(&c, "[data-testid=template-save]").await;
    let kept = text_until(&c, "[data-testid=templates-manager]", |t| {
        t.contains("마을 총회 안내")
    })
    .await;
    assert!(kept.contains("일시: {일시}, 장소: {장소}"), "{kept}");
    c.execute(
        "document.querySelector('[data-testid=templates-manager]').closest('section').scrollIntoView({block: 'start'})",
        vec![],
    )
    .await
    .expect("scroll to the templates");
    screenshot(&c, "templates-settings.png").await;
    // …and used at compose time: a field left empty is named, then the text goes in.
    click(&c, "nav a[href='/dispatch']").await;
    click(&c, "[data-testid=dispatch-tab-compose]").await;
    // One village picked: its name is what a template's {마을명} would take.
    fill(&c, "[data-testid=dispatch-village-search]", "창동").await;
    click(&c, "[data-testid='village-창동1리']").await;
    let choose = css(&c, "[data-testid=template-choose]").await;
    choose
        .select_by_label("[마을소식] 마을 총회 안내")
        .await
        .expect("pick the template");
    fill(
        &c,
        "[data-testid='template-field-일시']",
        "12월 9일 오전 10시",
    )
    .await;
    click(&c, "[data-testid=template-apply]").await;
    text_until(&c, "[data-testid=template-picker]", |t| t.contains("장소")).await;
    fill(&c, "[data-testid='template-field-장소']", "마을회관").await;
    click(&c, "[data-testid=template-apply]").await;
    let body = css(&c, "[data-testid=dispatch-body]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        body,
        "총회가 열립니다. 일시: 12월 9일 오전 10시, 장소: 마을회관"
    );
    let counter = text(&c, "[data-testid=dispatch-counter]").await;
    assert!(counter.contains("바이트"), "{counter}");
    screenshot(&c, "templates-compose.png").await;
    assert!(
        stored.contains("\"village_news\":[{\"after_mins\":10"),
        "{stored}"
    );
    pool.close().await;
    c.close().await.unwrap();
}

/// The stored ladders once the save has landed.
async fn text_until_stored(pool: &sqlx::SqlitePool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (v,): (String,) =
            maeul_db::query_as("SELECT value FROM settings WHERE key = 'dispatch.escalation'")
                .fetch_one(pool)
                .await
                .unwrap();
        if v.contains("village_news") || std::time::Instant::now() > deadline {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
