//! `maeul mixer …`: the broadcast console's offline path. `render` runs a file through the
//! same graph as the live console (faster than real time, no sound card) and writes the
//! finished archive and telephone rendition; `devices` lists what cpal finds; `make-chimes`
//! writes the built-in chimes (how `assets/chimes/` was made).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use maeul_api::{Actor, ApiError, Desk};
use maeul_mixer::graph::ChainSettings;
use maeul_mixer::recorder::RecordingPaths;
use maeul_mixer::render::{RenderOptions, render_file};

/// `maeul recording …`: the console's recordings in the database.
#[derive(Subcommand)]
pub enum RecordingCommand {
    /// Recent recordings with what they measure.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Take an audio file (WAV, MP3, OGG) in as a recording; prints its id.
    Import {
        file: PathBuf,
        #[arg(long)]
        title: String,
    },
    /// Finish recordings a crash left unfinished (the app does this when it starts).
    Recover,
}

pub async fn recording(
    desk: &Desk,
    actor: &Actor,
    command: RecordingCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        RecordingCommand::List { json } => {
            let rows = desk.recording_list(actor).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                for r in rows {
                    println!(
                        "{}\t{}\t{}\t{:.1} s\t{:.1} LUFS\t{:.1} dBm0\t{}",
                        r.id,
                        r.state.as_str(),
                        r.title,
                        r.duration_ms.unwrap_or(0) as f64 / 1000.0,
                        r.archive_lufs.unwrap_or(f64::NAN),
                        r.telephony_dbm0.unwrap_or(f64::NAN),
                        r.note.unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RecordingCommand::Import { file, title } => {
            let r = desk.recording_import(actor, &file, &title).await?;
            eprintln!(
                "{:.1} 초, {:.1} LUFS, 전화용 {:.1} dBm0 → {}",
                r.duration_ms.unwrap_or(0) as f64 / 1000.0,
                r.archive_lufs.unwrap_or(f64::NAN),
                r.telephony_dbm0.unwrap_or(f64::NAN),
                r.telephony_path
            );
            println!("{}", r.id);
            Ok(ExitCode::SUCCESS)
        }
        RecordingCommand::Recover => {
            let (ok, failed) = desk.recordings_recover().await?;
            println!("복구 {ok}, 실패 {failed}");
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

#[derive(Subcommand)]
pub enum MixerCommand {
    /// Run FILE (WAV, MP3, OGG) through the console as if spoken into the microphone.
    Render {
        #[arg(long = "in")]
        input: PathBuf,
        /// Chimes before and after.
        #[arg(long)]
        chime: bool,
        /// A DTMF zone code for the transmitter (repeat for several villages).
        #[arg(long = "zone")]
        zones: Vec<String>,
        /// Villages by name whose zone codes to play (from the registry), comma-separated.
        #[arg(long)]
        villages: Option<String>,
        /// The finished archive (Ogg Opus, -23 LUFS).
        #[arg(long)]
        archive: PathBuf,
        /// The telephone rendition (8 kHz μ-law WAV, -19 dBm0).
        #[arg(long)]
        telephony: PathBuf,
        /// Also what the transmitter gets, zone tones included (48 kHz WAV).
        #[arg(long)]
        line_out: Option<PathBuf>,
        /// Input gain, dB.
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        gain: f32,
        #[arg(long)]
        no_gate: bool,
        #[arg(long)]
        json: bool,
    },
    /// Record live through the console engine for SECONDS (no database): the microphone
    /// (`--input`, default the system's; `test:speech` for the built-in test signal) to the
    /// archive as it happens, then finished.
    Record {
        #[arg(long, default_value = "default")]
        input: String,
        #[arg(long, default_value = "none")]
        line_out: String,
        #[arg(long)]
        seconds: f64,
        #[arg(long)]
        chime: bool,
        #[arg(long)]
        archive: PathBuf,
        #[arg(long)]
        telephony: PathBuf,
    },
    /// The audio devices this PC offers.
    Devices,
    /// Write SECONDS of the built-in speech-like test signal as a 48 kHz WAV.
    TestSignal {
        #[arg(long)]
        seconds: f32,
        /// Active speech level, dBFS RMS.
        #[arg(long, default_value_t = -20.0, allow_negative_numbers = true)]
        level: f32,
        out: PathBuf,
    },
    /// Write the built-in chimes as WAV files into DIR.
    MakeChimes { dir: PathBuf },
}

fn mixer_err(e: maeul_mixer::MixerError) -> ApiError {
    ApiError::from(e)
}

pub async fn run(
    desk: Option<&Desk>,
    actor: &Actor,
    command: MixerCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        MixerCommand::Render {
            input,
            chime,
            mut zones,
            villages,
            archive,
            telephony,
            line_out,
            gain,
            no_gate,
            json,
        } => {
            if let Some(names) = villages {
                let desk =
                    desk.ok_or_else(|| ApiError::invalid("villages", "데이터베이스가 필요합니다"))?;
                zones.extend(desk.zone_codes(actor, &names).await?);
            }
            let mut chain = ChainSettings {
                gain_db: gain,
                ..ChainSettings::default()
            };
            chain.gate.enabled = !no_gate;
            let opts = RenderOptions {
                chain,
                chime,
                zones,
                line_out,
                chimes: None,
            };
            let dir = archive.parent().map(PathBuf::from).unwrap_or_default();
            let spool = dir.join(format!(".{}.spool", std::process::id()));
            let paths = RecordingPaths {
                archive: archive.clone(),
                telephony: telephony.clone(),
                spool,
            };
            let started = std::time::Instant::now();
            let r = tokio::task::spawn_blocking(move || render_file(&input, &opts, paths))
                .await
                .map_err(|e| ApiError::new(maeul_api::ErrorCode::Internal, e.to_string()))?
                .map_err(mixer_err)?;
            let secs = started.elapsed().as_secs_f64();
            let x = &r.rendition;
            if json {
                let v = serde_json::json!({
                    "archive": x.archive, "telephony": x.telephony, "duration_ms": x.duration_ms,
                    "input_lufs": x.input_lufs, "gain_db": x.gain_db, "archive_lufs": x.archive_lufs,
                    "archive_true_peak_dbtp": x.archive_true_peak_dbtp, "telephony_dbm0": x.telephony_dbm0,
                    "zone_sequence": r.zone_sequence, "blocks": r.blocks, "seconds": secs,
                });
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                println!(
                    "{:.1} 초 → {} ({:.1} LUFS, 최대 {:.1} dBTP, 이득 {:+.1} dB), {} ({:.1} dBm0){}; {:.2} 초 걸림",
                    x.duration_ms as f64 / 1000.0,
                    x.archive.display(),
                    x.archive_lufs,
                    x.archive_true_peak_dbtp,
                    x.gain_db,
                    x.telephony.display(),
                    x.telephony_dbm0,
                    if r.zone_sequence.is_empty() {
                        String::new()
                    } else {
                        format!(", 구역 신호 {}", r.zone_sequence)
                    },
                    secs
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        MixerCommand::Record {
            input,
            line_out,
            seconds,
            chime,
            archive,
            telephony,
        } => {
            let spool = archive.with_extension("spool");
            let paths = RecordingPaths {
                archive,
                telephony,
                spool,
            };
            let r = tokio::task::spawn_blocking(move || {
                record(&input, &line_out, seconds, chime, paths)
            })
            .await
            .map_err(|e| ApiError::new(maeul_api::ErrorCode::Internal, e.to_string()))??;
            println!(
                "{:.1} 초 녹음 → {} ({:.1} LUFS), {} ({:.1} dBm0)",
                r.duration_ms as f64 / 1000.0,
                r.archive.display(),
                r.archive_lufs,
                r.telephony.display(),
                r.telephony_dbm0
            );
            Ok(ExitCode::SUCCESS)
        }
        MixerCommand::TestSignal {
            seconds,
            level,
            out,
        } => {
            let x =
                maeul_mixer::speech::speech_like(1, seconds, maeul_mixer::dsp::db_to_lin(level));
            maeul_mixer::clip::write_wav16(&out, &x, maeul_mixer::dsp::RATE).map_err(mixer_err)?;
            println!("{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        MixerCommand::Devices => {
            let list = tokio::task::spawn_blocking(maeul_mixer::device::list)
                .await
                .map_err(|e| ApiError::new(maeul_api::ErrorCode::Internal, e.to_string()))?;
            let host = maeul_mixer::device::host_name();
            println!("오디오\t{host}");
            for (kind, devs) in [("입력", &list.inputs), ("출력", &list.outputs)] {
                if devs.is_empty() {
                    // A PC with no microphone or line-out (or a driver that shows none) says so
                    // rather than printing nothing.
                    println!("{kind}\t-\t{host}에 {kind} 장치가 없습니다");
                }
                for d in devs {
                    println!(
                        "{kind}\t{}\t{}{}",
                        d.id,
                        d.name,
                        if d.is_default { "\t(기본)" } else { "" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MixerCommand::MakeChimes { dir } => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| ApiError::new(maeul_api::ErrorCode::Io, e.to_string()))?;
            use maeul_mixer::chime::{AFTER_NOTES, BEFORE_NOTES, synthesise};
            for (name, notes) in [
                ("chime-before.wav", &BEFORE_NOTES),
                ("chime-after.wav", &AFTER_NOTES),
            ] {
                let path = dir.join(name);
                maeul_mixer::clip::write_wav16(&path, &synthesise(notes), maeul_mixer::dsp::RATE)
                    .map_err(mixer_err)?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The live path without the app: the engine records `seconds` and finishes.
fn record(
    input: &str,
    line_out: &str,
    seconds: f64,
    chime: bool,
    paths: RecordingPaths,
) -> Result<maeul_mixer::finish::Rendition, ApiError> {
    use maeul_mixer::engine::{Command, DeviceChoice, Engine, EngineEvent};
    use maeul_mixer::graph::Body;
    let devices = DeviceChoice {
        input: input.into(),
        line_out: line_out.into(),
        monitor: "none".into(),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let engine = Engine::start(devices, ChainSettings::default(), move |e| {
        if let EngineEvent::Finished {
            result, cut_short, ..
        } = e
        {
            let _ = tx.send((result, cut_short));
        }
    });
    let status = engine.status();
    if !status.input.ok {
        return Err(ApiError::new(
            maeul_api::ErrorCode::Device,
            status.input.error.unwrap_or_default(),
        ));
    }
    let (program, _) =
        maeul_mixer::render::program(Body::Mic, chime, &[], None).map_err(mixer_err)?;
    engine
        .send(Command::Start {
            program,
            paths,
            tags: vec![],
        })
        .map_err(mixer_err)?;
    std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
    engine.send(Command::Stop).map_err(mixer_err)?;
    let (result, cut_short) = rx
        .recv()
        .map_err(|_| ApiError::new(maeul_api::ErrorCode::Internal, "녹음이 끝나지 않았습니다"))?;
    if let Some(why) = cut_short {
        eprintln!("녹음이 일찍 끝났습니다: {why}");
    }
    drop(engine);
    result.map_err(|m| ApiError::new(maeul_api::ErrorCode::Io, m))
}
