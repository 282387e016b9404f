//! 48 kHz to the telephone rates with rubato's synchronous FFT resampler.
//!
//! The parameters are chosen, not defaulted: rubato's `Fft::new` splits a chunk into sub-chunks
//! of ~256 frames, and at 48k→8k that leaves a 54-point output FFT whose anti-alias filter
//! starts rolling off near 3 kHz (3.4 kHz loses ~29 dB). One sub-chunk of 4,800 input frames
//! gives an 800-point output FFT, a filter flat to 3.4 kHz and more than 90 dB down above
//! 4 kHz, at 50 ms of delay, which an offline rendition does not mind. The tests below hold
//! those figures.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler, WindowFunction};

use crate::dsp::RATE;

/// Input frames per FFT chunk: 100 ms.
pub const CHUNK: usize = 4_800;

pub struct Downsampler {
    fft: Fft<f32>,
    pending: Vec<f32>,
    out_buf: Vec<f32>,
    to_trim: usize,
    fed: u64,
    produced: u64,
    ratio_den: u64,
    ratio_num: u64,
}

impl Downsampler {
    /// A resampler from 48 kHz to `rate` (8,000 or 16,000).
    pub fn new(rate: u32) -> Downsampler {
        let fft = Fft::<f32>::new_custom(
            RATE as usize,
            rate as usize,
            CHUNK,
            1,
            1,
            WindowFunction::BlackmanHarris2,
            FixedSync::Input,
        )
        .expect("48 kHz to a divisor rate is a valid FFT resampler");
        let to_trim = fft.output_delay();
        let out_max = fft.output_frames_max();
        Downsampler {
            fft,
            pending: Vec::with_capacity(CHUNK),
            out_buf: vec![0.0; out_max],
            to_trim,
            fed: 0,
            produced: 0,
            ratio_num: rate as u64,
            ratio_den: RATE as u64,
        }
    }

    fn run(&mut self, partial: Option<usize>, out: &mut Vec<f32>) {
        let input = InterleavedSlice::new(&self.pending[..], 1, CHUNK).expect("mono slice");
        let cap = self.out_buf.len();
        let mut output =
            InterleavedSlice::new_mut(&mut self.out_buf[..], 1, cap).expect("mono slice");
        let indexing = Indexing {
            input_offset: 0,
            output_offset: 0,
            partial_len: partial,
            active_channels_mask: None,
        };
        let (_, n) = self
            .fft
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .expect("buffers are sized from the resampler");
        let skip = self.to_trim.min(n);
        self.to_trim -= skip;
        out.extend_from_slice(&self.out_buf[skip..n]);
        self.produced += (n - skip) as u64;
    }

    /// Feeds 48 kHz samples; appends whatever output is ready.
    pub fn push(&mut self, mut x: &[f32], out: &mut Vec<f32>) {
        self.fed += x.len() as u64;
        while !x.is_empty() {
            let take = (CHUNK - self.pending.len()).min(x.len());
            self.pending.extend_from_slice(&x[..take]);
            x = &x[take..];
            if self.pending.len() == CHUNK {
                self.run(None, out);
                self.pending.clear();
            }
        }
    }

    /// Flushes the tail: exactly `fed × rate / 48 kHz` samples come out in all.
    pub fn finish(mut self, out: &mut Vec<f32>) {
        let want = self.fed * self.ratio_num / self.ratio_den;
        let left = self.pending.len();
        if left > 0 {
            self.pending.resize(CHUNK, 0.0);
            self.run(Some(left), out);
            self.pending.clear();
        }
        while self.produced < want {
            self.pending.resize(CHUNK, 0.0);
            self.run(Some(0), out);
        }
        let extra = (self.produced - want) as usize;
        out.truncate(out.len() - extra);
    }
}

