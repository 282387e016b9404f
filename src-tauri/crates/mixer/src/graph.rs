//! The mix graph: one 10 ms block at a time, the microphone through its chain, the program
//! of one broadcast (zone tones → chime → voice or clip → chime), the bus limiter, meters and
//! the three outputs. The live engine and the offline renderer run this same code; only
//! where the samples come from and go to differs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::dsp::BLOCK;
use crate::dsp::biquad::HighPass;
use crate::dsp::gain::Gain;
use crate::dsp::gate::{Gate, GateSettings};
use crate::dsp::limiter::Limiter;
use crate::dsp::meter::{Meter, Reading};

/// The microphone chain as staff set it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ChainSettings {
    /// Input gain, dB (-24 … +24).
    pub gain_db: f32,
    /// The 80 Hz high-pass.
    pub highpass: bool,
    pub gate: GateSettings,
}

impl Default for ChainSettings {
    fn default() -> ChainSettings {
        ChainSettings {
            gain_db: 0.0,
            highpass: true,
            gate: GateSettings::default(),
        }
    }
}

/// What the body of a broadcast is.
#[derive(Debug, Clone)]
pub enum Body {
    /// The microphone, until staff press stop.
    Mic,
    /// A stored clip, to its end (or until stop).
    Clip(Arc<[f32]>),
}

/// One broadcast's running order. Zone tones go to the line-out only: the transmitter needs
/// them, a phone call does not.
#[derive(Debug, Clone)]
pub struct Program {
    /// Whether the transmitter gets it (off in practice: only the recording and monitor do).
    pub line_out: bool,
    pub zone_tones: Option<Arc<[f32]>>,
    pub chime_before: Option<Arc<[f32]>>,
    pub body: Body,
    pub chime_after: Option<Arc<[f32]>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Idle,
    ZoneTones,
    ChimeBefore,
    Body,
    ChimeAfter,
    /// The program has ended; the recorder closes after this block.
    Done,
}

impl Phase {
    pub fn on_air(self) -> bool {
        matches!(
            self,
            Phase::ZoneTones | Phase::ChimeBefore | Phase::Body | Phase::ChimeAfter
        )
    }
}

/// What one block produced.
pub struct Block<'a> {
    /// To the transmitter: the bus and the zone tones, silent when not on air.
    pub line: &'a [f32; BLOCK],
    /// The broadcast as recorded (chimes and voice, no zone tones).
    pub bus: &'a [f32; BLOCK],
    /// To the monitor: what the line carries when on air; otherwise the processed microphone
    /// (if previewing) and any playback.
    pub monitor: &'a [f32; BLOCK],
    /// Which samples of `bus` belong to the recording (a program starts and ends mid-block).
    pub record: std::ops::Range<usize>,
    /// Which of them are the body (voice or clip) rather than a chime: finishing levels the
    /// body to the target and the chimes to theirs.
    pub voice: std::ops::Range<usize>,
    pub phase: Phase,
}

pub struct Graph {
    gain: Gain,
    highpass: HighPass,
    use_highpass: bool,
    gate: Gate,
    limiter: Limiter,
    input_meter: Meter,
    output_meter: Meter,
    program: Option<Program>,
    phase: Phase,
    pos: usize,
    stop_requested: bool,
    preview: bool,
    metering: bool,
    playback: Option<(Arc<[f32]>, usize)>,
    mic: [f32; BLOCK],
    tones: [f32; BLOCK],
    bus: [f32; BLOCK],
    line: [f32; BLOCK],
    monitor: [f32; BLOCK],
}

impl Graph {
    pub fn new(settings: ChainSettings) -> Graph {
        Graph {
            gain: Gain::new(settings.gain_db),
            highpass: HighPass::default(),
            use_highpass: settings.highpass,
            gate: Gate::new(settings.gate),
            limiter: Limiter::default(),
            input_meter: Meter::default(),
            output_meter: Meter::default(),
            program: None,
            phase: Phase::Idle,
            pos: 0,
            stop_requested: false,
            preview: false,
            metering: true,
            playback: None,
            mic: [0.0; BLOCK],
            tones: [0.0; BLOCK],
            bus: [0.0; BLOCK],
            line: [0.0; BLOCK],
            monitor: [0.0; BLOCK],
        }
    }

