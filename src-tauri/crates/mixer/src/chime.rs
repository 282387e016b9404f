//! The built-in chimes: a rising four-note bell before an announcement and a falling one after
//! (딩동댕동 / 동댕동딩), as WAV files in `assets/chimes/` compiled into the program. A county
//! can replace them with its own files in 설정.

use std::sync::{Arc, OnceLock};

use crate::dsp::RATE;

static BEFORE: &[u8] = include_bytes!("../../../../assets/chimes/chime-before.wav");
static AFTER: &[u8] = include_bytes!("../../../../assets/chimes/chime-after.wav");

fn decode(bytes: &[u8]) -> Arc<[f32]> {
    let r = hound::WavReader::new(std::io::Cursor::new(bytes))
        .expect("the built-in chime is a valid WAV");
    r.into_samples::<i16>()
        .map(|s| s.unwrap_or(0) as f32 / 32_768.0)
        .collect::<Vec<_>>()
        .into()
}

/// The two chimes of a broadcast, decoded and shared.
#[derive(Debug, Clone)]
pub struct Chimes {
    pub before: Arc<[f32]>,
    pub after: Arc<[f32]>,
}

/// The built-in chimes, decoded once.
pub fn builtin() -> Chimes {
    static CHIMES: OnceLock<Chimes> = OnceLock::new();
    CHIMES
        .get_or_init(|| Chimes {
            before: decode(BEFORE),
            after: decode(AFTER),
        })
        .clone()
}

/// Synthesises a bell chime: each note a few inharmonic partials decaying at their own rates.
/// This is how the files in assets/ were made (`maeul mixer make-chimes`).
pub fn synthesise(notes_hz: &[f32]) -> Vec<f32> {
    let spacing = (0.42 * RATE as f32) as usize;
    let ring = (1.6 * RATE as f32) as usize;
    let len = spacing * (notes_hz.len().saturating_sub(1)) + ring;
    let mut out = vec![0.0f32; len];
    // (ratio to the fundamental, level, decay time constant in s)
    const PARTIALS: [(f32, f32, f32); 4] = [
        (1.0, 1.0, 0.55),
        (2.0, 0.45, 0.3),
        (2.76, 0.22, 0.2),
        (5.4, 0.08, 0.08),
    ];
    for (n, f0) in notes_hz.iter().enumerate() {
        let start = n * spacing;
        for i in 0..ring {
            let t = i as f32 / RATE as f32;
            let attack = (t / 0.004).min(1.0);
            let mut v = 0.0;
            for (ratio, level, tau) in PARTIALS {
                v += level * (-t / tau).exp() * (2.0 * std::f32::consts::PI * f0 * ratio * t).sin();
            }
            out[start + i] += attack * v;
        }
    }
    let peak = out.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    // Peak at -6 dBFS: clearly heard, well under the limiter.
    let g = crate::dsp::db_to_lin(-6.0) / peak;
    out.iter_mut().for_each(|v| *v *= g);
    out
}

/// The notes of the two chimes: G4 B4 D5 G5 rising, and back down.
pub const BEFORE_NOTES: [f32; 4] = [392.0, 493.88, 587.33, 783.99];
pub const AFTER_NOTES: [f32; 4] = [783.99, 587.33, 493.88, 392.0];
