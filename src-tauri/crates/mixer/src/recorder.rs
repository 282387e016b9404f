//! Recording the bus while on air.
//!
//! Two files grow side by side: the Ogg Opus archive, a page per second, so a crash or an
//! unplugged device leaves a playable file; and a 16-bit spool of the raw bus that the
//! finishing pass normalises from (re-encoding the lossy archive would lose quality). The
//! spool is deleted once the finished files are in place.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::MixerError;
use crate::dsp::kweight::StepEnergies;
use crate::opus_ogg::{OggOpusWriter, OpusSettings};

/// Where one recording's files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingPaths {
    pub archive: PathBuf,
    pub telephony: PathBuf,
    pub spool: PathBuf,
}

impl RecordingPaths {
    /// `stem.ogg`, `stem-8k.wav` and `stem.spool` in `dir`.
    pub fn in_dir(dir: &Path, stem: &str) -> RecordingPaths {
        RecordingPaths {
            archive: dir.join(format!("{stem}.ogg")),
            telephony: dir.join(format!("{stem}-8k.wav")),
            spool: dir.join(format!("{stem}.spool")),
        }
    }
}

/// What was captured, before finishing.
#[derive(Debug, Clone)]
pub struct Captured {
    pub paths: RecordingPaths,
    pub samples: u64,
    /// Where the body (voice or clip) lies among the samples; the rest is chimes.
    pub voice: std::ops::Range<u64>,
    /// Integrated loudness of the voice and of the rest (LUFS), measured while recording;
    /// `None` when finishing must measure them from the spool (after a crash).
    pub levels: Option<(f32, f32)>,
}

pub struct Recorder {
    paths: RecordingPaths,
    archive: Option<OggOpusWriter<File>>,
    spool: BufWriter<File>,
    samples: u64,
    voice: Option<(u64, u64)>,
    voice_e: StepEnergies,
    other_e: StepEnergies,
    synced_at: u64,
    flushed_at: u64,
    pcm: Vec<u8>,
}

/// The archive is made durable every few seconds, not every page: a power cut costs at most
/// this much, and the disk is not kept busy.
const SYNC_EVERY: u64 = 5 * crate::dsp::RATE as u64;

impl Recorder {
    /// `live_archive`: write the Opus archive while recording (the console); the offline
    /// renderer skips it, since its input can always be rendered again.
    pub fn create(
        paths: RecordingPaths,
        live_archive: bool,
        tags: &[(&str, &str)],
    ) -> Result<Recorder, MixerError> {
        if let Some(dir) = paths.archive.parent() {
            std::fs::create_dir_all(dir).map_err(|e| MixerError::io(dir, e))?;
        }
        let archive = if live_archive {
            let f = File::create(&paths.archive).map_err(|e| MixerError::io(&paths.archive, e))?;
            Some(OggOpusWriter::new(f, OpusSettings::default(), tags)?)
        } else {
            None
        };
        let spool = File::create(&paths.spool).map_err(|e| MixerError::io(&paths.spool, e))?;
        Ok(Recorder {
            paths,
            archive,
            spool: BufWriter::with_capacity(1 << 16, spool),
            samples: 0,
            voice: None,
            voice_e: StepEnergies::default(),
            other_e: StepEnergies::default(),
            synced_at: 0,
            flushed_at: 0,
            pcm: Vec::with_capacity(2 * crate::dsp::BLOCK),
        })
    }

    pub fn paths(&self) -> &RecordingPaths {
        &self.paths
    }

    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Marks samples `from..to` (counted from the start of the recording) as the body.
    fn mark_voice(&mut self, from: u64, to: u64) {
        self.voice = Some(match self.voice {
            Some((a, _)) => (a, to),
            None => (from, to),
        });
    }

