//! The engine driven block by block, with a device that the test unplugs.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use rtrb::RingBuffer;

use super::devices::{DeviceInput, Input};
use super::worker::Worker;
use super::*;
use crate::dsp::{BLOCK, RATE};
use crate::graph::Body;
use crate::speech::SpeechLike;

fn status() -> Arc<Mutex<EngineStatus>> {
    let d = DeviceState {
        id: device::NONE.into(),
        name: None,
        ok: true,
        error: None,
    };
    Arc::new(Mutex::new(EngineStatus {
        input: d.clone(),
        line_out: d.clone(),
        monitor: d,
        phase: Phase::Idle,
        preview: false,
        chain: ChainSettings::default(),
    }))
}

#[test]
fn an_unplugged_microphone_ends_the_broadcast_and_keeps_what_was_captured() {
    let dir = tempfile::tempdir().unwrap();
    let paths = RecordingPaths::in_dir(dir.path(), "unplugged");
    let (tx, rx) = mpsc::channel();
    let sink: Sink = Arc::new(move |e| {
        if let EngineEvent::Finished {
            result, cut_short, ..
        } = e
        {
            let _ = tx.send((result, cut_short));
        }
    });
    let none = DeviceChoice {
        input: device::NONE.into(),
        line_out: device::NONE.into(),
        monitor: device::NONE.into(),
    };
    let mut w = Worker::new(none, ChainSettings::default(), status(), sink);
    let (mut mic, ring) = RingBuffer::<f32>::new(1 << 16);
    let stream = device::InputStream::detached(ring, RATE, "시험 마이크");
    let plug = stream.counters.clone();
    w.input = Input::Device(Box::new(DeviceInput::new(stream)));
    let (program, _) = crate::render::program(Body::Mic, false, &[], None).unwrap();
    assert!(w.handle(Command::Start {
        program,
        paths: paths.clone(),
        tags: vec![]
    }));

    // Three seconds of speech arrive from the device, block by block.
    let mut voice = SpeechLike::new(2, 0.1);
    let mut block = [0f32; BLOCK];
    for _ in 0..300 {
        voice.fill(&mut block);
        for s in block {
            mic.push(s).unwrap();
        }
        assert!(w.pull_input());
        w.tick_graph();
    }
    // The cable comes out.
    plug.lost.store(true, Ordering::Relaxed);
    w.check_devices();
    assert!(matches!(w.input, Input::Silence));
    let st = w.status.lock().unwrap().clone();
    assert!(
        !st.input.ok
            && st
                .input
                .error
                .as_deref()
                .unwrap_or("")
                .contains("끊겼습니다")
    );
    for _ in 0..20 {
        w.pull_input();
        w.tick_graph();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let (result, cut_short) = loop {
        w.check_devices();
        if let Ok(r) = rx.try_recv() {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "the recording was never finished"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        cut_short
            .as_deref()
            .unwrap_or("")
            .contains("연결이 끊겼습니다"),
        "{cut_short:?}"
    );
    let r = result.expect("what was captured is finished");
    assert!(
        (r.duration_ms as i64 - 3_000).abs() <= 20,
        "{} ms kept",
        r.duration_ms
    );
    let back = crate::opus_ogg::decode_file(&r.archive).unwrap();
    assert!(back.complete);
    assert_eq!(back.samples.len() as u64, r.duration_ms * 48);
    assert!(r.telephony.exists());
}
