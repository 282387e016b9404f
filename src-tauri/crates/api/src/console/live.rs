//! The console as the app runs it: one engine per desk, started when the 방송 screen first
//! opens and stopped on exit (a recording on air is finished first). Meters and device
//! changes go straight to whoever watches; a finished recording is written to the database
//! by the console's task, then announced.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::mpsc;

use maeul_accounts::{Actor, Permission, Scope};
use maeul_mixer::device::DeviceList;
use maeul_mixer::engine::{Command, Engine, EngineEvent, EngineStatus, MeterFrame};
use maeul_mixer::finish::Rendition;
use maeul_mixer::graph::ChainSettings;
use maeul_mixer::recorder::RecordingPaths;

use super::{ConsoleSettings, OnAir, RecordingRow, RecordingState};
use crate::{ApiError, ApiResult, Desk, ErrorCode};

/// What the 방송 screen is told, as it happens.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConsoleEvent {
    Meter {
        frame: MeterFrame,
    },
    Status {
        status: EngineStatus,
    },
    Devices {
        devices: DeviceList,
    },
    /// A recording has been finished and stored (or stored as failed).
    Finished {
        recording: RecordingRow,
    },
    /// Recordings a crash had interrupted were finished at start.
    Recovered {
        recovered: u32,
        failed: u32,
    },
}

/// What the screen needs when it opens.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConsoleState {
    pub settings: ConsoleSettings,
    /// The engine's state; `None` for a role that only listens back (the microphone is not
    /// opened for them).
    pub status: Option<EngineStatus>,
    pub devices: DeviceList,
    /// The recording on air, if any.
    pub on_air: Option<i64>,
}

type Watcher = Arc<dyn Fn(ConsoleEvent) + Send + Sync>;

struct Finished {
    paths: RecordingPaths,
    result: Result<Rendition, String>,
    cut_short: Option<String>,
}

struct OnAirNow {
    id: i64,
    actor: Actor,
    paths: RecordingPaths,
}

#[derive(Default)]
struct Shared {
    watcher: Mutex<Option<Watcher>>,
    devices: Mutex<DeviceList>,
    on_air: Mutex<Option<OnAirNow>>,
    /// Set while a go-on-air is between its check and its start (writing the recording's
    /// row can wait for the database): a second one — a person and the alarm loop at the
    /// same moment — is refused rather than both passing the check.
    starting: std::sync::atomic::AtomicBool,
}

/// Clears [`Shared::starting`] however a go-on-air ends.
struct Starting<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Starting<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Shared {
    fn tell(&self, e: ConsoleEvent) {
        let w = self.watcher.lock().ok().and_then(|w| w.clone());
        if let Some(w) = w {
            w(e);
        }
    }
}

