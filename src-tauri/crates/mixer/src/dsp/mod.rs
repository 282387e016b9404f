//! The signal-processing stages of the broadcast bus. Each stage is plain sample arithmetic on
//! fixed-size state: nothing here allocates, locks or logs, so the whole chain may run inside
//! the engine's 10 ms block without surprises.

pub mod biquad;
pub mod gain;
pub mod gate;
pub mod kweight;
pub mod limiter;
pub mod meter;
pub mod truepeak;

/// The bus rate: everything inside the mixer runs at 48 kHz mono.
pub const RATE: u32 = 48_000;
/// One block of the live graph: 10 ms.
pub const BLOCK: usize = 480;

/// Decibels (of amplitude) to a linear factor.
pub fn db_to_lin(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// A linear amplitude in decibels; silence is -200 dB rather than -inf so that it
/// serialises and compares.
pub fn lin_to_db(x: f32) -> f32 {
    if x <= 1e-10 { -200.0 } else { 20.0 * x.log10() }
}

/// One-pole smoothing coefficient reaching ~63 % of a step after `ms`.
pub fn time_coef(ms: f32) -> f32 {
    if ms <= 0.0 {
        0.0
    } else {
        (-1.0 / (ms * 0.001 * RATE as f32)).exp()
    }
}

#[cfg(test)]
pub(crate) mod testsig {
    //! Synthetic signals for the stage tests.
    use super::RATE;

    pub fn sine(freq: f32, amp: f32, secs: f32) -> Vec<f32> {
        let n = (secs * RATE as f32) as usize;
        // The phase in f64: in f32 an argument of tens of thousands of radians carries enough
        // error to put phase noise at -70 dB and hide what the filter tests look for.
        (0..n)
            .map(|i| {
                (amp as f64
                    * (2.0 * std::f64::consts::PI * freq as f64 * i as f64 / RATE as f64).sin())
                    as f32
            })
            .collect()
    }

    pub fn peak(x: &[f32]) -> f32 {
        x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
    }

    pub fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt() as f32
    }
}
