//! Stored clips and chimes: any WAV, MP3 or Ogg (Vorbis or Opus) file, decoded once to the
//! bus format (48 kHz mono f32) and shared by reference while it plays.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use crate::MixerError;
use crate::dsp::RATE;

/// The longest clip the desk takes: an announcement, not a programme.
pub const MAX_CLIP_SECS: u32 = 30 * 60;

/// Sample rates a file may have: telephone band to studio. Outside them the header is
/// wrong or hostile, and rubato would be asked for an absurd (or no) ratio.
pub const MIN_RATE: u32 = 8_000;
pub const MAX_RATE: u32 = 192_000;

/// Decoded audio, ready to play.
#[derive(Debug, Clone)]
pub struct Clip {
    pub name: String,
    pub samples: Arc<[f32]>,
}

impl Clip {
    pub fn from_samples(name: impl Into<String>, samples: Vec<f32>) -> Clip {
        Clip {
            name: name.into(),
            samples: samples.into(),
        }
    }

    pub fn secs(&self) -> f32 {
        self.samples.len() as f32 / RATE as f32
    }

    /// Decodes a file; the error names the file and what is wrong with it.
    pub fn open(path: &Path) -> Result<Clip, MixerError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let samples = decode_to_bus(path)?;
        Ok(Clip {
            name,
            samples: samples.into(),
        })
    }
}

fn decode_err(path: &Path, reason: impl Into<String>) -> MixerError {
    MixerError::Decode {
        file: path.display().to_string(),
        reason: reason.into(),
    }
}

/// Any supported file to 48 kHz mono.
pub fn decode_to_bus(path: &Path) -> Result<Vec<f32>, MixerError> {
    let (rate, channels, interleaved) = decode_any(path)?;
    let mono: Vec<f32> = if channels <= 1 {
        interleaved
    } else {
        interleaved
            .chunks(channels)
            .map(|f| f.iter().sum::<f32>() / channels as f32)
            .collect()
    };
    if mono.is_empty() {
        return Err(decode_err(path, "소리가 없습니다 (길이 0)"));
    }
    Ok(if rate == RATE {
        mono
    } else {
        to_bus_rate(&mono, rate)
    })
}

/// Resamples a mono signal at `rate` to 48 kHz.
pub fn to_bus_rate(x: &[f32], rate: u32) -> Vec<f32> {
    let mut fft = Fft::<f32>::new_custom(
        rate as usize,
        RATE as usize,
        1_024,
        1,
        1,
        WindowFunction::BlackmanHarris2,
        FixedSync::Input,
    )
    .expect("valid rates");
    let input = InterleavedSlice::new(x, 1, x.len()).expect("mono");
    fft.process_all(&input, x.len(), None)
        .expect("sized by rubato")
        .take_data()
}

fn check_rate(path: &Path, rate: u32) -> Result<(), MixerError> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(decode_err(
            path,
            format!("표본율 {rate} Hz는 쓸 수 없습니다 (8,000–192,000 Hz)"),
        ))
    }
}

fn too_long(path: &Path) -> MixerError {
    decode_err(path, format!("{}분보다 깁니다", MAX_CLIP_SECS / 60))
}

fn decode_any(path: &Path) -> Result<(u32, usize, Vec<f32>), MixerError> {
    let file = File::open(path).map_err(|e| MixerError::io(path, e))?;
    decode_source(Box::new(file), path)
}

/// Decodes `source`, named `path` (its extension is the format hint).
fn decode_source(
    source: Box<dyn MediaSource>,
    path: &Path,
) -> Result<(u32, usize, Vec<f32>), MixerError> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| {
            decode_err(
                path,
                format!("지원하지 않는 형식입니다 (WAV, MP3, OGG): {e}"),
            )
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| decode_err(path, "오디오 트랙이 없습니다"))?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| decode_err(path, "오디오 형식 정보가 없습니다"))?
        .clone();
    if params.codec == CODEC_ID_OPUS {
        // Symphonia demuxes Ogg Opus but has no Opus decoder; libopus does it.
        drop(format);
        let d = crate::opus_ogg::decode_file(path)?;
        return Ok((RATE, 1, d.samples));
    }
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| decode_err(path, format!("코덱을 열 수 없습니다: {e}")))?;
    if let Some(declared) = params.sample_rate {
        check_rate(path, declared)?;
    }
    let mut rate = params.sample_rate.unwrap_or(0);
    let mut channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(0);
    // Counted as decoded, so that a long file is refused before it is all in memory.
    let mut secs_decoded = 0f64;
    let mut out: Vec<f32> = Vec::new();
    let mut buf: Vec<f32> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(decode_err(path, e.to_string())),
        };
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(audio) => {
                rate = audio.spec().rate();
                check_rate(path, rate)?;
                channels = audio.spec().channels().count();
                secs_decoded += audio.frames() as f64 / rate as f64;
                if secs_decoded > MAX_CLIP_SECS as f64 {
                    return Err(too_long(path));
                }
                audio.copy_to_vec_interleaved(&mut buf);
                out.extend_from_slice(&buf);
            }
            // A damaged packet costs its few milliseconds, not the clip.
            Err(SymError::DecodeError(_)) => continue,
            Err(e) => return Err(decode_err(path, e.to_string())),
        }
    }
    if rate == 0 || channels == 0 {
        return Err(decode_err(path, "표본율이나 채널 수를 알 수 없습니다"));
    }
    check_rate(path, rate)?;
    Ok((rate, channels, out))
}