/// Owned by the shell. [`Console::shutdown`] on exit.
pub struct Console {
    pub(super) desk: Desk,
    engine: Mutex<Option<Engine>>,
    shared: Arc<Shared>,
    finished_tx: Mutex<Option<mpsc::UnboundedSender<Finished>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Console {
    /// The handle and its task (finishing interrupted recordings first, then storing each
    /// recording the engine finishes), for the caller's runtime to spawn.
    pub fn new(desk: Desk) -> (Console, impl Future<Output = ()> + Send + 'static) {
        let shared = Arc::new(Shared::default());
        let (tx, mut rx) = mpsc::unbounded_channel::<Finished>();
        let console = Console {
            desk: desk.clone(),
            engine: Mutex::new(None),
            shared: shared.clone(),
            finished_tx: Mutex::new(Some(tx)),
        };
        let task = async move {
            match desk.recordings_recover().await {
                Ok((0, 0)) => {}
                Ok((recovered, failed)) => {
                    shared.tell(ConsoleEvent::Recovered { recovered, failed });
                }
                Err(e) => log::error!("console: recovering recordings failed: {}", e.message),
            }
            while let Some(f) = rx.recv().await {
                let now = lock(&shared.on_air).take_if(|o| o.paths == f.paths);
                let Some(now) = now else {
                    log::warn!(
                        "console: a recording finished that was not on air: {}",
                        f.paths.archive.display()
                    );
                    continue;
                };
                // The audio is on disk; its row waits out an office server that is away
                // (about five minutes here, then the next start's recovery finishes it).
                let mut wait = std::time::Duration::from_millis(500);
                let mut tries = 0;
                let stored = loop {
                    match desk
                        .recording_finished(
                            &now.actor,
                            now.id,
                            &f.result,
                            f.cut_short.as_deref(),
                            RecordingState::Ready,
                        )
                        .await
                    {
                        Ok(()) => break true,
                        Err(e) if e.code == crate::ErrorCode::Database && tries < 40 => {
                            log::warn!(
                                "console: storing recording {} failed, trying again: {}",
                                now.id,
                                e.message
                            );
                            tries += 1;
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(std::time::Duration::from_secs(10));
                        }
                        Err(e) => {
                            log::error!(
                                "console: storing recording {} failed: {}",
                                now.id,
                                e.message
                            );
                            break false;
                        }
                    }
                };
                if !stored {
                    continue;
                }
                if let Ok(recording) = desk.recording_row(now.id).await {
                    shared.tell(ConsoleEvent::Finished { recording });
                }
            }
        };
        (console, task)
    }

    /// Who watches (the 방송 screen); replaces the previous watcher.
    pub fn watch(&self, f: impl Fn(ConsoleEvent) + Send + Sync + 'static) {
        *lock(&self.shared.watcher) = Some(Arc::new(f));
    }

    pub fn unwatch(&self) {
        lock(&self.shared.watcher).take();
    }

    fn send(&self, c: Command) -> ApiResult<()> {
        let engine = lock(&self.engine);
        let e = engine
            .as_ref()
            .ok_or_else(|| ApiError::new(ErrorCode::Device, "방송 콘솔이 열려 있지 않습니다"))?;
        Ok(e.send(c)?)
    }

    /// Starts the engine on the stored devices if it is not running (for those who may go on
    /// air); what the screen shows.
    pub async fn open(&self, actor: &Actor) -> ApiResult<ConsoleState> {
        let scope = actor.village_id.map_or(Scope::County, Scope::Village);
        actor.require(Permission::ViewRecordings, scope)?;
        let settings = self.desk.console_settings_stored().await?;
        let mut engine = lock(&self.engine);
        if engine.is_none() && actor.require(Permission::GoOnAir, scope).is_ok() {
            let Some(tx) = lock(&self.finished_tx).clone() else {
                return Err(ApiError::new(
                    ErrorCode::Internal,
                    "방송 콘솔이 닫히는 중입니다",
                ));
            };
            let shared = self.shared.clone();
            *engine = Some(Engine::start(
                settings.devices.clone(),
                settings.chain,
                move |e| match e {
                    EngineEvent::Meter(frame) => shared.tell(ConsoleEvent::Meter { frame }),
                    EngineEvent::Status(status) => shared.tell(ConsoleEvent::Status { status }),
                    EngineEvent::DevicesChanged(devices) => {
                        *lock(&shared.devices) = devices.clone();
                        shared.tell(ConsoleEvent::Devices { devices });
                    }
                    EngineEvent::Finished {
                        paths,
                        result,
                        cut_short,
                    } => {
                        let _ = tx.send(Finished {
                            paths,
                            result,
                            cut_short,
                        });
                    }
                },
            ));
        }
        let status = engine.as_ref().map(Engine::status);
        drop(engine);
        Ok(ConsoleState {
            settings,
            status,
            devices: lock(&self.shared.devices).clone(),
            on_air: lock(&self.shared.on_air).as_ref().map(|o| o.id),
        })
    }

    /// Goes on air: the row is written first, then the engine starts the running order.
    pub async fn go_on_air(&self, actor: &Actor, req: &OnAir) -> ApiResult<i64> {
        actor.require(
            Permission::GoOnAir,
            actor.village_id.map_or(Scope::County, Scope::Village),
        )?;
        if lock(&self.engine).is_none() {
            return Err(ApiError::new(
                ErrorCode::Device,
                "방송 콘솔이 열려 있지 않습니다",
            ));
        }
        if lock(&self.shared.on_air).is_some()
            || self
                .shared
                .starting
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(ApiError::invalid("on_air", "이미 방송 중입니다"));
        }
        let _starting = Starting(&self.shared.starting);
        let begun = self.desk.recording_begin(actor, req).await?;
        *lock(&self.shared.on_air) = Some(OnAirNow {
            id: begun.id,
            actor: actor.clone(),
            paths: begun.paths.clone(),
        });
        let sent = self.send(Command::Start {
            program: begun.program,
            paths: begun.paths,
            tags: begun.tags,
        });
        if let Err(e) = sent {
            lock(&self.shared.on_air).take();
            let _ = self
                .desk
                .recording_finished(
                    actor,
                    begun.id,
                    &Err(e.message.clone()),
                    None,
                    RecordingState::Ready,
                )
                .await;
            return Err(e);
        }
        Ok(begun.id)
    }

