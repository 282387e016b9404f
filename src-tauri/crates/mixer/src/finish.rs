//! Finishing a recording: the archive normalised to EBU R128 and re-encoded from the spool,
//! and the telephone rendition (8 kHz μ-law at -19 dBm0 of active speech) for voice calls.
//! Also the repair of a recording a crash interrupted.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::dsp::kweight::StepEnergies;
use crate::dsp::limiter::{LOOKAHEAD, Limiter};
use crate::dsp::truepeak::TruePeak;
use crate::loudness::{self, ActiveSpeech};
use crate::opus_ogg::{OggOpusWriter, OpusSettings};
use crate::recorder::{Captured, RecordingPaths, read_spool};
use crate::resample::Downsampler;
use crate::{MixerError, mulaw};

/// What the finished files measure.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Rendition {
    pub archive: PathBuf,
    pub telephony: PathBuf,
    pub duration_ms: u64,
    /// The bus as captured, before normalising.
    pub input_lufs: f32,
    pub gain_db: f32,
    pub archive_lufs: f32,
    pub archive_true_peak_dbtp: f32,
    /// Active speech level of the telephone rendition (P.56 after the 300 Hz high-pass).
    pub telephony_dbm0: f32,
}

/// Runs `x` through a limiter and hands on the output with the look-ahead delay removed.
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
        gain: f32,
        mut out: impl FnMut(&[f32]) -> Result<(), MixerError>,
    ) -> Result<(), MixerError> {
        self.buf.clear();
        self.buf.extend(x.iter().map(|v| v * gain));
        self.limiter.process(&mut self.buf);
        let skip = self.skip.min(self.buf.len());
        self.skip -= skip;
        out(&self.buf[skip..])
    }

    fn finish(
        mut self,
        out: impl FnMut(&[f32]) -> Result<(), MixerError>,
    ) -> Result<(), MixerError> {
        let tail = vec![0.0; LOOKAHEAD];
        self.push(&tail, 1.0, out)
    }
}

fn archive_gain_db(input_lufs: f32) -> f32 {
    if input_lufs < -70.0 {
        // Silence (or nearly): nothing to normalise.
        0.0
    } else {
        (loudness::ARCHIVE_TARGET_LUFS - input_lufs).clamp(-40.0, 40.0)
    }
}

/// Makes the finished archive and the telephone rendition from what was captured, then
/// deletes the spool.
pub fn finish(c: &Captured) -> Result<Rendition, MixerError> {
    let paths = &c.paths;
    let gain_db = archive_gain_db(c.loudness_lufs);
    let gain = crate::dsp::db_to_lin(gain_db);
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
        OpusSettings::default(),
        &[
            ("TITLE", &title),
            ("ENCODER", "maeul-desk"),
            ("LOUDNESS_LUFS", &r128),
        ],
    )?;
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
    let n = read_spool(&paths.spool, 48_000, |x| limiter.push(x, gain, &mut sink))?;
    limiter.finish(&mut sink)?;
    let w = opus.finish()?;
    let f = w
        .into_inner()
        .map_err(|e| MixerError::io(&tmp, e.into_error()))?;
    f.sync_all().map_err(|e| MixerError::io(&tmp, e))?;
    std::fs::rename(&tmp, &paths.archive).map_err(|e| MixerError::io(&paths.archive, e))?;
    down.finish(&mut tel);

    let telephony_dbm0 = write_telephony(&paths.telephony, &mut tel)?;
    let _ = std::fs::remove_file(&paths.spool);
    Ok(Rendition {
        archive: paths.archive.clone(),
        telephony: paths.telephony.clone(),
        duration_ms: n * 1000 / crate::dsp::RATE as u64,
        input_lufs: c.loudness_lufs,
        gain_db,
        archive_lufs: measured.integrated(),
        archive_true_peak_dbtp: peak.dbtp(),
        telephony_dbm0,
    })
}

/// Normalises 8 kHz audio to -19 dBm0 active speech, limits it under μ-law's full scale and
/// writes the WAV; returns the level reached.
fn write_telephony(path: &Path, tel: &mut Vec<f32>) -> Result<f32, MixerError> {
    let mut m = ActiveSpeech::new(8_000);
    m.push(tel);
    let gain = m
        .level()
        .map(|(l, _)| loudness::TELEPHONY_ACTIVE_RMS / l)
        .unwrap_or(1.0)
        .min(crate::dsp::db_to_lin(40.0));
    let mut lim = AlignedLimiter::new(-1.0);
    let mut out = Vec::with_capacity(tel.len());
    for chunk in tel.chunks(8_000) {
        lim.push(chunk, gain, |y| {
            out.extend_from_slice(y);
            Ok(())
        })?;
    }
    lim.finish(|y| {
        out.extend_from_slice(y);
        Ok(())
    })?;
    let mut after = ActiveSpeech::new(8_000);
    after.push(&out);
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
/// otherwise from the archive cut back to its last whole page.
pub fn recover(paths: &RecordingPaths) -> Result<Rendition, MixerError> {
    if !paths.spool.exists() {
        crate::opus_ogg::repair(&paths.archive)?;
        let d = crate::opus_ogg::decode_file(&paths.archive)?;
        let mut rec = crate::recorder::Recorder::create(paths.clone(), false, &[])?;
        rec.write(&d.samples)?;
        return finish(&rec.close()?);
    }
    let mut loud = StepEnergies::default();
    let mut peak = TruePeak::default();
    let samples = read_spool(&paths.spool, 48_000, |x| {
        loud.push(x);
        peak.push(x);
        Ok(())
    })?;
    if paths.archive.exists() {
        // Keep the playable copy tidy too, in case finishing fails again.
        let _ = crate::opus_ogg::repair(&paths.archive);
    }
    finish(&Captured {
        paths: paths.clone(),
        samples,
        loudness_lufs: loud.integrated(),
        true_peak_dbtp: peak.dbtp(),
    })
}