/// Writes 48 kHz mono as 16-bit PCM WAV (chimes, test inputs, exports).
pub fn write_wav16(path: &Path, x: &[f32], rate: u32) -> Result<(), MixerError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w =
        hound::WavWriter::create(path, spec).map_err(|e| decode_err(path, e.to_string()))?;
    for &s in x {
        w.write_sample((s.clamp(-1.0, 1.0) * 32_767.0).round() as i16)
            .map_err(|e| decode_err(path, e.to_string()))?;
    }
    w.finalize().map_err(|e| decode_err(path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testsig::sine;

    #[test]
    fn wav_at_another_rate_and_stereo_comes_in_as_48k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&p, spec).unwrap();
        for i in 0..44_100 {
            let v = (8_000.0 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 44_100.0).sin())
                as i16;
            w.write_sample(v).unwrap();
            w.write_sample(v).unwrap();
        }
        w.finalize().unwrap();
        let c = Clip::open(&p).unwrap();
        assert!((c.secs() - 1.0).abs() < 0.01, "{} s", c.secs());
        let r = crate::dsp::testsig::rms(&c.samples[4_800..43_200]);
        assert!((r - 8_000.0 / 32_768.0 / 2f32.sqrt()).abs() < 0.005);
    }

    #[test]
    fn our_own_opus_archive_opens_as_a_clip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ogg");
        let f = File::create(&p).unwrap();
        let mut w = crate::opus_ogg::OggOpusWriter::new(f, Default::default(), &[]).unwrap();
        w.write(&sine(500.0, 0.3, 0.5)).unwrap();
        w.finish().unwrap();
        let c = Clip::open(&p).unwrap();
        assert_eq!(c.samples.len(), 24_000);
    }

    /// A RIFF header for 8-bit mono PCM at `rate` with `data_len` bytes of samples.
    fn wav_header(rate: u32, data_len: u32) -> Vec<u8> {
        let mut h = Vec::new();
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&data_len.saturating_add(36).to_le_bytes());
        h.extend_from_slice(b"WAVEfmt ");
        h.extend_from_slice(&16u32.to_le_bytes());
        h.extend_from_slice(&1u16.to_le_bytes()); // PCM
        h.extend_from_slice(&1u16.to_le_bytes()); // mono
        h.extend_from_slice(&rate.to_le_bytes());
        h.extend_from_slice(&rate.to_le_bytes()); // bytes a second
        h.extend_from_slice(&1u16.to_le_bytes()); // bytes a frame
        h.extend_from_slice(&8u16.to_le_bytes()); // bits a sample
        h.extend_from_slice(b"data");
        h.extend_from_slice(&data_len.to_le_bytes());
        h
    }

    /// A WAV made as it is read (header, then 8-bit silence), counting the bytes taken.
    struct MadeWav {
        header: Vec<u8>,
        len: u64,
        pos: u64,
        taken: std::sync::Arc<std::sync::atomic::AtomicU64>,
    }

    impl std::io::Read for MadeWav {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min((self.len - self.pos) as usize);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = *self.header.get(self.pos as usize + i).unwrap_or(&128);
            }
            self.pos += n as u64;
            self.taken
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            Ok(n)
        }
    }

    #[test]
    fn a_file_past_thirty_minutes_is_refused_while_it_is_read() {
        // Two hours at 8 kHz: 57.6 MB of 8-bit samples, never on disk.
        let data_len = 2 * 3_600 * 8_000;
        let header = wav_header(8_000, data_len);
        let taken = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let wav = MadeWav {
            len: header.len() as u64 + data_len as u64,
            header,
            pos: 0,
            taken: taken.clone(),
        };
        let source = symphonia::core::io::ReadOnlySource::new(wav);
        let e = decode_source(Box::new(source), Path::new("long.wav"))
            .map(|(rate, channels, x)| (rate, channels, x.len()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("long.wav") && e.contains("30분"), "{e}");
        let taken = taken.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            taken < data_len as u64 / 3,
            "read {taken} of {data_len} bytes before refusing"
        );
    }

    #[test]
    fn sample_rates_no_resampler_should_take_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for rate in [0, 1, 7_999, 192_001] {
            let p = dir.path().join(format!("r{rate}.wav"));
            let mut bytes = wav_header(rate, 16);
            bytes.extend_from_slice(&[128; 16]);
            std::fs::write(&p, bytes).unwrap();
            let e = decode_to_bus(&p).map(|x| x.len()).unwrap_err().to_string();
            assert!(
                e.contains(&format!("r{rate}.wav")) && e.contains("8,000"),
                "{rate} Hz: {e}"
            );
        }
    }

    #[test]
    fn bad_files_are_named_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.mp3");
        std::fs::write(&p, b"this is not audio at all, just text").unwrap();
        let e = Clip::open(&p).unwrap_err().to_string();
        assert!(
            e.contains("notes.mp3") && e.contains("지원하지 않는 형식"),
            "{e}"
        );
        let e = Clip::open(&dir.path().join("missing.wav"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.wav"), "{e}");
    }
}
