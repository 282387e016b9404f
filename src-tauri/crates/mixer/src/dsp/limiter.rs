//! The bus limiter: a look-ahead peak limiter whose ceiling holds by construction.
//!
//! The gain the loudest sample in the look-ahead window needs is held (a sliding minimum), let
//! back up slowly (release), and averaged over the window; the audio is delayed by the same
//! window. Every value averaged for an output sample is at most the gain that sample needs, so
//! the average is too: no output sample exceeds the ceiling, and the gain moves without steps.

use super::{db_to_lin, time_coef};

/// 1 ms of look-ahead at 48 kHz.
pub const LOOKAHEAD: usize = 48;
const WINDOW: usize = LOOKAHEAD + 1;
/// The minimum queue's ring: a power of two at least WINDOW long, indexed by masking (a
/// division per sample cost more than the rest of the limiter).
const QUEUE: usize = 64;
const _: () = assert!(QUEUE >= WINDOW && QUEUE.is_power_of_two());
/// The ceiling of the broadcast bus.
pub const CEILING_DB: f32 = -1.0;

#[derive(Debug, Clone)]
pub struct Limiter {
    ceiling: f32,
    release: f32,
    delay: [f32; LOOKAHEAD],
    delay_pos: usize,
    // Sliding minimum of the needed gains: a monotonic queue in a ring.
    mins: [(f32, u64); QUEUE],
    min_head: usize,
    min_len: usize,
    held: f32,
    boxed: [f32; WINDOW],
    box_pos: usize,
    box_sum: f64,
    n: u64,
    /// The deepest gain reduction since last read (linear, 1 = none).
    deepest: f32,
}

impl Limiter {
    pub fn new(ceiling_db: f32) -> Limiter {
        Limiter {
            ceiling: db_to_lin(ceiling_db),
            release: time_coef(120.0),
            delay: [0.0; LOOKAHEAD],
            delay_pos: 0,
            mins: [(1.0, 0); QUEUE],
            min_head: 0,
            min_len: 0,
            held: 1.0,
            boxed: [1.0; WINDOW],
            box_pos: 0,
            box_sum: WINDOW as f64,
            n: 0,
            deepest: 1.0,
        }
    }

    /// Gain reduction since the last call, in dB (0 or negative).
    pub fn take_reduction_db(&mut self) -> f32 {
        let d = self.deepest;
        self.deepest = 1.0;
        super::lin_to_db(d)
    }

    pub fn process(&mut self, buf: &mut [f32]) {
        for s in buf.iter_mut() {
            let x = *s;
            let a = x.abs();
            if a <= self.ceiling && self.held == 1.0 && self.box_sum == WINDOW as f64 {
                // Nothing in the window needs limiting (the usual case): every queued gain
                // is 1, so the queue collapses to this one, and the sample only passes the
                // delay line.
                self.mins[self.min_head] = (1.0, self.n);
                self.min_len = 1;
                let out = self.delay[self.delay_pos];
                self.delay[self.delay_pos] = x;
                self.delay_pos += 1;
                if self.delay_pos == LOOKAHEAD {
                    self.delay_pos = 0;
                }
                self.box_pos += 1;
                if self.box_pos == WINDOW {
                    self.box_pos = 0;
                }
                *s = out;
                self.n += 1;
                continue;
            }
            let need = if a > self.ceiling {
                self.ceiling / a
            } else {
                1.0
            };
            self.push_min(need);
            let min = self.mins[self.min_head].0;
            // Down at once, up by the release.
            self.held = if min < self.held {
                min
            } else {
                min + (self.held - min) * self.release
            };
            self.box_sum += self.held as f64 - self.boxed[self.box_pos] as f64;
            self.boxed[self.box_pos] = self.held;
            self.box_pos += 1;
            if self.box_pos == WINDOW {
                self.box_pos = 0;
            }
            let gain = (self.box_sum / WINDOW as f64) as f32;
            let out = self.delay[self.delay_pos];
            self.delay[self.delay_pos] = x;
            self.delay_pos += 1;
            if self.delay_pos == LOOKAHEAD {
                self.delay_pos = 0;
            }
            self.deepest = self.deepest.min(gain);
            // The clamp only catches float rounding of the average; the design holds the ceiling.
            *s = (out * gain).clamp(-self.ceiling, self.ceiling);
            self.n += 1;
            if self.n.is_multiple_of(4096) {
                // Re-sum now and then so rounding in the running sum cannot drift.
                self.box_sum = self.boxed.iter().map(|v| *v as f64).sum();
            }
        }
    }

    fn push_min(&mut self, v: f32) {
        let n = self.n;
        // Drop from the back whatever is not smaller than the newcomer.
        while self.min_len > 0 {
            let back = (self.min_head + self.min_len - 1) & (QUEUE - 1);
            if self.mins[back].0 >= v {
                self.min_len -= 1;
            } else {
                break;
            }
        }
        let at = (self.min_head + self.min_len) & (QUEUE - 1);
        self.mins[at] = (v, n);
        self.min_len += 1;
        // Drop from the front what has left the window.
        while self.mins[self.min_head].1 + (WINDOW as u64) <= n {
            self.min_head = (self.min_head + 1) & (QUEUE - 1);
            self.min_len -= 1;
        }
    }
}

impl Default for Limiter {
    fn default() -> Limiter {
        Limiter::new(CEILING_DB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::lin_to_db;
    use crate::dsp::testsig::{peak, sine};

    #[test]
    fn ceiling_holds_for_loud_tones_bursts_and_single_spikes() {
        let ceiling = db_to_lin(CEILING_DB);
        let mut lim = Limiter::default();
        let mut x = sine(1000.0, 2.5, 0.5);
        // Bursts: silence, a +12 dB burst, a lone full-scale spike, a square wave.
        x.extend(std::iter::repeat_n(0.0, 4800));
        x.extend(sine(3000.0, 4.0, 0.05));
        x.extend(std::iter::repeat_n(0.0, 100));
        x.push(8.0);
        x.extend(std::iter::repeat_n(0.0, 100));
        x.extend((0..9600).map(|i| if (i / 24) % 2 == 0 { 1.5 } else { -1.5 }));
        let mut rng = 1u32;
        x.extend((0..48_000).map(|_| {
            rng = rng.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (rng as f32 / u32::MAX as f32 - 0.5) * 6.0
        }));
        for chunk in x.chunks_mut(480) {
            lim.process(chunk);
        }
        let p = peak(&x);
        assert!(
            p <= ceiling * 1.000_01,
            "peak {:.3} dBFS above the ceiling",
            lin_to_db(p)
        );
    }

    #[test]
    fn quiet_audio_passes_unchanged_only_delayed() {
        let mut lim = Limiter::default();
        let x = sine(440.0, 0.5, 0.2);
        let mut y = x.clone();
        lim.process(&mut y);
        for i in 0..x.len() - LOOKAHEAD {
            assert!((y[i + LOOKAHEAD] - x[i]).abs() < 1e-6);
        }
        assert_eq!(lim.take_reduction_db(), 0.0);
    }

    #[test]
    fn a_loud_tone_is_brought_to_the_ceiling_not_far_below() {
        let mut lim = Limiter::default();
        let mut x = sine(1000.0, 2.0, 1.0);
        lim.process(&mut x);
        let p = lin_to_db(peak(&x[24_000..]));
        assert!(
            (p - CEILING_DB).abs() < 0.3,
            "steady loud tone sits at {p:.2} dBFS"
        );
        assert!(lim.take_reduction_db() < -6.0);
    }
}
