//! Audio devices through cpal. Each stream lives on a thread of its own (cpal streams are not
//! `Send` everywhere): the thread opens the device, reports readiness over a channel, and
//! drops the stream when its stop channel closes. Samples cross to the engine through
//! lock-free rings; the device callbacks only copy, never lock, allocate or log.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample};
use rtrb::{Consumer, Producer, RingBuffer};
use serde::Serialize;

use crate::MixerError;

/// The system's default device.
pub const DEFAULT: &str = "default";
/// No device.
pub const NONE: &str = "none";
/// The built-in speech-like test signal as the microphone (checking levels, training, tests).
pub const TEST_SIGNAL: &str = "test:speech";

/// About one second at 96 kHz: far more than the engine ever lags.
const RING: usize = 1 << 17;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceList {
    pub inputs: Vec<DeviceInfo>,
    pub outputs: Vec<DeviceInfo>,
}

fn device_err(what: &str, e: impl std::fmt::Display) -> MixerError {
    MixerError::Device(format!("{what}: {e}"))
}

/// The audio system devices are listed and opened through: WASAPI on Windows, ALSA on Linux.
pub fn host_name() -> &'static str {
    cpal::default_host().id().name()
}

/// The devices the host offers now.
pub fn list() -> DeviceList {
    let host = cpal::default_host();
    let default_in = host
        .default_input_device()
        .and_then(|d| d.id().ok())
        .map(|i| i.to_string());
    let default_out = host
        .default_output_device()
        .and_then(|d| d.id().ok())
        .map(|i| i.to_string());
    let describe = |d: cpal::Device, default: &Option<String>| -> Option<DeviceInfo> {
        let id = d.id().ok()?.to_string();
        let name = d
            .description()
            .map(|x| x.name().to_string())
            .unwrap_or_else(|_| id.clone());
        Some(DeviceInfo {
            is_default: default.as_deref() == Some(id.as_str()),
            id,
            name,
        })
    };
    let inputs = host
        .input_devices()
        .map(|it| it.filter_map(|d| describe(d, &default_in)).collect())
        .unwrap_or_default();
    let outputs = host
        .output_devices()
        .map(|it| it.filter_map(|d| describe(d, &default_out)).collect())
        .unwrap_or_default();
    DeviceList { inputs, outputs }
}

/// What a stream's callbacks report to the engine.
#[derive(Debug, Default)]
pub struct StreamCounters {
    /// Samples the engine had no room for (input) or did not deliver in time (output).
    pub xruns: AtomicU64,
    /// The device went away (unplugged, disabled).
    pub lost: AtomicBool,
    primed: AtomicBool,
}

/// The input callback's whole job: fold the frames to mono and push them into the ring.
pub fn capture<T>(data: &[T], channels: usize, ring: &mut Producer<f32>, c: &StreamCounters)
where
    T: Sample,
    f32: FromSample<T>,
{
    let channels = channels.max(1);
    let frames = data.len() / channels;
    let room = ring.slots();
    if frames > room {
        c.xruns.fetch_add((frames - room) as u64, Ordering::Relaxed);
    }
    let n = frames.min(room);
    if n == 0 {
        return;
    }
    if let Ok(mut chunk) = ring.write_chunk(n) {
        let (a, b) = chunk.as_mut_slices();
        let scale = 1.0 / channels as f32;
        for (i, slot) in a.iter_mut().chain(b.iter_mut()).enumerate() {
            let frame = &data[i * channels..(i + 1) * channels];
            *slot = frame.iter().map(|s| f32::from_sample(*s)).sum::<f32>() * scale;
        }
        chunk.commit_all();
    }
}

