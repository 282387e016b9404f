//! Second-order IIR sections (RBJ cookbook), and the microphone's high-pass built from two of
//! them: a 4th-order Butterworth at ~80 Hz takes out handling noise, wind and mains hum without
//! thinning the voice.

use super::RATE;

const DENORMAL_GUARD: f64 = 1e-20;

/// A biquad in transposed direct form II; state in f64 because the 80 Hz poles sit close to
/// the unit circle at 48 kHz and f32 state would add audible noise.
#[derive(Debug, Clone, Copy)]
pub struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    z1: f64,
    z2: f64,
}

impl Biquad {
    /// From normalised coefficients (a0 = 1).
    pub const fn new(b0: f64, b1: f64, b2: f64, a1: f64, a2: f64) -> Biquad {
        Biquad {
            b0,
            b1,
            b2,
            a1,
            a2,
            z1: 0.0,
            z2: 0.0,
        }
    }

    /// RBJ high-pass at `freq` Hz with quality `q`, for `rate` Hz.
    pub fn highpass(freq: f64, q: f64, rate: f64) -> Biquad {
        let w0 = 2.0 * std::f64::consts::PI * freq / rate;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let a0 = 1.0 + alpha;
        Biquad::new(
            (1.0 + cos) / 2.0 / a0,
            -(1.0 + cos) / a0,
            (1.0 + cos) / 2.0 / a0,
            -2.0 * cos / a0,
            (1.0 - alpha) / a0,
        )
    }

    #[inline]
    pub fn tick(&mut self, x: f64) -> f64 {
        // A DC of 1e-20 (-400 dB) keeps the state out of the subnormal range in silence, where
        // x86 arithmetic runs up to a hundred times slower (speech has silent pauses).
        let x = x + DENORMAL_GUARD;
        let y = self.b0 * x + self.z1;
        self.z1 = self.b1 * x - self.a1 * y + self.z2;
        self.z2 = self.b2 * x - self.a2 * y;
        y
    }

    pub fn reset(&mut self) {
        self.z1 = 0.0;
        self.z2 = 0.0;
    }
}

/// The microphone high-pass: 4th-order Butterworth (two sections, Q 0.541 and 1.307).
#[derive(Debug, Clone, Copy)]
pub struct HighPass {
    sections: [Biquad; 2],
}

/// Where the microphone's high-pass turns over.
pub const HIGHPASS_HZ: f64 = 80.0;

impl HighPass {
    pub fn new(freq: f64) -> HighPass {
        let r = RATE as f64;
        HighPass {
            sections: [
                Biquad::highpass(freq, 0.541_196_1, r),
                Biquad::highpass(freq, 1.306_563, r),
            ],
        }
    }

    pub fn process(&mut self, buf: &mut [f32]) {
        for s in buf.iter_mut() {
            let mut v = *s as f64;
            for sec in &mut self.sections {
                v = sec.tick(v);
            }
            *s = v as f32;
        }
    }

    pub fn reset(&mut self) {
        self.sections.iter_mut().for_each(Biquad::reset);
    }
}

impl Default for HighPass {
    fn default() -> HighPass {
        HighPass::new(HIGHPASS_HZ)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::lin_to_db;
    use crate::dsp::testsig::{rms, sine};

    fn gain_at(freq: f32) -> f32 {
        let mut hp = HighPass::default();
        let mut x = sine(freq, 0.5, 2.0);
        let before = rms(&x[48_000..]);
        hp.process(&mut x);
        // The second second only: the filter has settled.
        lin_to_db(rms(&x[48_000..]) / before)
    }

    #[test]
    fn highpass_attenuates_30_hz_and_keeps_the_voice() {
        let at30 = gain_at(30.0);
        assert!(at30 < -30.0, "30 Hz only {at30:.1} dB down");
        let at80 = gain_at(80.0);
        assert!(
            (at80 + 3.0).abs() < 0.3,
            "80 Hz is the -3 dB point, got {at80:.2}"
        );
        for f in [300.0, 1000.0, 3400.0] {
            let g = gain_at(f);
            assert!(g.abs() < 0.1, "{f} Hz changed by {g:.2} dB");
        }
    }
}
