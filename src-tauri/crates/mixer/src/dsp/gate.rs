//! The microphone's noise gate: it opens when the voice rises above one threshold and closes
//! only after the level has stayed below a lower one for the hold time, so room noise between
//! sentences is turned down without chopping the ends of words.

use serde::{Deserialize, Serialize};

use super::{db_to_lin, time_coef};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct GateSettings {
    pub enabled: bool,
    /// Opens when the level rises above this (dBFS).
    pub open_db: f32,
    /// Closes when the level has stayed below this (dBFS) for `hold_ms`.
    pub close_db: f32,
    pub hold_ms: f32,
    /// How far a closed gate turns the signal down (dB, negative).
    pub range_db: f32,
}

impl Default for GateSettings {
    fn default() -> GateSettings {
        GateSettings {
            enabled: true,
            open_db: -45.0,
            close_db: -50.0,
            hold_ms: 150.0,
            range_db: -30.0,
        }
    }
}

impl GateSettings {
    /// The first setting that makes no sense, as (field, reason).
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if !(-90.0..=0.0).contains(&self.open_db) {
            return Some(("open_db", "열림 기준은 -90 ~ 0 dBFS 사이여야 합니다"));
        }
        if self.close_db > self.open_db || self.close_db < -96.0 {
            return Some(("close_db", "닫힘 기준은 열림 기준보다 낮아야 합니다"));
        }
        if !(0.0..=2000.0).contains(&self.hold_ms) {
            return Some(("hold_ms", "유지 시간은 0 ~ 2000 ms입니다"));
        }
        if !(-80.0..=0.0).contains(&self.range_db) {
            return Some(("range_db", "감쇄량은 -80 ~ 0 dB입니다"));
        }
        None
    }
}

#[derive(Debug, Clone)]
pub struct Gate {
    settings: GateSettings,
    open_lin: f32,
    close_lin: f32,
    floor: f32,
    hold: u32,
    held: u32,
    env: f32,
    env_release: f32,
    gain: f32,
    attack: f32,
    release: f32,
    open: bool,
}

impl Gate {
    pub fn new(settings: GateSettings) -> Gate {
        let mut g = Gate {
            settings,
            open_lin: 0.0,
            close_lin: 0.0,
            floor: 0.0,
            hold: 0,
            held: 0,
            env: 0.0,
            env_release: time_coef(20.0),
            gain: 1.0,
            attack: time_coef(1.0),
            release: time_coef(80.0),
            open: true,
        };
        g.set(settings);
        g.gain = if settings.enabled { g.floor } else { 1.0 };
        g.open = !settings.enabled;
        g
    }

    pub fn set(&mut self, s: GateSettings) {
        self.settings = s;
        self.open_lin = db_to_lin(s.open_db);
        self.close_lin = db_to_lin(s.close_db);
        self.floor = db_to_lin(s.range_db);
        self.hold = (s.hold_ms * 0.001 * super::RATE as f32) as u32;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn process(&mut self, buf: &mut [f32]) {
        if !self.settings.enabled {
            self.open = true;
            return;
        }
        for s in buf.iter_mut() {
            // Peak envelope: instant rise, 20 ms fall, so a sine reads as its amplitude.
            let a = s.abs();
            self.env = if a > self.env {
                a
            } else {
                a + (self.env - a) * self.env_release
            };
            if self.env < 1e-20 {
                // In silence the envelope would decay into the slow subnormal range.
                self.env = 0.0;
            }
            if self.env >= self.open_lin {
                self.open = true;
                self.held = 0;
            } else if self.open && self.env < self.close_lin {
                self.held += 1;
                if self.held >= self.hold {
                    self.open = false;
                }
            } else {
                self.held = 0;
            }
            let (target, coef) = if self.open {
                (1.0, self.attack)
            } else {
                (self.floor, self.release)
            };
            self.gain = target + (self.gain - target) * coef;
            *s *= self.gain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testsig::{peak, sine};
    use crate::dsp::{db_to_lin, lin_to_db};

    fn gate() -> Gate {
        Gate::new(GateSettings::default())
    }

    #[test]
    fn opens_above_the_open_threshold() {
        let mut g = gate();
        let mut x = sine(500.0, db_to_lin(-40.0), 0.5);
        g.process(&mut x);
        assert!(g.is_open());
        // After the 1 ms attack the tone passes untouched.
        let tail = lin_to_db(peak(&x[12_000..]));
        assert!(
            (tail + 40.0).abs() < 0.2,
            "open gate changed the level: {tail:.2}"
        );
    }

    #[test]
    fn stays_shut_below_it() {
        let mut g = gate();
        let mut x = sine(500.0, db_to_lin(-47.0), 0.5);
        g.process(&mut x);
        assert!(!g.is_open(), "-47 dBFS is under the -45 open threshold");
        let level = lin_to_db(peak(&x[12_000..]));
        assert!(
            (level - (-47.0 - 30.0)).abs() < 0.5,
            "closed gate should take 30 dB: {level:.1}"
        );
    }

    #[test]
    fn closes_after_the_hold_below_the_close_threshold_and_not_between() {
        let mut g = gate();
        g.process(&mut sine(500.0, db_to_lin(-30.0), 0.2));
        assert!(g.is_open());
        // Between the thresholds (hysteresis): stays open however long.
        g.process(&mut sine(500.0, db_to_lin(-47.5), 1.0));
        assert!(
            g.is_open(),
            "a level between close and open must not close the gate"
        );
        // Below close, shorter than the hold: still open.
        g.process(&mut sine(500.0, db_to_lin(-60.0), 0.1));
        assert!(g.is_open(), "closed before the 150 ms hold ran out");
        g.process(&mut sine(500.0, db_to_lin(-60.0), 0.1));
        assert!(!g.is_open(), "still open 200 ms below the close threshold");
    }

    #[test]
    fn settings_are_checked_by_field() {
        let bad = GateSettings {
            close_db: -40.0,
            ..GateSettings::default()
        };
        assert_eq!(bad.problem().map(|p| p.0), Some("close_db"));
        assert_eq!(GateSettings::default().problem(), None);
    }
}
