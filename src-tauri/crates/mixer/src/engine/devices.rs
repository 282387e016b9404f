//! The engine's devices: opening the microphone, line-out and monitor (or the test signal),
//! noticing one that goes away or runs without a clock, and feeding the outputs.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::worker::Worker;
use super::{DeviceChoice, DeviceState};
use crate::device::{self, InputStream, OutputStream};
use crate::dsp::BLOCK;
use crate::rate::{FromBus, ToBus};
use crate::speech::SpeechLike;

/// A microphone stream and what the engine knows of its pace.
pub(super) struct DeviceInput {
    pub(super) stream: InputStream,
    pub(super) adapt: ToBus,
    pub(super) opened: Instant,
    /// Device samples taken so far.
    pub(super) pulled: u64,
}

impl DeviceInput {
    pub(super) fn new(stream: InputStream) -> DeviceInput {
        let adapt = ToBus::new(stream.rate);
        DeviceInput {
            stream,
            adapt,
            opened: Instant::now(),
            pulled: 0,
        }
    }

    /// A device with no clock of its own (a "null" or loopback device) delivers samples
    /// as fast as they are read; recording it would fill the disk with nothing.
    pub(super) fn runs_away(&self) -> bool {
        let secs = self.opened.elapsed().as_secs_f64();
        secs > 1.0 && self.pulled as f64 > 3.0 * self.stream.rate as f64 * secs
    }
}

pub(super) enum Input {
    Device(Box<DeviceInput>),
    Test(Box<SpeechLike>),
    Silence,
}

pub(super) struct Output {
    pub(super) stream: OutputStream,
    pub(super) adapt: FromBus,
}

impl Worker {
    pub(super) fn open_input(&mut self) {
        let id = self.choice.input.clone();
        let (input, state) = match id.as_str() {
            device::NONE => (
                Input::Silence,
                DeviceState {
                    id,
                    name: None,
                    ok: true,
                    error: None,
                },
            ),
            device::TEST_SIGNAL => (
                Input::Test(Box::new(SpeechLike::new(1, crate::dsp::db_to_lin(-20.0)))),
                DeviceState {
                    id,
                    name: Some("시험 신호".into()),
                    ok: true,
                    error: None,
                },
            ),
            _ => match device::open_input(&id) {
                Ok(s) => {
                    let name = Some(s.name.clone());
                    (
                        Input::Device(Box::new(DeviceInput::new(s))),
                        DeviceState {
                            id,
                            name,
                            ok: true,
                            error: None,
                        },
                    )
                }
                Err(e) => (
                    Input::Silence,
                    DeviceState {
                        id,
                        name: None,
                        ok: false,
                        error: Some(e.to_string()),
                    },
                ),
            },
        };
        self.input = input;
        self.update_status(|s| s.input = state);
    }

    pub(super) fn open_output(id: &str) -> (Option<Output>, DeviceState) {
        if id == device::NONE {
            return (
                None,
                DeviceState {
                    id: id.into(),
                    name: None,
                    ok: true,
                    error: None,
                },
            );
        }
        match device::open_output(id) {
            Ok(stream) => {
                let adapt = FromBus::new(stream.rate);
                let name = Some(stream.name.clone());
                (
                    Some(Output { stream, adapt }),
                    DeviceState {
                        id: id.into(),
                        name,
                        ok: true,
                        error: None,
                    },
                )
            }
            Err(e) => (
                None,
                DeviceState {
                    id: id.into(),
                    name: None,
                    ok: false,
                    error: Some(e.to_string()),
                },
            ),
        }
    }

    /// Applies a new choice; an empty id keeps the current one (the watcher's "retry lost
    /// devices" nudge).
    pub(super) fn set_devices(&mut self, c: DeviceChoice) {
        let status = self.status.lock().map(|s| s.clone()).ok();
        let lost = |d: Option<&DeviceState>| d.is_some_and(|d| !d.ok);
        let retry = c.input.is_empty() && c.line_out.is_empty() && c.monitor.is_empty();
        let pick = |new: &str, old: &str| {
            if new.is_empty() {
                old.to_string()
            } else {
                new.to_string()
            }
        };
        let next = DeviceChoice {
            input: pick(&c.input, &self.choice.input),
            line_out: pick(&c.line_out, &self.choice.line_out),
            monitor: pick(&c.monitor, &self.choice.monitor),
        };
        let st = status.as_ref();
        if next.input != self.choice.input
            || (retry && lost(st.map(|s| &s.input)))
            || self.input_is_lost()
        {
            self.choice.input = next.input.clone();
            self.input = Input::Silence;
            self.open_input();
        }
        if next.line_out != self.choice.line_out || (retry && lost(st.map(|s| &s.line_out))) {
            self.choice.line_out = next.line_out.clone();
            self.line = None;
            let (o, s) = Self::open_output(&next.line_out);
            self.line = o;
            self.update_status(|x| x.line_out = s);
        }
        if next.monitor != self.choice.monitor || (retry && lost(st.map(|s| &s.monitor))) {
            self.choice.monitor = next.monitor.clone();
            self.monitor = None;
            let (o, s) = Self::open_output(&next.monitor);
            self.monitor = o;
            self.update_status(|x| x.monitor = s);
        }
    }

    pub(super) fn input_is_lost(&self) -> bool {
        matches!(&self.input, Input::Device(d) if d.stream.counters.lost.load(Ordering::Relaxed) || d.runs_away())
    }
}

/// Drops an output whose device went away; true if it did.
pub(super) fn lost(out: &mut Option<Output>) -> bool {
    let gone = out
        .as_ref()
        .is_some_and(|o| o.stream.counters.lost.load(Ordering::Relaxed));
    if gone {
        *out = None;
    }
    gone
}

pub(super) fn push(out: &mut Option<Output>, block: &[f32; BLOCK]) {
    if let Some(o) = out {
        let samples = o.adapt.convert(block);
        let room = o.stream.ring.slots();
        let n = samples.len().min(room);
        if n < samples.len() {
            o.stream
                .counters
                .xruns
                .fetch_add((samples.len() - n) as u64, Ordering::Relaxed);
        }
        if let Ok(mut chunk) = o.stream.ring.write_chunk(n) {
            let (a, b) = chunk.as_mut_slices();
            a.copy_from_slice(&samples[..a.len()]);
            b.copy_from_slice(&samples[a.len()..n]);
            chunk.commit_all();
        }
    }
}