    pub fn set_chain(&mut self, s: ChainSettings) {
        self.gain.set_db(s.gain_db);
        if s.highpass && !self.use_highpass {
            self.highpass.reset();
        }
        self.use_highpass = s.highpass;
        self.gate.set(s.gate);
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Goes on air with `program`. Refused (false) while another is on air.
    pub fn start(&mut self, program: Program) -> bool {
        if self.phase.on_air() {
            return false;
        }
        self.program = Some(program);
        self.stop_requested = false;
        self.phase = Phase::Idle;
        self.advance();
        true
    }

    /// Ends the body: the closing chime plays, then the program is done.
    pub fn stop(&mut self) {
        self.stop_requested = true;
    }

    /// Ends at once, without the closing chime (the device went away, the desk is closing).
    pub fn abort(&mut self) {
        if self.phase.on_air() {
            self.phase = Phase::Done;
            self.pos = 0;
        }
    }

    /// Meters are for people watching; the offline renderer turns them off (the audio is the
    /// same either way).
    pub fn set_metering(&mut self, on: bool) {
        self.metering = on;
    }

    pub fn set_preview(&mut self, on: bool) {
        self.preview = on;
    }

    /// Plays `clip` on the monitor only (listening back to a recording).
    pub fn play_on_monitor(&mut self, clip: Option<Arc<[f32]>>) {
        self.playback = clip.map(|c| (c, 0));
    }

    pub fn monitor_playing(&self) -> bool {
        self.playback.is_some()
    }

    pub fn gate_open(&self) -> bool {
        self.gate.is_open()
    }

    pub fn read_meters(&mut self) -> (Reading, Reading, f32) {
        (
            self.input_meter.read(),
            self.output_meter.read(),
            self.limiter.take_reduction_db(),
        )
    }

    fn segment(&self, phase: Phase) -> Option<Arc<[f32]>> {
        let p = self.program.as_ref()?;
        match phase {
            Phase::ZoneTones => p.zone_tones.clone(),
            Phase::ChimeBefore => p.chime_before.clone(),
            Phase::Body => match &p.body {
                Body::Clip(c) => Some(c.clone()),
                Body::Mic => None,
            },
            Phase::ChimeAfter => p.chime_after.clone(),
            _ => None,
        }
    }

    fn body_is_mic(&self) -> bool {
        matches!(self.program.as_ref().map(|p| &p.body), Some(Body::Mic))
    }

    /// Moves to the next phase that has something to play.
    fn advance(&mut self) {
        const ORDER: [Phase; 5] = [
            Phase::Idle,
            Phase::ZoneTones,
            Phase::ChimeBefore,
            Phase::Body,
            Phase::ChimeAfter,
        ];
        let mut i = ORDER
            .iter()
            .position(|p| *p == self.phase)
            .map(|i| i + 1)
            .unwrap_or(ORDER.len());
        self.pos = 0;
        while i < ORDER.len() {
            let phase = ORDER[i];
            let has = match phase {
                // A mic body plays until stopped; a clip body is skipped once stop is pressed.
                Phase::Body => {
                    self.body_is_mic()
                        || (!self.stop_requested
                            && self.segment(phase).is_some_and(|s| !s.is_empty()))
                }
                _ => self.segment(phase).is_some_and(|s| !s.is_empty()),
            };
            if has {
                self.phase = phase;
                return;
            }
            i += 1;
        }
        self.phase = Phase::Done;
    }

    /// Processes one block of microphone input.
    pub fn process(&mut self, mic_in: &[f32; BLOCK]) -> Block<'_> {
        if self.phase == Phase::Done {
            self.phase = Phase::Idle;
            self.program = None;
        }
        self.mic.copy_from_slice(mic_in);
        self.gain.process(&mut self.mic);
        if self.metering {
            self.input_meter.process(&self.mic);
        }
        if self.use_highpass {
            self.highpass.process(&mut self.mic);
        }
        self.gate.process(&mut self.mic);

        self.tones.fill(0.0);
        self.bus.fill(0.0);
        let was_on_air = self.phase.on_air();
        let mut i = 0;
        let mut record: Option<(usize, usize)> = None;
        let mut voice: Option<(usize, usize)> = None;
        let mut mark = |from: usize, to: usize, body: bool| {
            record = Some(match record {
                Some((a, _)) => (a, to),
                None => (from, to),
            });
            if body {
                voice = Some(match voice {
                    Some((a, _)) => (a, to),
                    None => (from, to),
                });
            }
        };
        while i < BLOCK {
            match self.phase {
                Phase::Idle | Phase::Done => {
                    // Off air the processed microphone feeds only the meters and the preview;
                    // in the block where a program ends, what follows it stays silent.
                    if !was_on_air {
                        self.bus[i..].copy_from_slice(&self.mic[i..]);
                    }
                    break;
                }
                Phase::Body if self.body_is_mic() => {
                    self.bus[i..].copy_from_slice(&self.mic[i..]);
                    mark(i, BLOCK, true);
                    if self.stop_requested {
                        // Stop lands on a block edge: the rest of this block is still voice.
                        self.advance();
                    }
                    break;
                }
                phase => {
                    let (n, finished) = self.copy_segment(phase, i);
                    if phase != Phase::ZoneTones && n > 0 {
                        mark(i, i + n, phase == Phase::Body);
                    }
                    i += n;
                    if finished || (phase == Phase::Body && self.stop_requested) {
                        self.advance();
                    }
                }
            }
        }
        self.limiter.process(&mut self.bus);
        if self.metering {
            self.output_meter.process(&self.bus);
        }
        let on_air = was_on_air || self.phase.on_air();
        let to_line = on_air && self.program.as_ref().is_some_and(|p| p.line_out);
        for k in 0..BLOCK {
            let v = self.bus[k] + self.tones[k];
            self.line[k] = if to_line { v } else { 0.0 };
            // On air, the monitor hears what the transmitter does (in practice: would).
            self.monitor[k] = v;
        }
        if on_air {
        } else if self.preview {
            self.monitor.copy_from_slice(&self.bus);
        } else {
            self.monitor.fill(0.0);
        }
        if let Some((clip, pos)) = &mut self.playback {
            let n = (clip.len() - *pos).min(BLOCK);
            for k in 0..n {
                self.monitor[k] += clip[*pos + k];
            }
            *pos += n;
            if *pos >= clip.len() {
                self.playback = None;
            }
        }
        Block {
            line: &self.line,
            bus: &self.bus,
            monitor: &self.monitor,
            record: record.map(|(a, b)| a..b).unwrap_or(0..0),
            voice: voice.map(|(a, b)| a..b).unwrap_or(0..0),
            phase: self.phase,
        }
    }

