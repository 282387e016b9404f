//! Finishing a recording: the archive normalised to EBU R128 and re-encoded from the spool,
//! and the telephone rendition (8 kHz μ-law at -19 dBm0 of active speech) for voice calls.
//! Also the repair of a recording a crash interrupted.
//!
//! The body (voice or clip) and the chimes are levelled each on their own: a timid speaker
//! and a loud one both come out at the target, and a quiet announcement is not buried under
//! a chime normalised in its place (which is what levelling the whole recording did).

use std::fs::File;
use std::io::BufWriter;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::dsp::db_to_lin;
use crate::dsp::kweight::StepEnergies;
use crate::dsp::limiter::{LOOKAHEAD, Limiter};
use crate::dsp::truepeak::TruePeak;
use crate::loudness::{self, ActiveSpeech};
use crate::opus_ogg::{OggOpusWriter, OpusSettings};
use crate::recorder::{Captured, RecordingPaths, read_spool};
use crate::resample::Downsampler;
use crate::{MixerError, mulaw};

/// How far under the voice the chimes sit (LU in the archive, dB on the phone). None: R128
/// puts every element of a programme at the target, so a short announcement between two
/// chimes measures -23 LUFS as a whole too.
pub const CHIME_UNDER_VOICE: f32 = 0.0;
/// The most finishing will raise anything: beyond it is noise, not a quiet speaker.
const MAX_GAIN_DB: f32 = 30.0;

/// What the finished files measure.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Rendition {
    pub archive: PathBuf,
    pub telephony: PathBuf,
    pub duration_ms: u64,
    /// The voice as captured, before levelling.
    pub input_lufs: f32,
    /// What the voice was raised (or lowered) by.
    pub gain_db: f32,
    /// The finished archive, chimes included (measured before the Opus encoder, which moves
    /// it by a few tenths at most).
    pub archive_lufs: f32,
    pub archive_true_peak_dbtp: f32,
    /// Active speech level of the voice in the telephone rendition (P.56 after the 300 Hz
    /// high-pass).
    pub telephony_dbm0: f32,
}

/// Runs audio through a limiter and hands on the output with the look-ahead delay removed.
struct AlignedLimiter {
    limiter: Limiter,
    skip: usize,
    buf: Vec<f32>,
}

impl AlignedLimiter {
    fn new(ceiling_db: f32) -> AlignedLimiter {
        AlignedLimiter {
            limiter: Limiter::new(ceiling_db),
            skip: LOOKAHEAD,
            buf: Vec::new(),
        }
    }

    fn push(
        &mut self,
        x: &[f32],
        mut out: impl FnMut(&[f32]) -> Result<(), MixerError>,
    ) -> Result<(), MixerError> {
        self.buf.clear();
        self.buf.extend_from_slice(x);
        self.limiter.process(&mut self.buf);
        let skip = self.skip.min(self.buf.len());
        self.skip -= skip;
        out(&self.buf[skip..])
    }

    fn finish(
        mut self,
        out: impl FnMut(&[f32]) -> Result<(), MixerError>,
    ) -> Result<(), MixerError> {
        self.push(&[0.0; LOOKAHEAD], out)
    }
}

/// Applies one gain to the samples inside `voice` (global sample indices) and another to
/// the rest.
struct RegionGain {
    voice: Range<u64>,
    voice_gain: f32,
    other_gain: f32,
    pos: u64,
    buf: Vec<f32>,
}

impl RegionGain {
    fn apply(&mut self, x: &[f32]) -> &[f32] {
        self.buf.clear();
        for (i, v) in x.iter().enumerate() {
            let at = self.pos + i as u64;
            let g = if self.voice.contains(&at) {
                self.voice_gain
            } else {
                self.other_gain
            };
            self.buf.push(v * g);
        }
        self.pos += x.len() as u64;
        &self.buf
    }
}

fn gain_to(target: f32, measured: f32) -> f32 {
    if measured < -70.0 {
        // Silence (or nearly): nothing to level.
        0.0
    } else {
        (target - measured).clamp(-MAX_GAIN_DB, MAX_GAIN_DB)
    }
}

