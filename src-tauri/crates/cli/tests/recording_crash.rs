//! A live recording killed mid-way: `maeul mixer record` (the console engine, with the
//! built-in test signal as the microphone) is SIGKILLed while on air. What it wrote until
//! then must play, and finishing it afterwards must keep all of it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use maeul_mixer::opus_ogg;
use maeul_mixer::recorder::RecordingPaths;

#[test]
fn a_recording_killed_on_air_still_plays_up_to_the_kill_and_is_finished_after() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("live.ogg");
    let telephony = dir.path().join("live-8k.wav");
    let mut child = Command::new(env!("CARGO_BIN_EXE_maeul"))
        .args([
            "mixer",
            "record",
            "--input",
            "test:speech",
            "--seconds",
            "120",
        ])
        .arg("--archive")
        .arg(&archive)
        .arg("--telephony")
        .arg(&telephony)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until about four seconds are on disk (a page per second, ~4 KB each), then kill.
    let started = Instant::now();
    loop {
        let size = std::fs::metadata(&archive).map(|m| m.len()).unwrap_or(0);
        if size > 14_000 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the recording never grew ({size} bytes)"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("maeul mixer record ended early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL: no chance to finish anything
    child.wait().unwrap();
    let killed_after = started.elapsed().as_secs_f64();

    // The file as the crash left it plays (our reader stops at a cut page on its own).
    let left = opus_ogg::decode_file(&archive).unwrap();
    assert!(!left.complete, "a killed recording has no end of stream");
    let secs = left.samples.len() as f64 / 48_000.0;
    assert!(secs >= 3.0, "only {secs:.2} s playable");
    assert!(secs <= killed_after + 0.5);
    assert!(
        left.samples.iter().any(|s| s.abs() > 0.01),
        "the voice is in it"
    );

    // Finishing after the crash: from the spool, which has everything up to the kill.
    let spool = archive.with_extension("spool");
    assert!(spool.exists());
    let paths = RecordingPaths {
        archive: archive.clone(),
        telephony: telephony.clone(),
        spool: spool.clone(),
    };
    let r = maeul_mixer::finish::recover(&paths, 0).unwrap();
    assert!(
        r.duration_ms as f64 / 1000.0 >= secs - 0.05,
        "recovery kept {} ms of {secs:.2} s",
        r.duration_ms
    );
    assert!((r.archive_lufs + 23.0).abs() < 1.0);
    let finished = opus_ogg::decode_file(&archive).unwrap();
    assert!(finished.complete);
    assert!(telephony.exists() && !spool.exists());
}

#[test]
fn without_the_spool_the_archive_alone_is_enough() {
    let dir = tempfile::tempdir().unwrap();
    let paths = RecordingPaths::in_dir(dir.path(), "lost-spool");
    // Three seconds recorded live, then the process dies: nothing closed.
    let mut rec = maeul_mixer::recorder::Recorder::create(paths.clone(), true, &[]).unwrap();
    let voice = maeul_mixer::speech::speech_like(8, 3.2, 0.1);
    for c in voice.chunks(480) {
        rec.write(c, 0..c.len()).unwrap();
    }
    std::mem::forget(rec);
    std::fs::remove_file(&paths.spool).unwrap();
    let r = maeul_mixer::finish::recover(&paths, 0).unwrap();
    // Whole pages only: a second of audio a page, so three of the 3.2 s.
    assert!(
        (2_900..=3_200).contains(&r.duration_ms),
        "{} ms",
        r.duration_ms
    );
}
