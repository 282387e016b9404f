//! The engine thread's loop: devices opened and followed, a block of the graph every 10 ms
//! (paced by the microphone's clock, or by its own when there is none), the outputs and the
//! recorder fed, meters reported.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::devices::{DeviceInput, Input, Output, lost, push};
use super::recording::{Recording, start_recording};
use super::{Command, DeviceChoice, DeviceState, EngineEvent, EngineStatus, MeterFrame, Sink};
use crate::dsp::{BLOCK, RATE};
use crate::graph::{ChainSettings, Graph, Phase};

pub(super) struct Worker {
    pub(super) choice: DeviceChoice,
    pub(super) graph: Graph,
    pub(super) input: Input,
    pub(super) line: Option<Output>,
    pub(super) monitor: Option<Output>,
    pub(super) status: Arc<Mutex<EngineStatus>>,
    pub(super) sink: Sink,
    pub(super) recording: Option<Recording>,
    pub(super) finishing: Vec<Recording>,
    pub(super) mic: [f32; BLOCK],
    pub(super) on_air_blocks: u64,
    pub(super) blocks: u64,
    pub(super) block_us_max: u32,
    pub(super) next_tick: Instant,
}

impl Worker {
    pub(super) fn new(
        choice: DeviceChoice,
        chain: ChainSettings,
        status: Arc<Mutex<EngineStatus>>,
        sink: Sink,
    ) -> Worker {
        let mut w = Worker {
            choice: DeviceChoice {
                input: String::new(),
                line_out: String::new(),
                monitor: String::new(),
            },
            graph: Graph::new(chain),
            input: Input::Silence,
            line: None,
            monitor: None,
            status,
            sink,
            recording: None,
            finishing: Vec::new(),
            mic: [0.0; BLOCK],
            on_air_blocks: 0,
            blocks: 0,
            block_us_max: 0,
            next_tick: Instant::now(),
        };
        w.set_devices(choice);
        w
    }

    pub(super) fn update_status(&self, f: impl FnOnce(&mut EngineStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone()
        };
        (self.sink)(EngineEvent::Status(snapshot));
    }

    pub(super) fn handle(&mut self, c: Command) -> bool {
        match c {
            Command::Devices(d) => self.set_devices(d),
            Command::Chain(s) => {
                self.graph.set_chain(s);
                self.update_status(|x| x.chain = s);
            }
            Command::Preview(on) => {
                self.graph.set_preview(on);
                self.update_status(|x| x.preview = on);
            }
            Command::Start {
                program,
                paths,
                tags,
            } => {
                if self.graph.phase().on_air() || self.recording.is_some() {
                    let result = Err("이미 방송 중입니다".to_string());
                    (self.sink)(EngineEvent::Finished {
                        paths,
                        result,
                        cut_short: None,
                    });
                } else {
                    match start_recording(paths.clone(), tags) {
                        Ok(r) => {
                            self.recording = Some(r);
                            self.on_air_blocks = 0;
                            self.graph.start(program);
                            let phase = self.graph.phase();
                            self.update_status(|x| x.phase = phase);
                        }
                        Err(e) => (self.sink)(EngineEvent::Finished {
                            paths,
                            result: Err(e.to_string()),
                            cut_short: None,
                        }),
                    }
                }
            }
            Command::Stop => self.graph.stop(),
            Command::Abort => self.graph.abort(),
            Command::Play(clip) => self.graph.play_on_monitor(clip),
            Command::Shutdown => {
                if self.graph.phase().on_air() {
                    if let Some(r) = &mut self.recording {
                        r.cut_short = Some("프로그램 종료".into());
                    }
                    self.graph.abort();
                    self.tick_graph();
                }
                self.close_recording();
                for r in self.finishing.drain(..).collect::<Vec<_>>() {
                    self.report(r);
                }
                return false;
            }
        }
        true
    }

    /// Fills `self.mic` with the next block; false if the input has nothing yet.
    pub(super) fn pull_input(&mut self) -> bool {
        match &mut self.input {
            Input::Device(d) => {
                let DeviceInput {
                    stream: s,
                    adapt,
                    pulled,
                    ..
                } = &mut **d;
                let need = adapt.needed();
                *pulled += need as u64;
                if s.ring.slots() < need {
                    return false;
                }
                let chunk = s.ring.read_chunk(need).expect("slots were counted");
                let (a, b) = chunk.as_slices();
                let buf = adapt.input_mut();
                buf[..a.len()].copy_from_slice(a);
                buf[a.len()..].copy_from_slice(b);
                chunk.commit_all();
                adapt.convert(&mut self.mic);
                true
            }
            Input::Test(signal) => {
                signal.fill(&mut self.mic);
                true
            }
            Input::Silence => {
                self.mic.fill(0.0);
                true
            }
        }
    }

    fn paced(&self) -> bool {
        !matches!(self.input, Input::Device(..))
    }