/// Resamples a whole 48 kHz signal.
pub fn downsample(x: &[f32], rate: u32) -> Vec<f32> {
    let mut d = Downsampler::new(rate);
    let mut out = Vec::with_capacity(x.len() * rate as usize / RATE as usize + 16);
    d.push(x, &mut out);
    d.finish(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::lin_to_db;
    use crate::dsp::testsig::{rms, sine};

    /// Output level of a sine at `freq` through 48k → `rate`, relative to its input, in dB.
    fn response(freq: f32, rate: u32) -> f32 {
        let x = sine(freq, 0.5, 2.0);
        let y = downsample(&x, rate);
        assert_eq!(y.len(), x.len() * rate as usize / 48_000);
        let r = rate as usize;
        // The middle second: away from the edges.
        lin_to_db(rms(&y[r / 2..r * 3 / 2]) / rms(&x[24_000..72_000]))
    }

    #[test]
    fn telephone_band_is_flat_and_above_nyquist_is_gone_8k() {
        for f in [300.0, 1000.0, 3000.0, 3400.0] {
            let g = response(f, 8_000);
            assert!(g.abs() <= 0.1, "{f} Hz: {g:.3} dB");
        }
        let rejected = response(4_100.0, 8_000);
        assert!(rejected <= -90.0, "4.1 kHz only {rejected:.1} dB down");
    }

    #[test]
    fn wideband_is_flat_to_7k_and_rejects_8_2k_16k() {
        let g = response(7_000.0, 16_000);
        assert!(g.abs() <= 0.1, "7 kHz: {g:.3} dB");
        let rejected = response(8_200.0, 16_000);
        assert!(rejected <= -90.0, "8.2 kHz only {rejected:.1} dB down");
    }

    #[test]
    fn a_sweep_keeps_its_passband_and_loses_its_alias_band() {
        // A slow linear sweep 3.0 → 4.5 kHz over 6 s; look at the output by frequency band.
        let n = 6 * 48_000;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                let t = i as f64 / 48_000.0;
                let f0 = 3000.0;
                let k = 1500.0 / 6.0;
                (0.5 * (2.0 * std::f64::consts::PI * (f0 * t + k * t * t / 2.0)).sin()) as f32
            })
            .collect();
        let y = downsample(&x, 8_000);
        // 3.0–3.4 kHz is the first 1.6 s of the sweep.
        let pass = lin_to_db(rms(&y[1_000..12_000]) / 0.5f32 * 2f32.sqrt());
        assert!(pass.abs() <= 0.1, "sweep passband {pass:.3} dB");
        // 4.1–4.5 kHz is the last 1.6 s (t ≥ 4.4 s).
        let alias = lin_to_db(rms(&y[35_500..47_000]) / 0.5f32 * 2f32.sqrt());
        assert!(
            alias <= -90.0,
            "sweep above 4.1 kHz only {alias:.1} dB down"
        );
    }

    #[test]
    fn rubatos_default_sub_chunks_would_cut_the_top_of_the_telephone_band() {
        // Why the parameters are chosen: Fft::new on 960-frame chunks (20 ms) picks
        // sub-chunks of ~256 frames, and its anti-alias filter then starts under 3.4 kHz.
        let mut fft = Fft::<f32>::new(48_000, 8_000, 960, 1, FixedSync::Input).unwrap();
        let x = sine(3_400.0, 0.5, 2.0);
        let input = InterleavedSlice::new(&x[..], 1, x.len()).unwrap();
        let y = fft.process_all(&input, x.len(), None).unwrap().take_data();
        let g = lin_to_db(rms(&y[4_000..12_000]) / rms(&x[24_000..72_000]));
        assert!(g < -10.0, "the default lost only {g:.1} dB at 3.4 kHz");
        assert!(response(3_400.0, 8_000).abs() <= 0.1);
    }

    #[test]
    fn a_1k_tone_stays_1k() {
        let x = sine(1000.0, 0.5, 1.0);
        let y = downsample(&x, 8_000);
        // Count zero crossings over the middle 0.5 s: 1 kHz makes 1,000 of them.
        let mid = &y[2_000..6_000];
        let crossings = mid
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        assert!(
            (crossings as i32 - 1000).abs() <= 1,
            "{crossings} crossings"
        );
        // And precisely: the phase advance per sample matches 1 kHz at 8 kHz (π/4).
        let est = estimate_freq(mid, 8_000.0);
        assert!((est - 1000.0).abs() < 0.5, "estimated {est} Hz");
    }

    fn estimate_freq(x: &[f32], rate: f32) -> f32 {
        // Goertzel-style scan around 1 kHz for the strongest bin, 0.1 Hz steps.
        let mut best = (0.0f32, 0.0f32);
        let mut f = 990.0f32;
        while f <= 1010.0 {
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for (i, v) in x.iter().enumerate() {
                let ph = 2.0 * std::f64::consts::PI * f as f64 * i as f64 / rate as f64;
                re += *v as f64 * ph.cos();
                im += *v as f64 * ph.sin();
            }
            let p = (re * re + im * im) as f32;
            if p > best.1 {
                best = (f, p);
            }
            f += 0.1;
        }
        best.0
    }
}
