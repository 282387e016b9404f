//! The recorder thread: takes the bus from the engine through a ring, writes the archive and
//! the spool as it arrives, and finishes the recording when told the program has ended.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rtrb::{Consumer, Producer, RingBuffer};

use crate::MixerError;
use crate::dsp::RATE;
use crate::finish::{Rendition, finish};
use crate::recorder::{Recorder, RecordingPaths};

pub(super) struct Recording {
    pub(super) ring: Producer<f32>,
    pub(super) closing: Arc<AtomicBool>,
    pub(super) thread: JoinHandle<Result<Rendition, MixerError>>,
    pub(super) paths: RecordingPaths,
    pub(super) samples: u64,
    pub(super) dropped: u64,
    pub(super) cut_short: Option<String>,
    /// Where the body lies in the recording (start, end in samples; MAX until it begins),
    /// read by the recorder thread when it closes.
    pub(super) voice: Arc<(AtomicU64, AtomicU64)>,
}

/// Ten seconds of bus: the recorder thread may stall on a slow disk without losing audio.
const RECORD_RING: usize = 10 * RATE as usize;

pub(super) fn start_recording(
    paths: RecordingPaths,
    tags: Vec<(String, String)>,
) -> Result<Recording, MixerError> {
    let tag_refs: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut rec = Recorder::create(paths.clone(), true, &tag_refs)?;
    let (prod, mut cons): (Producer<f32>, Consumer<f32>) = RingBuffer::new(RECORD_RING);
    let closing = Arc::new(AtomicBool::new(false));
    let c = closing.clone();
    let voice = Arc::new((AtomicU64::new(u64::MAX), AtomicU64::new(0)));
    let v = voice.clone();
    let thread = std::thread::Builder::new()
        .name("mixer-recorder".into())
        .spawn(move || {
            loop {
                let n = cons.slots();
                if n > 0 {
                    let chunk = cons.read_chunk(n).expect("slots were counted");
                    let (a, b) = chunk.as_slices();
                    // The engine marks where the voice lies before it hands the samples over.
                    let (from, to) = (v.0.load(Ordering::Acquire), v.1.load(Ordering::Acquire));
                    for part in [a, b] {
                        let at = rec.samples();
                        let start = from.saturating_sub(at).min(part.len() as u64) as usize;
                        let end = to.saturating_sub(at).min(part.len() as u64) as usize;
                        rec.write(part, start..end.max(start))?;
                    }
                    chunk.commit_all();
                } else if c.load(Ordering::Acquire) {
                    break;
                } else {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            finish(&rec.close()?)
        })
        .map_err(|e| MixerError::Device(format!("녹음 스레드: {e}")))?;
    Ok(Recording {
        ring: prod,
        closing,
        thread,
        paths,
        samples: 0,
        dropped: 0,
        cut_short: None,
        voice,
    })
}