/// Makes the finished archive and the telephone rendition from what was captured, then
/// deletes the spool.
pub fn finish(c: &Captured) -> Result<Rendition, MixerError> {
    let paths = &c.paths;
    // How loud the voice is, and the chimes apart from it: measured while recording, or here
    // from the spool when a crash left only that.
    let (voice_lufs, other_lufs) = match c.levels {
        Some(l) => l,
        None => measure(&paths.spool, &c.voice)?,
    };
    let gain_db = gain_to(loudness::ARCHIVE_TARGET_LUFS, voice_lufs);
    let other_db = gain_to(
        loudness::ARCHIVE_TARGET_LUFS - CHIME_UNDER_VOICE,
        other_lufs,
    );

    // Pass 2: levelled, limited, encoded; and taken down to 8 kHz for the phone.
    let tmp = tmp_path(&paths.archive);
    let file = File::create(&tmp).map_err(|e| MixerError::io(&tmp, e))?;
    let title = paths
        .archive
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let r128 = format!("{:.1}", loudness::ARCHIVE_TARGET_LUFS);
    let mut opus = OggOpusWriter::new(
        BufWriter::with_capacity(1 << 16, file),
        // The spool holds 16-bit samples.
        OpusSettings {
            lsb_depth: 16,
            ..OpusSettings::default()
        },
        &[
            ("TITLE", &title),
            ("ENCODER", "maeul-desk"),
            ("LOUDNESS_LUFS", &r128),
        ],
    )?;
    let mut region = RegionGain {
        voice: c.voice.clone(),
        voice_gain: db_to_lin(gain_db),
        other_gain: db_to_lin(other_db),
        pos: 0,
        buf: Vec::new(),
    };
    let mut limiter = AlignedLimiter::new(loudness::ARCHIVE_LIMIT_DBFS);
    let mut measured = StepEnergies::default();
    let mut peak = TruePeak::default();
    let mut down = Downsampler::new(8_000);
    let mut tel = Vec::with_capacity((c.samples / 6) as usize + 16);
    let mut sink = |y: &[f32]| -> Result<(), MixerError> {
        measured.push(y);
        peak.push(y);
        down.push(y, &mut tel);
        opus.write(y)
    };
    let n = read_spool(&paths.spool, 48_000, |x| {
        limiter.push(region.apply(x), &mut sink)
    })?;
    limiter.finish(&mut sink)?;
    let w = opus.finish()?;
    let f = w
        .into_inner()
        .map_err(|e| MixerError::io(&tmp, e.into_error()))?;
    f.sync_all().map_err(|e| MixerError::io(&tmp, e))?;
    std::fs::rename(&tmp, &paths.archive).map_err(|e| MixerError::io(&paths.archive, e))?;
    down.finish(&mut tel);

    let voice8 = (c.voice.start / 6) as usize..((c.voice.end / 6) as usize).min(tel.len());
    let telephony_dbm0 = write_telephony(&paths.telephony, &mut tel, voice8)?;
    let _ = std::fs::remove_file(&paths.spool);
    Ok(Rendition {
        archive: paths.archive.clone(),
        telephony: paths.telephony.clone(),
        duration_ms: n * 1000 / crate::dsp::RATE as u64,
        input_lufs: voice_lufs,
        gain_db,
        archive_lufs: measured.integrated(),
        archive_true_peak_dbtp: peak.dbtp(),
        telephony_dbm0,
    })
}

/// Integrated loudness of the voice and of the rest, read from a spool.
fn measure(spool: &Path, voice: &Range<u64>) -> Result<(f32, f32), MixerError> {
    let mut voice_e = StepEnergies::default();
    let mut other_e = StepEnergies::default();
    let mut pos = 0u64;
    read_spool(spool, 48_000, |x| {
        let (a, b) = split(pos, x.len(), voice);
        other_e.push(&x[..a]);
        voice_e.push(&x[a..b]);
        other_e.push(&x[b..]);
        pos += x.len() as u64;
        Ok(())
    })?;
    Ok((voice_e.integrated(), other_e.integrated()))
}

/// The parts of a chunk at `pos` of length `n` before, inside and after `voice`, as offsets.
fn split(pos: u64, n: usize, voice: &Range<u64>) -> (usize, usize) {
    let a = voice.start.saturating_sub(pos).min(n as u64) as usize;
    let b = voice.end.saturating_sub(pos).min(n as u64) as usize;
    (a, b.max(a))
}

