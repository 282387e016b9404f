//! The live console: a thread that owns the graph and the device streams, runs a block every
//! 10 ms, feeds the line-out, monitor and recorder, and reports meters about 30 times a second.
//! It is owned by an [`Engine`] handle; dropping the handle (or [`Engine::shutdown`]) stops it,
//! finishing any recording on the way out.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rtrb::{Consumer, Producer, RingBuffer};
use serde::{Deserialize, Serialize};

use crate::MixerError;
use crate::device::{self, DeviceList, InputStream, OutputStream};
use crate::dsp::{BLOCK, RATE};
use crate::finish::{Rendition, finish};
use crate::graph::{ChainSettings, Graph, Phase, Program};
use crate::rate::{FromBus, ToBus};
use crate::recorder::{Recorder, RecordingPaths};
use crate::speech::SpeechLike;

/// Which devices the console uses (ids from [`device::list`], or `default` / `none` /
/// `test:speech`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DeviceChoice {
    pub input: String,
    /// The line-out to the village loudspeaker transmitter.
    pub line_out: String,
    /// Headphones or a speaker for the person at the desk; `none` for none.
    pub monitor: String,
}

impl Default for DeviceChoice {
    fn default() -> DeviceChoice {
        DeviceChoice {
            input: device::DEFAULT.into(),
            line_out: device::DEFAULT.into(),
            monitor: device::NONE.into(),
        }
    }
}

