//! Loudness targets and the speech-level measure for the telephone rendition.
//!
//! The archive is normalised to EBU R128 (-23 LUFS, true peak at most -1 dBTP). The telephone
//! rendition follows RFC 7874 §4: active speech at -19 dBm0, an RMS of 2,600 in 16-bit PCM,
//! measured as ITU-T P.56 measures active speech (method B: envelope, hangover, 15.9 dB margin)
//! after the RFC's 300 Hz second-order Butterworth high-pass.

use crate::dsp::biquad::Biquad;

pub const ARCHIVE_TARGET_LUFS: f32 = -23.0;
pub const ARCHIVE_MAX_TRUE_PEAK_DBTP: f32 = -1.0;
/// The limiter ceiling of the normalised archive: a dB under the true-peak limit, for what the
/// Opus encoder adds to peaks.
pub const ARCHIVE_LIMIT_DBFS: f32 = -2.0;
/// RFC 7874 §4: -19 dBm0 is an RMS of 2,600 for 16-bit PCM (±32,767).
pub const TELEPHONY_ACTIVE_RMS: f32 = 2_600.0 / 32_767.0;
pub const TELEPHONY_TARGET_DBM0: f32 = -19.0;

/// dBm0 of a μ-law/16-bit signal from its RMS (full scale ±1.0), by RFC 7874's anchor.
pub fn dbm0(rms: f32) -> f32 {
    TELEPHONY_TARGET_DBM0 + 20.0 * (rms / TELEPHONY_ACTIVE_RMS).log10()
}

/// P.56 method B, as in ITU-T G.191's `sv56`: the level of a signal while it is active.
#[derive(Debug, Clone)]
pub struct ActiveSpeech {
    rate: f32,
    g: f64,
    hang_max: u32,
    p: f64,
    q: f64,
    sq: f64,
    n: u64,
    active: [u64; THRESHOLDS],
    hang: [u32; THRESHOLDS],
    hp: Biquad,
}

const THRESHOLDS: usize = 16;
const MARGIN_DB: f64 = 15.9;

fn threshold(j: usize) -> f64 {
    // 2^0 … 2^15 in 16-bit units, on our ±1.0 scale.
    (1u32 << j) as f64 / 32_768.0
}

impl ActiveSpeech {
    pub fn new(rate: u32) -> ActiveSpeech {
        let r = rate as f64;
        // Second-order Butterworth high-pass at 300 Hz (RFC 7874 §4).
        let hp = Biquad::highpass(300.0, std::f64::consts::FRAC_1_SQRT_2, r);
        ActiveSpeech {
            rate: rate as f32,
            g: (-1.0 / (r * 0.03)).exp(),
            hang_max: (0.2 * r).round() as u32,
            p: 0.0,
            q: 0.0,
            sq: 0.0,
            n: 0,
            active: [0; THRESHOLDS],
            hang: [0; THRESHOLDS],
            hp,
        }
    }

    pub fn push(&mut self, x: &[f32]) {
        for &v in x {
            let v = self.hp.tick(v as f64);
            self.sq += v * v;
            self.n += 1;
            self.p = self.g * self.p + (1.0 - self.g) * v.abs();
            self.q = self.g * self.q + (1.0 - self.g) * self.p;
            for j in 0..THRESHOLDS {
                if self.q >= threshold(j) {
                    self.active[j] += 1;
                    self.hang[j] = 0;
                } else if self.hang[j] < self.hang_max {
                    self.active[j] += 1;
                    self.hang[j] += 1;
                } else {
                    // Below this threshold and past the hangover: so are all higher ones.
                    break;
                }
            }
        }
    }

    /// The active speech level as an RMS (±1.0 scale), and the activity factor; `None` for
    /// silence.
    pub fn level(&self) -> Option<(f32, f32)> {
        // Below -200 dB is silence (the filters' anti-subnormal offset is all there is).
        if self.active[0] == 0 || self.sq <= 1e-20 * self.n as f64 {
            return None;
        }
        let a_db = |j: usize| 10.0 * (self.sq / self.active[j].max(1) as f64).log10();
        let c_db = |j: usize| 20.0 * threshold(j).log10();
        let mut prev = (a_db(0), a_db(0) - c_db(0));
        if prev.1 <= MARGIN_DB {
            return Some((db_rms(prev.0), self.active[0] as f32 / self.n as f32));
        }
        for j in 1..THRESHOLDS {
            if self.active[j] == 0 {
                break;
            }
            let cur = (a_db(j), a_db(j) - c_db(j));
            if cur.1 <= MARGIN_DB {
                // Interpolate to where A − C equals the margin.
                let t = (prev.1 - MARGIN_DB) / (prev.1 - cur.1);
                let level_db = prev.0 + t * (cur.0 - prev.0);
                let activity = (self.sq / self.n as f64) / 10f64.powf(level_db / 10.0);
                return Some((db_rms(level_db), activity as f32));
            }
            prev = cur;
        }
        Some((db_rms(prev.0), 1.0))
    }

    pub fn rate(&self) -> f32 {
        self.rate
    }
}

fn db_rms(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// The active speech level of a whole signal, as an RMS.
pub fn active_level(x: &[f32], rate: u32) -> Option<f32> {
    let mut m = ActiveSpeech::new(rate);
    m.push(x);
    m.level().map(|l| l.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_level_ignores_the_pauses() {
        // Bursts of a 1 kHz tone at RMS 0.1, on for 4 s and off for 4 s: the long-term RMS is
        // 3 dB lower, the active level is the burst's (less the 0.2 s hangover P.56 counts as
        // active after each burst: 10·log10(4.2/4) = 0.2 dB).
        let mut x = Vec::new();
        for _ in 0..6 {
            x.extend((0..32_000).map(|i| {
                (0.1 * 2f64.sqrt()
                    * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 8000.0).sin())
                    as f32
            }));
            x.extend(std::iter::repeat_n(0.0, 32_000));
        }
        let (level, activity) = ActiveSpeech::new(8_000).tap(&x).level().unwrap();
        let db = 20.0 * (level / 0.1).log10();
        assert!(db.abs() < 0.5, "active level off by {db:.2} dB");
        assert!((0.5..0.56).contains(&activity), "activity {activity}");
    }

    #[test]
    fn silence_has_no_level_and_dbm0_is_anchored_at_2600() {
        assert_eq!(active_level(&vec![0.0; 8_000], 8_000), None);
        assert!((dbm0(TELEPHONY_ACTIVE_RMS) + 19.0).abs() < 1e-4);
        assert!((dbm0(TELEPHONY_ACTIVE_RMS * 2.0) + 12.98).abs() < 0.01);
    }

    trait Tap {
        fn tap(self, x: &[f32]) -> Self;
    }
    impl Tap for ActiveSpeech {
        fn tap(mut self, x: &[f32]) -> Self {
            self.push(x);
            self
        }
    }
}