fn active_gain(x: &[f32], target_rms: f32) -> f32 {
    let mut m = ActiveSpeech::new(8_000);
    m.push(x);
    m.level()
        .map(|(l, _)| target_rms / l)
        .unwrap_or(1.0)
        .min(db_to_lin(MAX_GAIN_DB))
}

/// Levels 8 kHz audio (the voice to -19 dBm0 of active speech, the chimes a little under),
/// limits it under μ-law's full scale and writes the WAV; returns the voice's level.
fn write_telephony(
    path: &Path,
    tel: &mut Vec<f32>,
    voice: Range<usize>,
) -> Result<f32, MixerError> {
    let voice = voice.start.min(tel.len())..voice.end.min(tel.len());
    let voice_gain = active_gain(&tel[voice.clone()], loudness::TELEPHONY_ACTIVE_RMS);
    let rest: Vec<f32> = tel[..voice.start]
        .iter()
        .chain(&tel[voice.end..])
        .copied()
        .collect();
    let other_gain = active_gain(
        &rest,
        loudness::TELEPHONY_ACTIVE_RMS * db_to_lin(-CHIME_UNDER_VOICE),
    );
    for (i, s) in tel.iter_mut().enumerate() {
        *s *= if voice.contains(&i) {
            voice_gain
        } else {
            other_gain
        };
    }
    let mut lim = AlignedLimiter::new(-1.0);
    let mut out = Vec::with_capacity(tel.len());
    for chunk in tel.chunks(8_000) {
        lim.push(chunk, |y| {
            out.extend_from_slice(y);
            Ok(())
        })?;
    }
    lim.finish(|y| {
        out.extend_from_slice(y);
        Ok(())
    })?;
    let mut after = ActiveSpeech::new(8_000);
    after.push(&out[voice.start.min(out.len())..voice.end.min(out.len())]);
    let dbm0 = after
        .level()
        .map(|(l, _)| loudness::dbm0(l))
        .unwrap_or(-99.0);
    let codes: Vec<u8> = out.iter().map(|s| mulaw::encode_f32(*s)).collect();
    let tmp = tmp_path(path);
    let f = File::create(&tmp).map_err(|e| MixerError::io(&tmp, e))?;
    mulaw::write_wav(BufWriter::new(&f), &codes).map_err(|e| MixerError::io(&tmp, e))?;
    f.sync_all().map_err(|e| MixerError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| MixerError::io(path, e))?;
    tel.clear();
    Ok(dbm0)
}

fn tmp_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

/// Finishes a recording that a crash or power cut interrupted: from the spool if it survived,
/// otherwise from the archive cut back to its last whole page. Where the voice began is not
/// known after a crash: `voice_from` (the opening chime's length, if one played) stands in,
/// and the voice is taken to run to the end.
pub fn recover(paths: &RecordingPaths, voice_from: u64) -> Result<Rendition, MixerError> {
    if !paths.spool.exists() {
        crate::opus_ogg::repair(&paths.archive)?;
        let d = crate::opus_ogg::decode_file(&paths.archive)?;
        let mut rec = crate::recorder::Recorder::create(paths.clone(), false, &[])?;
        let from = (voice_from as usize).min(d.samples.len());
        rec.write(&d.samples, from..d.samples.len())?;
        return finish(&rec.close()?);
    }
    let samples = read_spool(&paths.spool, 48_000, |_| Ok(()))?;
    // The archive's pages and the spool's buffer reach the disk at different moments: finish
    // from whichever kept more.
    let in_archive = crate::opus_ogg::repair(&paths.archive)
        .map(|r| r.samples)
        .unwrap_or(0);
    if in_archive > samples + crate::dsp::RATE as u64 / 2 {
        std::fs::remove_file(&paths.spool).map_err(|e| MixerError::io(&paths.spool, e))?;
        return recover(paths, voice_from);
    }
    finish(&Captured {
        paths: paths.clone(),
        samples,
        voice: voice_from.min(samples)..samples,
        levels: None,
    })
}
