//! Outdoor zone-select tones: the village loudspeaker transmitter opens a village's relay on
//! hearing its DTMF code, so each selected village's code is played before the chime. The
//! Goertzel detector decodes them back (tests, and the console's self-check of a line-out).

use crate::dsp::{RATE, db_to_lin};

const ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
const COLS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];

/// Tone lengths as the transmitters of the county expect them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DtmfTiming {
    pub tone_ms: u32,
    pub gap_ms: u32,
    /// Silence after the whole sequence, while the relays switch.
    pub settle_ms: u32,
    /// Level of each of the two tones, dBFS.
    pub level_db: f32,
}

impl Default for DtmfTiming {
    fn default() -> DtmfTiming {
        DtmfTiming {
            tone_ms: 100,
            gap_ms: 80,
            settle_ms: 600,
            level_db: -10.0,
        }
    }
}

fn freqs(key: char) -> Option<(f32, f32)> {
    let key = key.to_ascii_uppercase();
    KEYS.iter().enumerate().find_map(|(r, row)| {
        row.iter()
            .position(|k| *k == key)
            .map(|c| (ROWS[r], COLS[c]))
    })
}

/// Whether `code` can be dialled: digits, `*`, `#` and A–D only.
pub fn check_code(code: &str) -> Result<(), char> {
    match code.chars().find(|c| freqs(*c).is_none()) {
        Some(bad) => Err(bad),
        None => Ok(()),
    }
}

/// A sequence of tones rendered into a buffer up front (a few seconds at most).
pub fn render(sequence: &str, timing: DtmfTiming) -> Vec<f32> {
    let ms = |m: u32| (m as usize) * RATE as usize / 1000;
    let amp = db_to_lin(timing.level_db);
    let mut out = Vec::new();
    for key in sequence.chars() {
        let Some((lo, hi)) = freqs(key) else { continue };
        let n = ms(timing.tone_ms);
        let ramp = ms(5).min(n / 2);
        for i in 0..n {
            let t = i as f32 / RATE as f32;
            // 5 ms ramps keep the tone's spectrum tight (no clicks for the detector to hear).
            let edge = (i.min(n - 1 - i) as f32 / ramp as f32).min(1.0);
            let v = (2.0 * std::f32::consts::PI * lo * t).sin()
                + (2.0 * std::f32::consts::PI * hi * t).sin();
            out.push(amp * edge * v);
        }
        out.extend(std::iter::repeat_n(0.0, ms(timing.gap_ms)));
    }
    if !out.is_empty() {
        out.extend(std::iter::repeat_n(0.0, ms(timing.settle_ms)));
    }
    out
}

/// Goertzel power of `freq` in `x`.
fn goertzel(x: &[f32], freq: f32) -> f32 {
    let k = 2.0 * (2.0 * std::f32::consts::PI * freq / RATE as f32).cos();
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for &v in x {
        let s = v + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    (s1 * s1 + s2 * s2 - k * s1 * s2) / (x.len() as f32 * x.len() as f32)
}

/// What a window holds: the key whose row and column tones stand out, if any.
fn key_in(w: &[f32]) -> Option<char> {
    let energy: f32 = w.iter().map(|v| v * v).sum::<f32>() / w.len() as f32;
    if energy < 1e-7 {
        return None;
    }
    let strongest = |group: &[f32; 4]| {
        let p: Vec<f32> = group.iter().map(|f| goertzel(w, *f)).collect();
        let (i, best) = p
            .iter()
            .enumerate()
            .fold((0, 0.0f32), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        let second = p
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, v)| *v)
            .fold(0.0, f32::max);
        // A real tone is within ±1.5 % of its nominal frequency: 3 % either side it must be
        // weaker, which rules out a chime's partial sitting close by.
        let f = group[i];
        let on_pitch = best > 2.0 * goertzel(w, f * 0.97) && best > 2.0 * goertzel(w, f * 1.03);
        (i, best, best > 8.0 * second && on_pitch)
    };
    let (r, rp, r_ok) = strongest(&ROWS);
    let (c, cp, c_ok) = strongest(&COLS);
    // A pure tone of amplitude a has Goertzel power a²/4 and mean square a²/2: the pair
    // must carry most of the window's energy.
    let dominant = (rp + cp) * 2.0 > 0.7 * energy;
    (r_ok && c_ok && dominant).then(|| KEYS[r][c])
}

/// Decodes DTMF keys from audio at 48 kHz: 50 ms windows every 10 ms (bins of 20 Hz); a key
/// counts once it has held for 30 ms, and again only after a gap.
pub fn detect(x: &[f32]) -> String {
    const WINDOW: usize = 2_400;
    const HOP: usize = 480;
    let mut out = String::new();
    let mut current: Option<char> = None;
    let mut run = 0;
    let mut emitted = false;
    let mut at = 0;
    while at + WINDOW <= x.len() {
        let key = key_in(&x[at..at + WINDOW]);
        if key == current {
            run += 1;
        } else {
            current = key;
            run = 1;
            emitted = false;
        }
        if let Some(k) = key
            && run >= 3
            && !emitted
        {
            out.push(k);
            emitted = true;
        }
        at += HOP;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_decodes_back() {
        let seq = "0123456789*#ABCD";
        assert_eq!(detect(&render(seq, DtmfTiming::default())), seq);
    }

    #[test]
    fn village_codes_decode_back_through_noise_and_at_low_level() {
        let timing = DtmfTiming {
            level_db: -24.0,
            ..DtmfTiming::default()
        };
        let mut x = render("*101#*172#", timing);
        let mut rng = crate::speech::Rng::new(3);
        for v in &mut x {
            *v += (rng.next_f32() - 0.5) * 0.01;
        }
        assert_eq!(detect(&x), "*101#*172#");
    }

    #[test]
    fn repeated_keys_stay_separate_and_speech_is_not_a_key() {
        assert_eq!(detect(&render("1100", DtmfTiming::default())), "1100");
        assert_eq!(detect(&crate::speech::speech_like(2, 10.0, 0.2)), "");
    }

    #[test]
    fn codes_are_checked() {
        assert_eq!(check_code("*101#"), Ok(()));
        assert_eq!(check_code("10-1"), Err('-'));
    }
}
