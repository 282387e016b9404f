//! `maeul-bench audio`: an hour of speech-like audio through the console's whole chain (the
//! graph with its chimes, levelling, Opus 32 kbit/s voice in Ogg, 8 kHz μ-law at -19 dBm0),
//! against `sox` (to 8 kHz μ-law) plus `opusenc` (32 kbit/s, speech) on the same WAV, each on
//! one core (`./dev bench audio` pins the process with taskset); and the live graph's work
//! per 10 ms block.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use maeul_api::{ApiError, ErrorCode};
use maeul_mixer::dsp::{BLOCK, RATE};
use maeul_mixer::graph::{Body, ChainSettings, Graph};
use maeul_mixer::recorder::RecordingPaths;
use maeul_mixer::render::{RenderOptions, program, render_from};
use maeul_mixer::speech::SpeechLike;

fn io(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, e.to_string())
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Every run, so that a noisy machine shows as such.
fn each(v: &[Duration]) -> String {
    v.iter()
        .map(|d| format!("{:.1}", d.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes `minutes` of the speech-like signal (active speech at -20 dBFS) as 16-bit WAV,
/// a block at a time.
fn write_input(path: &Path, minutes: f64) -> Result<u64, ApiError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(io)?;
    let mut voice = SpeechLike::new(1, maeul_mixer::dsp::db_to_lin(-20.0));
    let total = (minutes * 60.0 * RATE as f64) as u64;
    let mut block = vec![0f32; RATE as usize];
    let mut done = 0u64;
    while done < total {
        let n = (total - done).min(block.len() as u64) as usize;
        voice.fill(&mut block[..n]);
        for s in &block[..n] {
            w.write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)
                .map_err(io)?;
        }
        done += n as u64;
    }
    w.finalize().map_err(io)?;
    Ok(total)
}

/// The app's chain on the WAV: read, render, finish.
fn ours(input: &Path, dir: &Path) -> Result<(Duration, maeul_mixer::finish::Rendition), ApiError> {
    let started = Instant::now();
    let mut reader = hound::WavReader::open(input).map_err(io)?;
    let mut samples = reader.samples::<i16>();
    let paths = RecordingPaths::in_dir(dir, "bench");
    let opts = RenderOptions {
        chime: true,
        ..RenderOptions::default()
    };
    let r = render_from(
        |block| {
            let mut n = 0;
            for slot in block.iter_mut() {
                match samples.next() {
                    Some(Ok(s)) => *slot = s as f32 / 32_768.0,
                    _ => break,
                }
                n += 1;
            }
            Ok((n, n < block.len()))
        },
        &opts,
        paths,
    )
    .map_err(ApiError::from)?;
    Ok((started.elapsed(), r.rendition))
}

/// `sox` to 8 kHz μ-law, then `opusenc` at 32 kbit/s tuned for speech, one after the other.
fn theirs(input: &Path, dir: &Path) -> Result<Duration, ApiError> {
    let started = Instant::now();
    let sox = Command::new("sox")
        .arg(input)
        .args(["-r", "8000", "-e", "u-law", "-b", "8"])
        .arg(dir.join("sox-8k.wav"))
        .status()
        .map_err(io)?;
    let opus = Command::new("opusenc")
        .args([
            "--quiet",
            "--bitrate",
            "32",
            "--speech",
            "--framesize",
            "20",
        ])
        .arg(input)
        .arg(dir.join("opusenc.opus"))
        .status()
        .map_err(io)?;
    if !sox.success() || !opus.success() {
        return Err(io("sox or opusenc failed"));
    }
    Ok(started.elapsed())
}

/// The live graph's time per 10 ms block (microphone chain, chimes, limiter, meters).
fn per_block() -> (f64, f64, f64) {
    let (prog, _) = program(Body::Mic, true, &["101".into()], None).expect("built-in program");
    let mut graph = Graph::new(ChainSettings::default());
    let mut mic = SpeechLike::new(3, 0.1);
    let mut block = [0f32; BLOCK];
    let mut times = Vec::with_capacity(60_000);
    // Ten broadcasts of a minute each: zone tones, chimes, voice, closing chime, idle.
    for _ in 0..10 {
        graph.start(prog.clone());
        for n in 0..6_000 {
            mic.fill(&mut block);
            if n == 5_000 {
                graph.stop();
            }
            let t = Instant::now();
            std::hint::black_box(graph.process(&block).line[0]);
            times.push(t.elapsed().as_nanos() as f64 / 1000.0);
            if n % 3 == 0 {
                std::hint::black_box(graph.read_meters());
            }
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    (at(0.5), at(0.99), times[times.len() - 1])
}

pub fn run(runs: usize, minutes: f64) -> Result<ExitCode, ApiError> {
    let runs = runs.max(1);
    let dir = std::env::temp_dir().join(format!("maeul-bench-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let input = dir.join("speech.wav");
    let samples = write_input(&input, minutes)?;
    println!(
        "input: {minutes} min of speech-like audio, {samples} samples at 48 kHz ({:.0} MB WAV)",
        samples as f64 * 2.0 / 1e6
    );

    let mut mine = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let (t, r) = ours(&input, &dir)?;
        mine.push(t);
        last = Some(r);
    }
    let r = last.expect("at least one run");
    let mine_runs = each(&mine);
    let m = median(mine);
    println!(
        "bench audio chain: median {} for {minutes} min ({:.0}× real time; runs {mine_runs} s); archive {:.1} LUFS, {:.1} dBTP, {:.1} MB; telephone {:.1} dBm0",
        secs(m),
        minutes * 60.0 / m.as_secs_f64(),
        r.archive_lufs,
        r.archive_true_peak_dbtp,
        std::fs::metadata(&r.archive).map(|x| x.len()).unwrap_or(0) as f64 / 1e6,
        r.telephony_dbm0
    );

    let have = |c: &str| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("sox") && have("opusenc") {
        let mut t = Vec::new();
        for _ in 0..runs {
            t.push(theirs(&input, &dir)?);
        }
        let their_runs = each(&t);
        let theirs_m = median(t);
        let ratio = theirs_m.as_secs_f64() / m.as_secs_f64();
        println!(
            "bench audio sox + opusenc: median {} (runs {their_runs} s); the app's chain is {ratio:.2}× as fast (goal ≥ 1.5×: {})",
            secs(theirs_m),
            if ratio >= 1.5 { "met" } else { "NOT met" }
        );
    } else {
        println!("bench audio sox + opusenc: skipped (install sox and opus-tools)");
    }

    let (p50, p99, max) = per_block();
    println!(
        "bench audio live graph: {p50:.1} µs per 10 ms block median, p99 {p99:.1} µs, max {max:.1} µs (goal ≤ 500 µs: {})",
        if p99 <= 500.0 { "met" } else { "NOT met" }
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}