    /// Copies the current segment into the block from `at`; returns (samples, segment ended).
    fn copy_segment(&mut self, phase: Phase, at: usize) -> (usize, bool) {
        let Some(seg) = self.segment(phase) else {
            return (0, true);
        };
        let n = (seg.len() - self.pos).min(BLOCK - at);
        let dst = if phase == Phase::ZoneTones {
            &mut self.tones
        } else {
            &mut self.bus
        };
        dst[at..at + n].copy_from_slice(&seg[self.pos..self.pos + n]);
        self.pos += n;
        (n, self.pos >= seg.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(n: usize, v: f32) -> Arc<[f32]> {
        vec![v; n].into()
    }

    /// Runs blocks until the program is done; (recorded, voice, line) sample counts.
    fn run(graph: &mut Graph, stop_after: Option<usize>) -> (usize, usize, usize) {
        let mic = [0.25f32; BLOCK];
        let (mut rec, mut voice, mut line) = (0, 0, 0);
        for n in 0..10_000 {
            if Some(n) == stop_after {
                graph.stop();
            }
            let out = graph.process(&mic);
            rec += out.record.len();
            voice += out.voice.len();
            line += out.line.iter().filter(|s| **s != 0.0).count();
            if out.phase == Phase::Done {
                return (rec, voice, line);
            }
        }
        panic!("the program never ended");
    }

    fn program(body: Body, line_out: bool) -> Program {
        Program {
            line_out,
            zone_tones: Some(clip(1_000, 0.1)),
            chime_before: Some(clip(2_000, 0.1)),
            body,
            chime_after: Some(clip(3_000, 0.1)),
        }
    }

    #[test]
    fn a_replayed_clip_plays_to_its_end_between_the_chimes_sample_exactly() {
        let mut g = Graph::new(ChainSettings::default());
        assert!(g.start(program(Body::Clip(clip(4_321, 0.2)), true)));
        let (rec, voice, line) = run(&mut g, None);
        assert_eq!(
            rec,
            2_000 + 4_321 + 3_000,
            "chimes and clip recorded, zone tones not"
        );
        assert_eq!(voice, 4_321);
        // The limiter's 1 ms look-ahead delays the line by 48 samples, the tones go straight.
        assert!(line >= 1_000 + 2_000 + 4_321 + 3_000 - 48, "{line}");
        assert_eq!(g.phase(), Phase::Done);
    }

    #[test]
    fn stop_during_a_clip_goes_to_the_closing_chime_and_a_second_start_waits() {
        let mut g = Graph::new(ChainSettings::default());
        g.start(program(Body::Clip(clip(48_000, 0.2)), true));
        assert!(!g.start(program(Body::Mic, true)), "one program at a time");
        let (rec, voice, _) = run(&mut g, Some(10));
        assert!(voice < 48_000 && voice > 0, "{voice}");
        assert_eq!(rec, 2_000 + voice + 3_000);
    }

    #[test]
    fn in_practice_nothing_reaches_the_line_but_the_monitor_hears_it() {
        let mut g = Graph::new(ChainSettings::default());
        g.start(program(Body::Clip(clip(960, 0.2)), false));
        let mic = [0.0f32; BLOCK];
        let mut heard = 0;
        loop {
            let out = g.process(&mic);
            assert!(out.line.iter().all(|s| *s == 0.0));
            heard += out.monitor.iter().filter(|s| **s != 0.0).count();
            if out.phase == Phase::Done {
                break;
            }
        }
        assert!(heard > 6_000, "{heard}");
    }
}