/// The output callback's whole job: take mono samples from the ring to every channel; silence
/// where the engine fell behind (counted once it has started delivering).
pub fn play<T>(data: &mut [T], channels: usize, ring: &mut Consumer<f32>, c: &StreamCounters)
where
    T: Sample + FromSample<f32>,
{
    let channels = channels.max(1);
    let frames = data.len() / channels;
    let n = frames.min(ring.slots());
    if let Ok(chunk) = ring.read_chunk(n) {
        let (a, b) = chunk.as_slices();
        for (i, v) in a.iter().chain(b.iter()).enumerate() {
            let s = T::from_sample(*v);
            data[i * channels..(i + 1) * channels].fill(s);
        }
        chunk.commit_all();
        if n > 0 {
            c.primed.store(true, Ordering::Relaxed);
        }
    }
    if n < frames {
        data[n * channels..].fill(T::EQUILIBRIUM);
        if c.primed.load(Ordering::Relaxed) {
            c.xruns.fetch_add((frames - n) as u64, Ordering::Relaxed);
        }
    }
}

/// An open device stream, owned by its thread; dropping this stops and closes it.
pub struct Stream<R> {
    pub ring: R,
    pub rate: u32,
    pub name: String,
    pub counters: Arc<StreamCounters>,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl<R> Drop for Stream<R> {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl<R> Stream<R> {
    /// A stream with no device behind it, fed by the test through the ring's other end.
    #[cfg(test)]
    pub(crate) fn detached(ring: R, rate: u32, name: &str) -> Stream<R> {
        Stream {
            ring,
            rate,
            name: name.into(),
            counters: Arc::default(),
            stop: None,
            thread: None,
        }
    }
}

pub type InputStream = Stream<Consumer<f32>>;
pub type OutputStream = Stream<Producer<f32>>;

fn find(host: &cpal::Host, id: &str, input: bool) -> Result<cpal::Device, MixerError> {
    let dev = if id == DEFAULT {
        if input {
            host.default_input_device()
        } else {
            host.default_output_device()
        }
    } else {
        id.parse::<cpal::DeviceId>()
            .ok()
            .and_then(|i| host.device_by_id(&i))
    };
    dev.ok_or_else(|| MixerError::Device(format!("장치를 찾을 수 없습니다: {id}")))
}

/// 48 kHz if the device offers it (no resampling), otherwise its default rate.
fn choose(dev: &cpal::Device, input: bool) -> Result<cpal::SupportedStreamConfig, MixerError> {
    let ranges: Vec<_> = if input {
        dev.supported_input_configs()
            .map_err(|e| device_err("입력 형식", e))?
            .collect()
    } else {
        dev.supported_output_configs()
            .map_err(|e| device_err("출력 형식", e))?
            .collect()
    };
    let usable = |f: SampleFormat| {
        matches!(
            f,
            SampleFormat::F32 | SampleFormat::I16 | SampleFormat::I32 | SampleFormat::U16
        )
    };
    let mut best: Option<cpal::SupportedStreamConfig> = None;
    for r in ranges.into_iter().filter(|r| usable(r.sample_format())) {
        if let Some(c) = r.try_with_sample_rate(crate::dsp::RATE) {
            let better = best.as_ref().is_none_or(|b| {
                (c.sample_format() == SampleFormat::F32) as u8
                    > (b.sample_format() == SampleFormat::F32) as u8
                    || c.channels() < b.channels()
            });
            if better {
                best = Some(c);
            }
        }
    }
    match best {
        Some(b) => Ok(b),
        None => if input {
            dev.default_input_config()
        } else {
            dev.default_output_config()
        }
        .map_err(|e| device_err("기본 형식", e)),
    }
}

fn on_error(counters: Arc<StreamCounters>) -> impl FnMut(cpal::Error) + Send + 'static {
    move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::HostUnavailable => {
            counters.lost.store(true, Ordering::Relaxed);
        }
        _ => {
            counters.xruns.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn build_input<T>(
    dev: &cpal::Device,
    cfg: &cpal::StreamConfig,
    mut ring: Producer<f32>,
    c: Arc<StreamCounters>,
) -> Result<cpal::Stream, MixerError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let ch = cfg.channels as usize;
    let cb = c.clone();
    dev.build_input_stream::<T, _, _>(
        *cfg,
        move |data, _| capture(data, ch, &mut ring, &cb),
        on_error(c),
        Some(Duration::from_secs(3)),
    )
    .map_err(|e| device_err("입력 장치를 열 수 없습니다", e))
}

fn build_output<T>(
    dev: &cpal::Device,
    cfg: &cpal::StreamConfig,
    mut ring: Consumer<f32>,
    c: Arc<StreamCounters>,
) -> Result<cpal::Stream, MixerError>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let ch = cfg.channels as usize;
    let cb = c.clone();
    dev.build_output_stream::<T, _, _>(
        *cfg,
        move |data, _| play(data, ch, &mut ring, &cb),
        on_error(c),
        Some(Duration::from_secs(3)),
    )
    .map_err(|e| device_err("출력 장치를 열 수 없습니다", e))
}

fn spawn_stream<R: Send + 'static, Mine>(
    id: &str,
    input: bool,
    mine: Mine,
    theirs: R,
    build: fn(
        &cpal::Device,
        &cpal::SupportedStreamConfig,
        R,
        Arc<StreamCounters>,
    ) -> Result<cpal::Stream, MixerError>,
) -> Result<Stream<Mine>, MixerError> {
    let id = id.to_string();
    let counters = Arc::new(StreamCounters::default());
    let (ready_tx, ready_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let c = counters.clone();
    let thread = std::thread::Builder::new()
        .name(format!("audio-{}", if input { "in" } else { "out" }))
        .spawn(move || {
            let opened = (|| {
                let host = cpal::default_host();
                let dev = find(&host, &id, input)?;
                let name = dev
                    .description()
                    .map(|d| d.name().to_string())
                    .unwrap_or_else(|_| id.clone());
                let cfg = choose(&dev, input)?;
                let stream = build(&dev, &cfg, theirs, c)?;
                stream
                    .play()
                    .map_err(|e| device_err("장치를 시작할 수 없습니다", e))?;
                Ok::<_, MixerError>((stream, cfg.sample_rate(), name))
            })();
            match opened {
                Ok((stream, rate, name)) => {
                    let _ = ready_tx.send(Ok((rate, name)));
                    // Blocks until the owner drops its sender.
                    let _ = stop_rx.recv();
                    drop(stream);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        })
        .map_err(|e| device_err("오디오 스레드", e))?;
    let (rate, name) = ready_rx
        .recv_timeout(Duration::from_secs(5))
        .map_err(|_| MixerError::Device("장치가 응답하지 않습니다".into()))??;
    Ok(Stream {
        ring: mine,
        rate,
        name,
        counters,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

pub fn open_input(id: &str) -> Result<InputStream, MixerError> {
    let (prod, cons) = RingBuffer::<f32>::new(RING);
    spawn_stream(id, true, cons, prod, |dev, cfg, ring, c| {
        let sc = cfg.config();
        match cfg.sample_format() {
            SampleFormat::F32 => build_input::<f32>(dev, &sc, ring, c),
            SampleFormat::I16 => build_input::<i16>(dev, &sc, ring, c),
            SampleFormat::I32 => build_input::<i32>(dev, &sc, ring, c),
            SampleFormat::U16 => build_input::<u16>(dev, &sc, ring, c),
            f => Err(MixerError::Device(format!(
                "지원하지 않는 표본 형식입니다: {f}"
            ))),
        }
    })
}

pub fn open_output(id: &str) -> Result<OutputStream, MixerError> {
    let (prod, cons) = RingBuffer::<f32>::new(RING);
    spawn_stream(id, false, prod, cons, |dev, cfg, ring, c| {
        let sc = cfg.config();
        match cfg.sample_format() {
            SampleFormat::F32 => build_output::<f32>(dev, &sc, ring, c),
            SampleFormat::I16 => build_output::<i16>(dev, &sc, ring, c),
            SampleFormat::I32 => build_output::<i32>(dev, &sc, ring, c),
            SampleFormat::U16 => build_output::<u16>(dev, &sc, ring, c),
            f => Err(MixerError::Device(format!(
                "지원하지 않는 표본 형식입니다: {f}"
            ))),
        }
    })
}
