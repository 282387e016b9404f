use std::fs::File;

use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use maeul_mixer::dsp::db_to_lin;
use maeul_mixer::render::{RenderOptions, render};
use maeul_mixer::speech::speech_like;

use crate::paths;

/// Demuxes with symphonia (not our reader) and decodes each packet with libopus.
fn decode_independently(path: &std::path::Path) -> (Vec<f32>, u64) {
    let mss = MediaSourceStream::new(Box::new(File::open(path).unwrap()), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("ogg");
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .expect("symphonia recognises the file as Ogg");
    let track = format
        .default_track(TrackType::Audio)
        .expect("an audio track");
    let params = track
        .codec_params
        .as_ref()
        .unwrap()
        .audio()
        .unwrap()
        .clone();
    assert_eq!(params.codec, CODEC_ID_OPUS);
    assert_eq!(params.channels.as_ref().map(|c| c.count()), Some(1));
    let id = track.id;
    let mut dec = opus::Decoder::new(48_000, opus::Channels::Mono).unwrap();
    let mut pcm = vec![0f32; 5_760];
    let mut out = Vec::new();
    let mut packets = 0;
    while let Ok(Some(p)) = format.next_packet() {
        if p.track_id != id {
            continue;
        }
        let n = dec
            .decode_float(&p.data, &mut pcm, false)
            .expect("libopus decodes every packet");
        out.extend_from_slice(&pcm[..n]);
        packets += 1;
    }
    (out, packets)
}

#[test]
fn the_archive_is_ogg_opus_that_an_independent_decoder_plays() {
    let dir = tempfile::tempdir().unwrap();
    let input = speech_like(5, 12.0, db_to_lin(-24.0));
    let r = render(
        &input,
        &RenderOptions::default(),
        paths(dir.path(), "indep"),
    )
    .unwrap()
    .rendition;
    let (samples, packets) = decode_independently(&r.archive);
    // 20 ms packets: 12 s is 600 of them, plus the encoder's look-ahead.
    assert!((600..=602).contains(&packets), "{packets} packets");
    assert!(samples.len() >= input.len());
    let ours = maeul_mixer::opus_ogg::decode_file(&r.archive).unwrap();
    assert_eq!(
        ours.samples.len(),
        input.len(),
        "our reader trims pre-skip and end exactly"
    );
    // Both decoders agree once symphonia's output is shifted by the pre-skip (312 samples).
    let skip =
        samples.len() - ours.samples.len() - (samples.len() - input.len() - 312).min(samples.len());
    let a = &samples[skip..skip + 48_000];
    let b = &ours.samples[..48_000];
    let diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(diff < 1e-4, "decoders disagree by {diff}");
    // Voice survives: the level is where the renderer said it is.
    let (lufs, _) = crate::ebu(&ours.samples);
    assert!((lufs - r.archive_lufs as f64).abs() < 0.5);
    // 32 kbit/s: 12 s is about 48 KB.
    let size = std::fs::metadata(&r.archive).unwrap().len();
    assert!((30_000..70_000).contains(&size), "{size} bytes");
}

#[test]
fn a_file_cut_mid_page_is_repaired_to_its_last_whole_page_and_plays() {
    let dir = tempfile::tempdir().unwrap();
    let input = speech_like(6, 6.0, db_to_lin(-20.0));
    let r = render(&input, &RenderOptions::default(), paths(dir.path(), "cut"))
        .unwrap()
        .rendition;
    let bytes = std::fs::read(&r.archive).unwrap();
    // Cut two thirds in: as if the power went mid-write.
    let cut = bytes.len() * 2 / 3;
    std::fs::write(&r.archive, &bytes[..cut]).unwrap();
    let fixed = maeul_mixer::opus_ogg::repair(&r.archive).unwrap();
    assert!(fixed.cut > 0 && fixed.pages >= 3);
    let (samples, _) = decode_independently(&r.archive);
    assert!(
        samples.len() >= 48_000 * 3,
        "only {} samples survived",
        samples.len()
    );
    let ours = maeul_mixer::opus_ogg::decode_file(&r.archive).unwrap();
    assert!(!ours.complete);
    assert!((ours.samples.len() as i64 - fixed.samples as i64).abs() <= 960);
}