/// A meter reading for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, specta::Type)]
pub struct MeterFrame {
    pub input_peak_db: f32,
    pub peak_db: f32,
    pub rms_db: f32,
    pub momentary_lufs: f32,
    pub short_term_lufs: f32,
    /// Limiter gain reduction, dB (0 or negative).
    pub reduction_db: f32,
    pub gate_open: bool,
    pub phase: Phase,
    /// Time on air (zone tones and chimes included), ms.
    pub on_air_ms: u64,
    /// Audio in the recording so far, ms.
    pub recorded_ms: u64,
    /// Input samples at full scale since the console started.
    pub clips: u64,
    /// Samples lost between the devices and the engine (over- and underruns).
    pub xruns: u64,
    /// The longest the graph took for one block since the last frame, µs.
    pub block_us_max: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct DeviceState {
    pub id: String,
    /// What the device calls itself, when open.
    pub name: Option<String>,
    pub ok: bool,
    pub error: Option<String>,
}

impl DeviceState {
    fn lost(id: &str, why: &str) -> DeviceState {
        DeviceState {
            id: id.into(),
            name: None,
            ok: false,
            error: Some(why.into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct EngineStatus {
    pub input: DeviceState,
    pub line_out: DeviceState,
    pub monitor: DeviceState,
    pub phase: Phase,
    pub preview: bool,
    pub chain: ChainSettings,
}

#[derive(Debug, Clone)]
pub enum EngineEvent {
    Meter(MeterFrame),
    Status(EngineStatus),
    /// A recording has been finished (or failed to finish). `cut_short` says why it ended
    /// before stop was pressed.
    Finished {
        paths: RecordingPaths,
        result: Result<Rendition, String>,
        cut_short: Option<String>,
    },
    DevicesChanged(DeviceList),
}

pub enum Command {
    Devices(DeviceChoice),
    Chain(ChainSettings),
    Preview(bool),
    Start {
        program: Program,
        paths: RecordingPaths,
        tags: Vec<(String, String)>,
    },
    Stop,
    Abort,
    Play(Option<Arc<[f32]>>),
    Shutdown,
}

type Sink = Arc<dyn Fn(EngineEvent) + Send + Sync>;

pub struct Engine {
    tx: mpsc::Sender<Command>,
    status: Arc<Mutex<EngineStatus>>,
    thread: Option<JoinHandle<()>>,
    watcher: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Engine {
    /// Starts the console on `devices`; events arrive on `on_event` from the engine thread.
    pub fn start(
        devices: DeviceChoice,
        chain: ChainSettings,
        on_event: impl Fn(EngineEvent) + Send + Sync + 'static,
    ) -> Engine {
        let sink: Sink = Arc::new(on_event);
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(EngineStatus {
            input: DeviceState {
                id: devices.input.clone(),
                name: None,
                ok: false,
                error: None,
            },
            line_out: DeviceState {
                id: devices.line_out.clone(),
                name: None,
                ok: false,
                error: None,
            },
            monitor: DeviceState {
                id: devices.monitor.clone(),
                name: None,
                ok: false,
                error: None,
            },
            phase: Phase::Idle,
            preview: false,
            chain,
        }));
        let st = status.clone();
        let s2 = sink.clone();
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("mixer-engine".into())
            .spawn(move || {
                let worker = Worker::new(devices, chain, st, s2);
                let _ = ready_tx.send(());
                worker.run(rx);
            })
            .expect("the engine thread starts");
        // Returns once the devices have been opened (or refused), so that the status the
        // caller reads next is true.
        let _ = ready_rx.recv_timeout(Duration::from_secs(15));
        let watcher = spawn_watcher(tx.clone(), sink);
        Engine {
            tx,
            status,
            thread: Some(thread),
            watcher: Some(watcher),
        }
    }

    pub fn send(&self, c: Command) -> Result<(), MixerError> {
        self.tx.send(c).map_err(|_| MixerError::EngineGone)
    }

    pub fn status(&self) -> EngineStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Stops the engine: a recording on air is ended and finished first.
    pub fn shutdown(&mut self) {
        if let Some((stop, t)) = self.watcher.take() {
            drop(stop);
            let _ = t.join();
        }
        let _ = self.tx.send(Command::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Follows hot-plug: lists devices every two seconds (off the engine thread, since listing
/// can take tens of milliseconds) and tells the engine and the UI when the list changes.
fn spawn_watcher(tx: mpsc::Sender<Command>, sink: Sink) -> (mpsc::Sender<()>, JoinHandle<()>) {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let t = std::thread::Builder::new()
        .name("mixer-devices".into())
        .spawn(move || {
            let mut last = device::list();
            sink(EngineEvent::DevicesChanged(last.clone()));
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                stop_rx.recv_timeout(Duration::from_secs(2))
            {
                let now = device::list();
                if now != last {
                    last = now.clone();
                    sink(EngineEvent::DevicesChanged(now));
                    // The engine retries any device it lost.
                    if tx
                        .send(Command::Devices(DeviceChoice {
                            input: String::new(),
                            line_out: String::new(),
                            monitor: String::new(),
                        }))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        })
        .expect("the device watcher starts");
    (stop_tx, t)
}

/// A microphone stream and what the engine knows of its pace.
struct DeviceInput {
    stream: InputStream,
    adapt: ToBus,
    opened: Instant,
    /// Device samples taken so far.
    pulled: u64,
}

impl DeviceInput {
    fn new(stream: InputStream) -> DeviceInput {
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
    fn runs_away(&self) -> bool {
        let secs = self.opened.elapsed().as_secs_f64();
        secs > 1.0 && self.pulled as f64 > 3.0 * self.stream.rate as f64 * secs
    }
}

enum Input {
    Device(Box<DeviceInput>),
    Test(Box<SpeechLike>),
    Silence,
}

struct Output {
    stream: OutputStream,
    adapt: FromBus,
}

struct Recording {
    ring: Producer<f32>,
    closing: Arc<AtomicBool>,
    thread: JoinHandle<Result<Rendition, MixerError>>,
    paths: RecordingPaths,
    samples: u64,
    dropped: u64,
    cut_short: Option<String>,
    /// Where the body lies in the recording (start, end in samples; MAX until it begins),
    /// read by the recorder thread when it closes.
    voice: Arc<(AtomicU64, AtomicU64)>,
}

/// Ten seconds of bus: the recorder thread may stall on a slow disk without losing audio.
const RECORD_RING: usize = 10 * RATE as usize;

fn start_recording(
    paths: RecordingPaths,
    tags: Vec<(String, String)>,
) -> Result<Recording, MixerError> {
    let tag_refs: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut rec = Recorder::create(paths.clone(), true, &tag_refs)?;
    let (prod, mut cons): (Producer<f32>, Consumer<f32>) = RingBuffer::new(RECORD_RING);
    let closing = Arc::new(AtomicBool::new(false));
    let c = closing.clone();
    let voice = Arc::new((AtomicU64::new(u64::MAX), AtomicU64::new(0)));
    let v = voice.clone();
    let thread = std::thread::Builder::new()
        .name("mixer-recorder".into())
        .spawn(move || {
            loop {
                let n = cons.slots();
                if n > 0 {
                    let chunk = cons.read_chunk(n).expect("slots were counted");
                    let (a, b) = chunk.as_slices();
                    rec.write(a, 0..0)?;
                    rec.write(b, 0..0)?;
                    chunk.commit_all();
                } else if c.load(Ordering::Acquire) {
                    break;
                } else {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            let (from, to) = (v.0.load(Ordering::Acquire), v.1.load(Ordering::Acquire));
            if from < to {
                rec.mark_voice(from, to);
            }
            finish(&rec.close()?)
        })
        .map_err(|e| MixerError::Device(format!("녹음 스레드: {e}")))?;
    Ok(Recording {
        ring: prod,
        closing,
        thread,
        paths,
        samples: 0,
        dropped: 0,
        cut_short: None,
        voice,
    })
}

struct Worker {
    choice: DeviceChoice,
    graph: Graph,
    input: Input,
    line: Option<Output>,
    monitor: Option<Output>,
    status: Arc<Mutex<EngineStatus>>,
    sink: Sink,
    recording: Option<Recording>,
    finishing: Vec<Recording>,
    mic: [f32; BLOCK],
    on_air_blocks: u64,
    blocks: u64,
    block_us_max: u32,
    next_tick: Instant,
}

impl Worker {
    fn new(
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

    fn update_status(&self, f: impl FnOnce(&mut EngineStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone()
        };
        (self.sink)(EngineEvent::Status(snapshot));
    }

    fn open_input(&mut self) {
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

    fn open_output(id: &str) -> (Option<Output>, DeviceState) {
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
    fn set_devices(&mut self, c: DeviceChoice) {
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

    fn input_is_lost(&self) -> bool {
        matches!(&self.input, Input::Device(d) if d.stream.counters.lost.load(Ordering::Relaxed) || d.runs_away())
    }

    fn handle(&mut self, c: Command) -> bool {
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
    fn pull_input(&mut self) -> bool {
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

    fn tick_graph(&mut self) {
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
            if n > 0 {
                let mut chunk = r.ring.write_chunk(n).expect("room was counted");
                let (a, b) = chunk.as_mut_slices();
                a.copy_from_slice(&part[..a.len()]);
                b.copy_from_slice(&part[a.len()..n]);
                chunk.commit_all();
            }
            if !out.voice.is_empty() {
                let from = r.samples + (out.voice.start - out.record.start) as u64;
                let to = r.samples + (out.voice.end - out.record.start).min(n) as u64;
                let _ = r.voice.0.fetch_min(from, Ordering::AcqRel);
                r.voice.1.store(to, Ordering::Release);
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

    fn check_devices(&mut self) {
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

    fn run(mut self, rx: mpsc::Receiver<Command>) {
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

/// Drops an output whose device went away; true if it did.
fn lost(out: &mut Option<Output>) -> bool {
    let gone = out
        .as_ref()
        .is_some_and(|o| o.stream.counters.lost.load(Ordering::Relaxed));
    if gone {
        *out = None;
    }
    gone
}

fn push(out: &mut Option<Output>, block: &[f32; BLOCK]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Body;

    fn status() -> Arc<Mutex<EngineStatus>> {
        let d = DeviceState {
            id: device::NONE.into(),
            name: None,
            ok: true,
            error: None,
        };
        Arc::new(Mutex::new(EngineStatus {
            input: d.clone(),
            line_out: d.clone(),
            monitor: d,
            phase: Phase::Idle,
            preview: false,
            chain: ChainSettings::default(),
        }))
    }

    #[test]
    fn an_unplugged_microphone_ends_the_broadcast_and_keeps_what_was_captured() {
        let dir = tempfile::tempdir().unwrap();
        let paths = RecordingPaths::in_dir(dir.path(), "unplugged");
        let (tx, rx) = mpsc::channel();
        let sink: Sink = Arc::new(move |e| {
            if let EngineEvent::Finished {
                result, cut_short, ..
            } = e
            {
                let _ = tx.send((result, cut_short));
            }
        });
        let none = DeviceChoice {
            input: device::NONE.into(),
            line_out: device::NONE.into(),
            monitor: device::NONE.into(),
        };
        let mut w = Worker::new(none, ChainSettings::default(), status(), sink);
        let (mut mic, ring) = RingBuffer::<f32>::new(1 << 16);
        let stream = device::InputStream::detached(ring, RATE, "시험 마이크");
        let plug = stream.counters.clone();
        w.input = Input::Device(Box::new(DeviceInput::new(stream)));
        let (program, _) = crate::render::program(Body::Mic, false, &[], None).unwrap();
        assert!(w.handle(Command::Start {
            program,
            paths: paths.clone(),
            tags: vec![]
        }));

        // Three seconds of speech arrive from the device, block by block.
        let mut voice = SpeechLike::new(2, 0.1);
        let mut block = [0f32; BLOCK];
        for _ in 0..300 {
            voice.fill(&mut block);
            for s in block {
                mic.push(s).unwrap();
            }
            assert!(w.pull_input());
            w.tick_graph();
        }
        // The cable comes out.
        plug.lost.store(true, Ordering::Relaxed);
        w.check_devices();
        assert!(matches!(w.input, Input::Silence));
        let st = w.status.lock().unwrap().clone();
        assert!(
            !st.input.ok
                && st
                    .input
                    .error
                    .as_deref()
                    .unwrap_or("")
                    .contains("끊겼습니다")
        );
        for _ in 0..20 {
            w.pull_input();
            w.tick_graph();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let (result, cut_short) = loop {
            w.check_devices();
            if let Ok(r) = rx.try_recv() {
                break r;
            }
            assert!(
                Instant::now() < deadline,
                "the recording was never finished"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(
            cut_short
                .as_deref()
                .unwrap_or("")
                .contains("연결이 끊겼습니다"),
            "{cut_short:?}"
        );
        let r = result.expect("what was captured is finished");
        assert!(
            (r.duration_ms as i64 - 3_000).abs() <= 20,
            "{} ms kept",
            r.duration_ms
        );
        let back = crate::opus_ogg::decode_file(&r.archive).unwrap();
        assert!(back.complete);
        assert_eq!(back.samples.len() as u64, r.duration_ms * 48);
        assert!(r.telephony.exists());
    }
}
