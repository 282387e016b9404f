//! The live console: a thread that owns the graph and the device streams, runs a block every
//! 10 ms, feeds the line-out, monitor and recorder, and reports meters about 30 times a second.
//! It is owned by an [`Engine`] handle; dropping the handle (or [`Engine::shutdown`]) stops it,
//! finishing any recording on the way out.

use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::MixerError;
use crate::device::{self, DeviceList};
use crate::finish::Rendition;
use crate::graph::{ChainSettings, Phase, Program};
use crate::recorder::RecordingPaths;

mod devices;
mod recording;
#[cfg(test)]
mod tests;
mod worker;

use worker::Worker;

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

pub(crate) type Sink = Arc<dyn Fn(EngineEvent) + Send + Sync>;

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
