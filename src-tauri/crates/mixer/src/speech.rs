//! A deterministic speech-like test signal: voiced syllables (a pulse train through three
//! formant resonators, pitch drifting), fricative onsets, pauses between words and phrases.
//! Tests, the benchmark and the console's "시험 신호" input use it; no recording of a real
//! voice has to ship with the code.

use crate::dsp::RATE;
use crate::dsp::biquad::Biquad;

/// A small xorshift generator: the same seed gives the same signal on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }

    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f32()
    }
}

fn lowpass(freq: f64) -> Biquad {
    let w0 = 2.0 * std::f64::consts::PI * freq / RATE as f64;
    let (sin, cos) = w0.sin_cos();
    let alpha = sin / (2.0 * std::f64::consts::FRAC_1_SQRT_2);
    let a0 = 1.0 + alpha;
    Biquad::new(
        (1.0 - cos) / 2.0 / a0,
        (1.0 - cos) / a0,
        (1.0 - cos) / 2.0 / a0,
        -2.0 * cos / a0,
        (1.0 - alpha) / a0,
    )
}

fn bandpass(freq: f64, q: f64) -> Biquad {
    let w0 = 2.0 * std::f64::consts::PI * freq / RATE as f64;
    let (sin, cos) = w0.sin_cos();
    let alpha = sin / (2.0 * q);
    let a0 = 1.0 + alpha;
    Biquad::new(
        alpha / a0,
        0.0,
        -alpha / a0,
        -2.0 * cos / a0,
        (1.0 - alpha) / a0,
    )
}

/// A generator that can run forever (the console's test input) or fill a buffer.
#[derive(Debug, Clone)]
pub struct SpeechLike {
    rng: Rng,
    /// Samples left in the current syllable or pause.
    left: usize,
    len: usize,
    voiced: bool,
    fricative: usize,
    f0: f32,
    f0_step: f32,
    phase: f32,
    formants: [Biquad; 3],
    gains: [f32; 3],
    hiss: Biquad,
    /// The glottal source's roll-off: real voices carry little above 4 kHz.
    tilt: [Biquad; 2],
    syllables_left: u32,
    scale: f32,
}

impl SpeechLike {
    /// `level`: the RMS of the active speech, linear.
    pub fn new(seed: u64, level: f32) -> SpeechLike {
        SpeechLike {
            rng: Rng::new(seed),
            left: 0,
            len: 1,
            voiced: false,
            fricative: 0,
            f0: 140.0,
            f0_step: 0.0,
            phase: 0.0,
            formants: [
                bandpass(500.0, 5.0),
                bandpass(1500.0, 8.0),
                bandpass(2600.0, 10.0),
            ],
            gains: [1.0, 0.5, 0.25],
            hiss: bandpass(4500.0, 1.2),
            tilt: [lowpass(3_500.0), lowpass(3_500.0)],
            syllables_left: 6,
            // Measured once: the raw generator's active RMS is about 0.00513.
            scale: level / 0.005_13,
        }
    }

    fn next_segment(&mut self) {
        let r = &mut self.rng;
        if self.voiced {
            // After a syllable: a short gap, or a phrase pause.
            self.voiced = false;
            self.syllables_left = self.syllables_left.saturating_sub(1);
            let secs = if self.syllables_left == 0 {
                self.syllables_left = r.range(4.0, 12.0) as u32;
                r.range(0.3, 0.8)
            } else {
                r.range(0.03, 0.09)
            };
            self.len = (secs * RATE as f32) as usize;
        } else {
            self.voiced = true;
            self.len = (r.range(0.12, 0.3) * RATE as f32) as usize;
            self.f0 = r.range(105.0, 210.0);
            self.f0_step = r.range(-40.0, 25.0) / self.len as f32;
            let f1 = r.range(300.0, 800.0) as f64;
            let f2 = r.range(900.0, 2300.0) as f64;
            let f3 = r.range(2400.0, 3200.0) as f64;
            self.formants = [bandpass(f1, 5.0), bandpass(f2, 8.0), bandpass(f3, 10.0)];
            self.gains = [1.0, r.range(0.3, 0.7), r.range(0.1, 0.3)];
            self.fricative = if r.next_f32() < 0.25 {
                (0.05 * RATE as f32) as usize
            } else {
                0
            };
        }
        self.left = self.len;
    }

    pub fn fill(&mut self, out: &mut [f32]) {
        for s in out.iter_mut() {
            if self.left == 0 {
                self.next_segment();
            }
            let pos = self.len - self.left;
            self.left -= 1;
            if !self.voiced {
                *s = 0.0;
                continue;
            }
            // Raised-cosine envelope, 25 ms at each end.
            let edge = (0.025 * RATE as f32) as usize;
            let env = if pos < edge {
                0.5 - 0.5 * (std::f32::consts::PI * pos as f32 / edge as f32).cos()
            } else if self.left < edge {
                0.5 - 0.5 * (std::f32::consts::PI * self.left as f32 / edge as f32).cos()
            } else {
                1.0
            };
            self.f0 += self.f0_step;
            self.phase += self.f0 / RATE as f32;
            let pulse = if self.phase >= 1.0 {
                self.phase -= 1.0;
                1.0
            } else {
                0.0
            };
            let mut v = 0.0f32;
            for (f, g) in self.formants.iter_mut().zip(self.gains) {
                v += g * f.tick(pulse) as f32;
            }
            v *= 0.9 + 0.2 * self.rng.next_f32();
            let mut t = v as f64;
            for f in &mut self.tilt {
                t = f.tick(t);
            }
            let mut v = t as f32;
            if pos < self.fricative {
                v += 0.02 * self.hiss.tick((self.rng.next_f32() - 0.5) as f64) as f32;
            }
            *s = v * env * self.scale;
        }
    }
}

/// `secs` of speech-like audio with active-speech RMS `level`.
pub fn speech_like(seed: u64, secs: f32, level: f32) -> Vec<f32> {
    let mut out = vec![0.0; (secs * RATE as f32) as usize];
    SpeechLike::new(seed, level).fill(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_like_has_pauses_and_the_asked_active_level() {
        let x = speech_like(1, 30.0, 0.1);
        let frames: Vec<f32> = x.chunks(480).map(crate::dsp::testsig::rms).collect();
        let silent = frames.iter().filter(|r| **r < 1e-4).count() as f32 / frames.len() as f32;
        assert!((0.15..0.6).contains(&silent), "silent fraction {silent}");
        let active: Vec<f32> = x.iter().copied().filter(|v| v.abs() > 0.0).collect();
        let level = crate::dsp::testsig::rms(&active);
        assert!((level / 0.1 - 1.0).abs() < 0.35, "active RMS {level}");
        assert_eq!(x, speech_like(1, 30.0, 0.1), "deterministic");
    }
}
