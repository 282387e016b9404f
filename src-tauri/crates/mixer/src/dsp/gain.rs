//! Input gain, smoothed so that moving the fader never clicks.

use super::{db_to_lin, time_coef};

/// The fader's range in dB.
pub const GAIN_MIN_DB: f32 = -24.0;
pub const GAIN_MAX_DB: f32 = 24.0;

#[derive(Debug, Clone, Copy)]
pub struct Gain {
    target: f32,
    current: f32,
    coef: f32,
}

impl Gain {
    pub fn new(db: f32) -> Gain {
        let g = db_to_lin(db.clamp(GAIN_MIN_DB, GAIN_MAX_DB));
        Gain {
            target: g,
            current: g,
            coef: time_coef(10.0),
        }
    }

    pub fn set_db(&mut self, db: f32) {
        self.target = db_to_lin(db.clamp(GAIN_MIN_DB, GAIN_MAX_DB));
    }

    pub fn process(&mut self, buf: &mut [f32]) {
        if self.current == self.target {
            buf.iter_mut().for_each(|s| *s *= self.current);
            return;
        }
        for s in buf.iter_mut() {
            self.current = self.target + (self.current - self.target) * self.coef;
            *s *= self.current;
        }
        if (self.current - self.target).abs() < 1e-6 {
            self.current = self.target;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_moves_smoothly_and_lands_on_target() {
        let mut g = Gain::new(0.0);
        g.set_db(-6.0206);
        let mut buf = vec![1.0f32; 4800];
        g.process(&mut buf);
        // No step: neighbouring samples differ by far less than the 0.5 change.
        assert!(buf.windows(2).all(|w| (w[0] - w[1]).abs() < 0.01));
        assert!((buf[4799] - 0.5).abs() < 1e-3);
    }
}