    pub(super) fn tick_graph(&mut self) {
        let started = Instant::now();
        let out = self.graph.process(&self.mic);
        let took = started.elapsed().as_micros() as u32;
        self.block_us_max = self.block_us_max.max(took);
        let line = *out.line;
        let monitor = *out.monitor;
        let phase = out.phase;
        if let Some(r) = &mut self.recording {
            let part = &out.bus[out.record.clone()];
            let room = r.ring.slots();
            let n = part.len().min(room);
            // Where the voice lies is published before the samples, so that the recorder
            // thread, seeing a sample, already knows whether it is voice.
            if !out.voice.is_empty() {
                let from = r.samples + (out.voice.start - out.record.start) as u64;
                let to = r.samples + (out.voice.end - out.record.start).min(n) as u64;
                let _ = r.voice.0.fetch_min(from, Ordering::AcqRel);
                r.voice.1.store(to, Ordering::Release);
            }
            if n > 0 {
                let mut chunk = r.ring.write_chunk(n).expect("room was counted");
                let (a, b) = chunk.as_mut_slices();
                a.copy_from_slice(&part[..a.len()]);
                b.copy_from_slice(&part[a.len()..n]);
                chunk.commit_all();
            }
            r.samples += n as u64;
            r.dropped += (part.len() - n) as u64;
        }
        push(&mut self.line, &line);
        push(&mut self.monitor, &monitor);
        if phase.on_air() {
            self.on_air_blocks += 1;
        }
        if phase == Phase::Done {
            self.close_recording();
            self.update_status(|x| x.phase = Phase::Idle);
        }
        self.blocks += 1;
        if self.blocks.is_multiple_of(3) {
            self.emit_meter(phase);
        }
    }

    fn close_recording(&mut self) {
        if let Some(r) = self.recording.take() {
            r.closing.store(true, Ordering::Release);
            self.finishing.push(r);
        }
    }

    fn report(&mut self, r: Recording) {
        let mut cut_short = r.cut_short;
        if r.dropped > 0 {
            cut_short.get_or_insert_with(|| {
                format!(
                    "디스크가 느려 {} ms가 빠졌습니다",
                    r.dropped * 1000 / RATE as u64
                )
            });
        }
        let result = match r.thread.join() {
            Ok(Ok(rendition)) => Ok(rendition),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("녹음 마무리 중 오류".to_string()),
        };
        (self.sink)(EngineEvent::Finished {
            paths: r.paths,
            result,
            cut_short,
        });
    }

    fn emit_meter(&mut self, phase: Phase) {
        let (inp, out, gr) = self.graph.read_meters();
        let xruns = [
            self.line.as_ref().map(|o| &o.stream.counters),
            self.monitor.as_ref().map(|o| &o.stream.counters),
        ]
        .into_iter()
        .flatten()
        .chain(match &self.input {
            Input::Device(d) => Some(&d.stream.counters),
            _ => None,
        })
        .map(|c| c.xruns.load(Ordering::Relaxed))
        .sum();
        let frame = MeterFrame {
            input_peak_db: inp.peak_db,
            peak_db: out.peak_db,
            rms_db: out.rms_db,
            momentary_lufs: out.momentary_lufs,
            short_term_lufs: out.short_term_lufs,
            reduction_db: gr,
            gate_open: self.graph.gate_open(),
            phase,
            on_air_ms: self.on_air_blocks * 10,
            recorded_ms: self
                .recording
                .as_ref()
                .map(|r| r.samples * 1000 / RATE as u64)
                .unwrap_or(0),
            clips: inp.clips,
            xruns,
            block_us_max: std::mem::take(&mut self.block_us_max),
        };
        (self.sink)(EngineEvent::Meter(frame));
    }

    pub(super) fn check_devices(&mut self) {
        if self.input_is_lost() {
            let id = self.choice.input.clone();
            let why = match &self.input {
                Input::Device(d) if d.runs_away() => {
                    "이 입력 장치는 시간을 지키지 않습니다 (소리 없는 가상 장치입니다)"
                }
                _ => "입력 장치 연결이 끊겼습니다",
            };
            if self.graph.phase().on_air() {
                if let Some(r) = &mut self.recording {
                    r.cut_short = Some(format!("마이크: {why}"));
                }
                // The closing chime still tells the villages the announcement is over.
                self.graph.stop();
            }
            self.input = Input::Silence;
            self.update_status(|s| s.input = DeviceState::lost(&id, why));
        }
        if lost(&mut self.line) {
            let state = DeviceState::lost(&self.choice.line_out, "출력 장치 연결이 끊겼습니다");
            self.update_status(|s| s.line_out = state);
        }
        if lost(&mut self.monitor) {
            let state = DeviceState::lost(&self.choice.monitor, "모니터 장치 연결이 끊겼습니다");
            self.update_status(|s| s.monitor = state);
        }
        let done: Vec<usize> = self
            .finishing
            .iter()
            .enumerate()
            .filter(|(_, r)| r.thread.is_finished())
            .map(|(i, _)| i)
            .collect();
        for i in done.into_iter().rev() {
            let r = self.finishing.remove(i);
            self.report(r);
        }
    }

    pub(super) fn run(mut self, rx: mpsc::Receiver<Command>) {
        self.next_tick = Instant::now();
        loop {
            loop {
                match rx.try_recv() {
                    Ok(c) => {
                        if !self.handle(c) {
                            return;
                        }
                    }
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        self.handle(Command::Shutdown);
                        return;
                    }
                }
            }
            if self.blocks.is_multiple_of(10) || self.input_is_lost() {
                self.check_devices();
            }
            if self.paced() {
                // No device clock to follow: keep real time ourselves.
                let now = Instant::now();
                if self.next_tick > now {
                    std::thread::sleep(self.next_tick - now);
                } else if now - self.next_tick > Duration::from_millis(200) {
                    self.next_tick = now;
                }
                self.next_tick += Duration::from_millis(10);
                self.pull_input();
                self.tick_graph();
            } else if self.pull_input() {
                self.tick_graph();
            } else {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}
