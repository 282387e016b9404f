//! ITU-R BS.1770 K-weighting at 48 kHz and the gated integrated loudness built on it.

use super::biquad::Biquad;

/// The two BS.1770 stages (shelf, then RLB high-pass) with the standard's 48 kHz coefficients.
#[derive(Debug, Clone, Copy)]
pub struct KWeight {
    shelf: Biquad,
    rlb: Biquad,
}

impl Default for KWeight {
    fn default() -> KWeight {
        KWeight {
            shelf: Biquad::new(
                1.535_124_859_586_97,
                -2.691_696_189_406_38,
                1.198_392_810_852_85,
                -1.690_659_293_182_41,
                0.732_480_774_215_85,
            ),
            rlb: Biquad::new(1.0, -2.0, 1.0, -1.990_047_454_833_98, 0.990_072_250_366_21),
        }
    }
}

impl KWeight {
    #[inline]
    pub fn tick(&mut self, x: f32) -> f64 {
        self.rlb.tick(self.shelf.tick(x as f64))
    }
}

/// Mean square of K-weighted audio to LUFS (mono: channel weight 1).
pub fn lufs(mean_square: f64) -> f32 {
    if mean_square <= 1e-20 {
        -200.0
    } else {
        (-0.691 + 10.0 * mean_square.log10()) as f32
    }
}

/// 100 ms of audio at 48 kHz: the step of the 400 ms gating blocks.
pub const STEP: usize = 4_800;

/// Integrated loudness by BS.1770-4 gating: 400 ms blocks every 100 ms, an absolute gate at
/// -70 LUFS, then a relative gate 10 LU under the mean of what passed it.
pub fn integrated(steps: &[f64]) -> f32 {
    if steps.len() < 4 {
        // Shorter than one block: the mean of what there is.
        let n = steps.len().max(1) as f64;
        return lufs(steps.iter().sum::<f64>() / n);
    }
    let blocks: Vec<f64> = steps
        .windows(4)
        .map(|w| w.iter().sum::<f64>() / 4.0)
        .collect();
    let abs_gate = 10f64.powf((-70.0 + 0.691) / 10.0);
    let passed: Vec<f64> = blocks.iter().copied().filter(|b| *b > abs_gate).collect();
    if passed.is_empty() {
        return -200.0;
    }
    let mean = passed.iter().sum::<f64>() / passed.len() as f64;
    let rel_gate = mean * 10f64.powf(-10.0 / 10.0);
    let kept: Vec<f64> = passed.into_iter().filter(|b| *b > rel_gate).collect();
    lufs(kept.iter().sum::<f64>() / kept.len().max(1) as f64)
}

/// K-weighted energy per 100 ms step of a whole signal, for [`integrated`].
#[derive(Debug, Clone, Default)]
pub struct StepEnergies {
    k: KWeight,
    acc: f64,
    n: usize,
    pub steps: Vec<f64>,
}

impl StepEnergies {
    pub fn push(&mut self, buf: &[f32]) {
        for &x in buf {
            let y = self.k.tick(x);
            self.acc += y * y;
            self.n += 1;
            if self.n == STEP {
                self.steps.push(self.acc / STEP as f64);
                self.acc = 0.0;
                self.n = 0;
            }
        }
    }

    pub fn integrated(&self) -> f32 {
        integrated(&self.steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gated_integrated_loudness_agrees_with_ebur128() {
        // Speech with its pauses, a louder passage and near-silence: both gates matter.
        let mut x = crate::speech::speech_like(12, 20.0, 0.05);
        x.extend(crate::speech::speech_like(13, 10.0, 0.2));
        x.extend(std::iter::repeat_n(0.0001, 48_000 * 5));
        let mut mine = StepEnergies::default();
        mine.push(&x);
        let mut e = ebur128::EbuR128::new(1, 48_000, ebur128::Mode::I).unwrap();
        e.add_frames_f32(&x).unwrap();
        let theirs = e.loudness_global().unwrap() as f32;
        assert!(
            (mine.integrated() - theirs).abs() < 0.1,
            "{} vs ebur128 {theirs}",
            mine.integrated()
        );
    }
}