    /// Ends the broadcast: with the closing chime, or `now` without it.
    pub fn stop(&self, actor: &Actor, now: bool) -> ApiResult<()> {
        actor.require(
            Permission::GoOnAir,
            actor.village_id.map_or(Scope::County, Scope::Village),
        )?;
        self.send(if now { Command::Abort } else { Command::Stop })
    }

    /// Listening to the microphone on the monitor without going on air.
    pub fn preview(&self, actor: &Actor, on: bool) -> ApiResult<()> {
        actor.require(
            Permission::GoOnAir,
            actor.village_id.map_or(Scope::County, Scope::Village),
        )?;
        self.send(Command::Preview(on))
    }

    /// Moves the levels at once (the fader); [`Desk::console_settings_set`] stores them.
    pub fn set_chain(&self, actor: &Actor, chain: ChainSettings) -> ApiResult<()> {
        actor.require(
            Permission::GoOnAir,
            actor.village_id.map_or(Scope::County, Scope::Village),
        )?;
        if let Some((field, reason)) = chain.gate.problem() {
            return Err(ApiError::invalid(field, reason));
        }
        self.send(Command::Chain(chain))
    }

    /// Stores the settings and applies devices and levels to the running engine.
    pub async fn apply_settings(&self, actor: &Actor, s: &ConsoleSettings) -> ApiResult<()> {
        self.desk.console_settings_set(actor, s).await?;
        if lock(&self.engine).is_some() {
            self.send(Command::Devices(s.devices.clone()))?;
            self.send(Command::Chain(s.chain))?;
        }
        Ok(())
    }

    /// Plays a recording on the monitor (or stops playing, with `None`).
    pub async fn listen(&self, actor: &Actor, id: Option<i64>) -> ApiResult<()> {
        let clip = match id {
            None => None,
            Some(id) => {
                let row = self.desk.recording_get(actor, id).await?;
                let path = PathBuf::from(&row.archive_path);
                let clip =
                    tokio::task::spawn_blocking(move || maeul_mixer::clip::Clip::open(&path))
                        .await
                        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
                Some(clip.samples)
            }
        };
        if lock(&self.engine).is_none() {
            self.open(actor).await?;
        }
        if lock(&self.engine).is_none() {
            // Those who only listen back have no engine of their own to play through.
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "이 역할은 콘솔로 들을 수 없습니다",
            ));
        }
        self.send(Command::Play(clip))
    }

    /// The recording on air (or `Some(0)` while one is starting), if any.
    pub fn on_air(&self) -> Option<i64> {
        if self
            .shared
            .starting
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return Some(0);
        }
        lock(&self.shared.on_air).as_ref().map(|o| o.id)
    }

    pub fn status(&self) -> Option<EngineStatus> {
        lock(&self.engine).as_ref().map(Engine::status)
    }

    /// Stops the engine (a recording on air is ended and finished first) and lets the task
    /// store what is left, then end.
    pub fn shutdown(&self) {
        let engine = lock(&self.engine).take();
        drop(engine);
        lock(&self.finished_tx).take();
    }
}