    /// Appends samples; `voice` is the part of them that is the body (empty for a chime).
    pub fn write(&mut self, x: &[f32], voice: std::ops::Range<usize>) -> Result<(), MixerError> {
        if x.is_empty() {
            return Ok(());
        }
        if !voice.is_empty() {
            self.mark_voice(
                self.samples + voice.start as u64,
                self.samples + voice.end as u64,
            );
        }
        let (a, b) = (voice.start.min(x.len()), voice.end.min(x.len()));
        self.other_e.push(&x[..a]);
        self.voice_e.push(&x[a..b.max(a)]);
        self.other_e.push(&x[b.max(a)..]);
        self.samples += x.len() as u64;
        self.pcm.clear();
        for &s in x {
            self.pcm.extend_from_slice(&to_i16(s).to_le_bytes());
        }
        self.spool
            .write_all(&self.pcm)
            .map_err(|e| MixerError::io(&self.paths.spool, e))?;
        if let Some(a) = &mut self.archive {
            a.write(x)?;
            // The spool reaches the OS as often as the archive's pages do: a killed process
            // then loses no more of it than of the archive.
            if self.samples - self.flushed_at >= crate::dsp::RATE as u64 {
                self.flushed_at = self.samples;
                self.spool
                    .flush()
                    .map_err(|e| MixerError::io(&self.paths.spool, e))?;
            }
            if self.samples - self.synced_at >= SYNC_EVERY {
                self.synced_at = self.samples;
                self.spool
                    .flush()
                    .map_err(|e| MixerError::io(&self.paths.spool, e))?;
                a.get_mut()
                    .sync_data()
                    .map_err(|e| MixerError::io(&self.paths.archive, e))?;
            }
        }
        Ok(())
    }

    /// Closes both files; what is captured is then ready for [`crate::finish::finish`].
    pub fn close(self) -> Result<Captured, MixerError> {
        let Recorder {
            paths,
            archive,
            spool,
            samples,
            voice,
            voice_e,
            other_e,
            ..
        } = self;
        let f = spool
            .into_inner()
            .map_err(|e| MixerError::io(&paths.spool, e.into_error()))?;
        f.sync_data().map_err(|e| MixerError::io(&paths.spool, e))?;
        if let Some(a) = archive {
            a.finish()?
                .sync_data()
                .map_err(|e| MixerError::io(&paths.archive, e))?;
        }
        let voice = voice.map(|(a, b)| a..b).unwrap_or(0..0);
        Ok(Captured {
            paths,
            samples,
            voice,
            levels: Some((voice_e.integrated(), other_e.integrated())),
        })
    }
}

pub fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * 32_767.0).round() as i16
}

/// Reads a spool back in chunks of `chunk` samples.
pub fn read_spool(
    path: &Path,
    chunk: usize,
    mut f: impl FnMut(&[f32]) -> Result<(), MixerError>,
) -> Result<u64, MixerError> {
    use std::io::Read;
    let mut file = std::io::BufReader::with_capacity(
        1 << 16,
        File::open(path).map_err(|e| MixerError::io(path, e))?,
    );
    let mut bytes = vec![0u8; chunk * 2];
    let mut samples = vec![0f32; chunk];
    let mut total = 0u64;
    let mut carry: Option<u8> = None;
    loop {
        let start = usize::from(carry.is_some());
        if let Some(b) = carry.take() {
            bytes[0] = b;
        }
        let mut got = start;
        while got < bytes.len() {
            let n = file
                .read(&mut bytes[got..])
                .map_err(|e| MixerError::io(path, e))?;
            if n == 0 {
                break;
            }
            got += n;
        }
        let whole = got / 2;
        if got % 2 == 1 {
            // A crash mid-sample: the odd byte is dropped at the very end only.
            carry = Some(bytes[got - 1]);
        }
        for i in 0..whole {
            samples[i] = i16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]) as f32 / 32_768.0;
        }
        if whole > 0 {
            f(&samples[..whole])?;
            total += whole as u64;
        }
        if got < bytes.len() {
            break;
        }
    }
    Ok(total)
}
