use maeul_mixer::dsp::db_to_lin;
use maeul_mixer::graph::ChainSettings;
use maeul_mixer::loudness::{self, ActiveSpeech};
use maeul_mixer::render::{RenderOptions, render};
use maeul_mixer::speech::speech_like;
use maeul_mixer::{dtmf, mulaw, opus_ogg};

use crate::{ebu, paths};

fn telephony_dbm0(path: &std::path::Path) -> f32 {
    let (rate, codes) = mulaw::read_wav(std::fs::File::open(path).unwrap()).unwrap();
    assert_eq!(rate, 8_000);
    let x: Vec<f32> = codes
        .iter()
        .map(|c| mulaw::decode(*c) as f32 / 32_768.0)
        .collect();
    let mut m = ActiveSpeech::new(8_000);
    m.push(&x);
    loudness::dbm0(m.level().unwrap().0)
}

#[test]
fn quiet_and_loud_speech_both_come_out_at_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    // A timid speaker far from the microphone, and one shouting into it.
    for (name, level_db, gain_db) in [("quiet", -38.0, 0.0), ("loud", -12.0, 6.0)] {
        let input = speech_like(11, 40.0, db_to_lin(level_db));
        let opts = RenderOptions {
            chain: ChainSettings {
                gain_db,
                ..ChainSettings::default()
            },
            chime: true,
            ..RenderOptions::default()
        };
        let r = render(&input, &opts, paths(dir.path(), name))
            .unwrap()
            .rendition;
        let decoded = opus_ogg::decode_file(&r.archive).unwrap();
        assert!(decoded.complete);
        let (lufs, tp) = ebu(&decoded.samples);
        assert!(
            (lufs - -23.0).abs() <= 1.0,
            "{name}: archive at {lufs:.2} LUFS"
        );
        assert!(tp <= -1.0, "{name}: archive true peak {tp:.2} dBTP");
        let dbm0 = telephony_dbm0(&r.telephony);
        assert!(
            (dbm0 - -19.0).abs() <= 1.0,
            "{name}: telephone at {dbm0:.2} dBm0"
        );
        // What the renderer reports is what the files measure.
        assert!(
            (r.archive_lufs as f64 - lufs).abs() < 0.5,
            "{name}: reported {} vs {lufs:.2}",
            r.archive_lufs
        );
        // The voice alone is on target.
        assert!(
            (r.telephony_dbm0 + 19.0).abs() < 0.5,
            "{name}: voice at {} dBm0",
            r.telephony_dbm0
        );
        // 40 s of speech plus two chimes of 2.86 s.
        assert!(
            (r.duration_ms as i64 - 45_720).abs() < 100,
            "{name}: {} ms",
            r.duration_ms
        );
        assert!(
            !r.archive.with_extension("spool").exists(),
            "the spool is removed"
        );
    }
}

#[test]
fn zone_tones_reach_the_line_out_before_the_chime_and_stay_out_of_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let line = dir.path().join("line.wav");
    let opts = RenderOptions {
        chime: true,
        zones: vec!["101".into(), "172".into()],
        line_out: Some(line.clone()),
        ..RenderOptions::default()
    };
    let input = speech_like(3, 5.0, db_to_lin(-20.0));
    let out = render(&input, &opts, paths(dir.path(), "zones")).unwrap();
    assert_eq!(out.zone_sequence, "*101#*172#");
    let line_audio: Vec<f32> = hound::WavReader::open(&line)
        .unwrap()
        .into_samples::<i16>()
        .map(|s| s.unwrap() as f32 / 32_768.0)
        .collect();
    assert_eq!(dtmf::detect(&line_audio), "*101#*172#");
    // The tones come first: the first second of the line is tones, and the chime follows them.
    assert_eq!(dtmf::detect(&line_audio[..48_000 * 2]), "*101#*172#");
    let archive = opus_ogg::decode_file(&out.rendition.archive).unwrap();
    assert_eq!(
        dtmf::detect(&archive.samples),
        "",
        "no zone tones in what phones will play"
    );
    assert!(
        line_audio.len() > archive.samples.len() + 48_000,
        "the line carries the tones on top of the recording"
    );
}

#[test]
fn bad_zone_codes_are_refused_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let opts = RenderOptions {
        zones: vec!["10-1".into()],
        ..RenderOptions::default()
    };
    let e = render(&[0.0; 480], &opts, paths(dir.path(), "bad")).unwrap_err();
    assert_eq!(e.field(), Some("zone"));
    assert!(e.to_string().contains("'-'"), "{e}");
}

#[test]
fn silence_renders_without_inventing_gain() {
    let dir = tempfile::tempdir().unwrap();
    let r = render(
        &vec![0.0; 48_000],
        &RenderOptions::default(),
        paths(dir.path(), "silent"),
    )
    .unwrap()
    .rendition;
    assert_eq!(r.gain_db, 0.0);
    assert_eq!(r.duration_ms, 1_000);
}
