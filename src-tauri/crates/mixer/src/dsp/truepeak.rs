//! True peak (BS.1770 annex 2): the signal's peak after 4× oversampling, which catches the
//! peaks between samples that a decoder or converter will reconstruct.
//!
//! Our own polyphase interpolator rather than ebur128's true-peak mode: blocks whose samples
//! cannot reach the peak found so far are skipped, which makes an hour of speech cost
//! milliseconds; a test holds it to ebur128's figure.

const PHASES: usize = 4;
const TAPS: usize = 12;
const BLOCK: usize = 480;

#[derive(Debug, Clone)]
pub struct TruePeak {
    coefs: [[f32; TAPS]; PHASES],
    /// The largest a phase's output can be relative to its largest input (Σ|h|).
    gain_bound: f32,
    history: [f32; TAPS],
    peak: f32,
}

impl Default for TruePeak {
    fn default() -> TruePeak {
        let mut coefs = [[0.0f32; TAPS]; PHASES];
        let total = (PHASES * TAPS) as f64;
        for (p, phase) in coefs.iter_mut().enumerate() {
            for (j, c) in phase.iter_mut().enumerate() {
                let k = (j * PHASES + p) as f64;
                let t = (k - (total - 1.0) / 2.0) / PHASES as f64;
                let sinc = if t.abs() < 1e-12 {
                    1.0
                } else {
                    (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)
                };
                // Blackman window over the whole 48-tap prototype.
                let w = 0.42 - 0.5 * (2.0 * std::f64::consts::PI * k / (total - 1.0)).cos()
                    + 0.08 * (4.0 * std::f64::consts::PI * k / (total - 1.0)).cos();
                *c = (sinc * w) as f32;
            }
            let sum: f32 = phase.iter().sum();
            phase.iter_mut().for_each(|c| *c /= sum);
        }
        let gain_bound = coefs
            .iter()
            .map(|p| p.iter().map(|c| c.abs()).sum::<f32>())
            .fold(0.0, f32::max);
        TruePeak {
            coefs,
            gain_bound,
            history: [0.0; TAPS],
            peak: 0.0,
        }
    }
}

impl TruePeak {
    pub fn push(&mut self, buf: &[f32]) {
        for chunk in buf.chunks(BLOCK) {
            let local = chunk
                .iter()
                .chain(self.history.iter())
                .fold(0.0f32, |m, v| m.max(v.abs()));
            if local > self.peak {
                self.peak = local;
            }
            if local * self.gain_bound > self.peak {
                self.interpolate(chunk);
            } else {
                self.remember(chunk);
            }
        }
    }

    fn interpolate(&mut self, chunk: &[f32]) {
        for &x in chunk {
            self.history.copy_within(1.., 0);
            self.history[TAPS - 1] = x;
            for phase in &self.coefs {
                // history[TAPS-1] is the newest sample; coefficient j applies to x[n-j].
                let acc: f32 = phase
                    .iter()
                    .zip(self.history.iter().rev())
                    .map(|(c, x)| c * x)
                    .sum();
                let a = acc.abs();
                if a > self.peak {
                    self.peak = a;
                }
            }
        }
    }

    fn remember(&mut self, chunk: &[f32]) {
        if chunk.len() >= TAPS {
            self.history.copy_from_slice(&chunk[chunk.len() - TAPS..]);
        } else {
            let n = chunk.len();
            self.history.copy_within(n.., 0);
            self.history[TAPS - n..].copy_from_slice(chunk);
        }
    }

    /// The true peak so far, dBTP.
    pub fn dbtp(&self) -> f32 {
        super::lin_to_db(self.peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theirs(x: &[f32]) -> f32 {
        let mut e = ebur128::EbuR128::new(1, 48_000, ebur128::Mode::TRUE_PEAK).unwrap();
        e.add_frames_f32(x).unwrap();
        crate::dsp::lin_to_db(e.true_peak(0).unwrap() as f32)
    }

    #[test]
    fn finds_the_peak_between_samples_as_ebur128_does() {
        // fs/4 at 45°: every sample is at 0.707 of the waveform's real peak (-3 dB).
        let x: Vec<f32> = (0..48_000)
            .map(|i| {
                0.5 * (std::f32::consts::FRAC_PI_2 * i as f32 + std::f32::consts::FRAC_PI_4).sin()
            })
            .collect();
        let sample_peak = crate::dsp::lin_to_db(crate::dsp::testsig::peak(&x));
        let mut tp = TruePeak::default();
        tp.push(&x);
        assert!(
            tp.dbtp() > sample_peak + 2.5,
            "missed the inter-sample peak"
        );
        assert!(
            (tp.dbtp() - theirs(&x)).abs() < 0.2,
            "{} vs {}",
            tp.dbtp(),
            theirs(&x)
        );
        assert!((tp.dbtp() - crate::dsp::lin_to_db(0.5)).abs() < 0.2);
    }

    #[test]
    fn agrees_with_ebur128_on_speech_like_audio() {
        let x = crate::speech::speech_like(7, 20.0, 0.25);
        let mut tp = TruePeak::default();
        tp.push(&x);
        assert!(
            (tp.dbtp() - theirs(&x)).abs() < 0.3,
            "{} vs {}",
            tp.dbtp(),
            theirs(&x)
        );
    }
}
