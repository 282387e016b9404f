use std::time::{Duration, Instant};

use fantoccini::Client;

use crate::{
    click, content_until, css, digits, failed, fill, screenshot, signed_in, text, text_until,
};

/// The console under Xvfb (no sound card): the test signal as the microphone.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn console_on_air_recording_to_dispatch() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, c) = signed_in(dir.path()).await;
    flow(&c).await;
    c.close().await.unwrap();
}

/// A meter's level as the page last drew it.
async fn level(c: &Client, testid: &str) -> f32 {
    css(c, &format!("[data-testid={testid}]"))
        .await
        .attr("data-level")
        .await
        .expect("data-level")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-200.0)
}

/// Waits until the meter reads above `db` (the engine streams ~30 frames a second).
async fn meter_above(c: &Client, testid: &str, db: f32) -> f32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let l = level(c, testid).await;
        if l > db {
            return l;
        }
        if Instant::now() > deadline {
            let shot = failed(c).await;
            panic!("{testid} stayed at {l} dB (screenshot: target/e2e/{shot})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls an element's `textContent` (its visible text is empty when clipped with an
/// ellipsis) until `ok` holds.
async fn choose(c: &Client, testid: &str, value: &str) {
    css(c, &format!("[data-testid={testid}]"))
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {testid}: {e}"));
}

async fn flow(c: &Client) {
    click(c, "nav a[href='/broadcast']").await;
    // No sound card under Xvfb: the built-in test signal is the microphone, nothing goes out.
    choose(c, "device-line_out", "none").await;
    choose(c, "device-monitor", "none").await;
    choose(c, "device-input", "test:speech").await;
    content_until(c, "[data-testid=device-state-input]", |t| {
        t.contains("시험 신호")
    })
    .await;
    let first = meter_above(c, "meter-input", -50.0).await;
    // The meters move: within a few seconds the level reads differently.
    let deadline = Instant::now() + Duration::from_secs(10);
    while (level(c, "meter-input").await - first).abs() < 0.5 {
        assert!(
            Instant::now() < deadline,
            "the input meter froze at {first} dB"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // On air to 창동1리: its zone code goes to the transmitter, then the chime, then voice.
    fill(c, "[data-testid=console-title]", "마을회관 안내 방송").await;
    fill(c, "[data-testid=console-village-search]", "창동1").await;
    click(c, "[data-testid='console-village-창동1리']").await;
    click(c, "[data-testid=console-go]").await;
    text_until(c, "[data-testid=on-air]", |t| t.contains("방송 중")).await;
    text_until(c, "[data-testid=on-air-phase]", |t| {
        t.contains("말씀하세요")
    })
    .await;
    meter_above(c, "meter-output", -40.0).await;
    // Two seconds on the console's own clock, so the recording has speech to measure.
    text_until(c, "[data-testid=on-air-clock]", |t| digits(t) >= 2).await;
    screenshot(c, "console-on-air.png").await;

    click(c, "[data-testid=console-stop]").await;
    // The closing chime, then the recording is finished and listed with its levels.
    let list = text_until(c, "[data-testid=recordings]", |t| {
        t.contains("마을회관 안내 방송")
            && t.contains("LUFS")
            && t.contains("dBm0")
            && t.contains("완료")
    })
    .await;
    assert!(
        list.contains("*101#") || list.contains('#'),
        "the zone code is kept: {list}"
    );
    assert!(text(c, "[data-testid=on-air]").await.contains("대기"));
    screenshot(c, "console-recording.png").await;

    // Handed to the dispatch form: attached, voice calls on.
    let send = css(
        c,
        "[data-testid=recordings] li:first-child [data-testid^=rec-send-]",
    )
    .await;
    let id = send
        .attr("data-testid")
        .await
        .unwrap()
        .unwrap_or_default()
        .trim_start_matches("rec-send-")
        .to_string();
    send.click().await.unwrap();
    let select = css(c, "[data-testid=dispatch-recording]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while select.prop("value").await.unwrap().unwrap_or_default() != id {
        assert!(Instant::now() < deadline, "the recording was not attached");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        css(c, "[data-testid=channel-voice]")
            .await
            .is_selected()
            .await
            .unwrap()
    );
    // Leave the form as the dispatch flow expects to find it.
    choose(c, "dispatch-recording", "").await;
}
