//! What the level meters show: peak and RMS since the last reading, momentary (400 ms) and
//! short-term (3 s) loudness, and how many samples clipped.

use super::kweight::{KWeight, STEP, lufs};
use super::lin_to_db;

const SHORT_STEPS: usize = 30;
const MOMENTARY_STEPS: usize = 4;
/// A sample at or above this counts as clipped (the converter's full scale, less rounding).
pub const CLIP_LEVEL: f32 = 0.999;

#[derive(Debug, Clone)]
pub struct Meter {
    k: KWeight,
    acc: f64,
    n: usize,
    ring: [f64; SHORT_STEPS],
    ring_pos: usize,
    filled: usize,
    peak: f32,
    sq: f64,
    count: usize,
    clips: u64,
}

/// One reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub peak_db: f32,
    pub rms_db: f32,
    pub momentary_lufs: f32,
    pub short_term_lufs: f32,
    pub clips: u64,
}

impl Default for Meter {
    fn default() -> Meter {
        Meter {
            k: KWeight::default(),
            acc: 0.0,
            n: 0,
            ring: [0.0; SHORT_STEPS],
            ring_pos: 0,
            filled: 0,
            peak: 0.0,
            sq: 0.0,
            count: 0,
            clips: 0,
        }
    }
}

impl Meter {
    pub fn process(&mut self, buf: &[f32]) {
        for &x in buf {
            let a = x.abs();
            if a > self.peak {
                self.peak = a;
            }
            if a >= CLIP_LEVEL {
                self.clips += 1;
            }
            self.sq += (x as f64) * (x as f64);
            let y = self.k.tick(x);
            self.acc += y * y;
            self.n += 1;
            if self.n == STEP {
                self.ring[self.ring_pos] = self.acc / STEP as f64;
                self.ring_pos = (self.ring_pos + 1) % SHORT_STEPS;
                self.filled = (self.filled + 1).min(SHORT_STEPS);
                self.acc = 0.0;
                self.n = 0;
            }
        }
        self.count += buf.len();
    }

    fn mean_of_last(&self, steps: usize) -> f64 {
        let steps = steps.min(self.filled);
        if steps == 0 {
            return 0.0;
        }
        let sum: f64 = (1..=steps)
            .map(|i| self.ring[(self.ring_pos + SHORT_STEPS - i) % SHORT_STEPS])
            .sum();
        sum / steps as f64
    }

    /// Peak and RMS since the last reading; loudness over the windows ending now.
    pub fn read(&mut self) -> Reading {
        let rms = if self.count == 0 {
            0.0
        } else {
            (self.sq / self.count as f64).sqrt() as f32
        };
        let r = Reading {
            peak_db: lin_to_db(self.peak),
            rms_db: lin_to_db(rms),
            momentary_lufs: lufs(self.mean_of_last(MOMENTARY_STEPS)),
            short_term_lufs: lufs(self.mean_of_last(SHORT_STEPS)),
            clips: self.clips,
        };
        self.peak = 0.0;
        self.sq = 0.0;
        self.count = 0;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testsig::sine;

    #[test]
    fn a_full_scale_1k_sine_reads_as_its_peak_rms_and_about_minus_3_lufs() {
        let mut m = Meter::default();
        let x = sine(997.0, 1.0, 3.5);
        m.process(&x);
        let r = m.read();
        assert!(r.peak_db.abs() < 0.01);
        assert!((r.rms_db + 3.01).abs() < 0.02);
        // BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS.
        assert!(
            (r.short_term_lufs + 3.01).abs() < 0.05,
            "{}",
            r.short_term_lufs
        );
        assert!((r.momentary_lufs + 3.01).abs() < 0.05);
        assert!(r.clips > 0, "full-scale samples count as clips");
    }

    #[test]
    fn short_term_loudness_agrees_with_ebur128() {
        let mut x = sine(440.0, 0.3, 2.0);
        x.extend(sine(2500.0, 0.05, 2.0));
        let mut m = Meter::default();
        m.process(&x);
        let mine = m.read().short_term_lufs;
        let mut e = ebur128::EbuR128::new(1, 48_000, ebur128::Mode::S).unwrap();
        e.add_frames_f32(&x).unwrap();
        let theirs = e.loudness_shortterm().unwrap() as f32;
        assert!(
            (mine - theirs).abs() < 0.1,
            "meter {mine:.2} vs ebur128 {theirs:.2}"
        );
    }
}
