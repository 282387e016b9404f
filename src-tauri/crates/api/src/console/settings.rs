//! The console's devices, microphone chain and chime: one setting each, read when the
//! console opens and stored when staff change them.

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_db::settings;
use maeul_mixer::engine::DeviceChoice;
use maeul_mixer::graph::ChainSettings;

use crate::{ApiError, ApiResult, Desk};

const DEVICES: &str = "console.devices";
const CHAIN: &str = "console.chain";
const CHIME: &str = "console.chime";
const CHIME_BEFORE: &str = "console.chime_before";
const CHIME_AFTER: &str = "console.chime_after";
/// A chime is a signal, not a programme.
const CHIME_MAX_SECS: f32 = 30.0;
/// The DTMF code that opens every village at once (an all-call), without the * and #.
pub(crate) const ZONE_ALL: &str = "console.zone_all";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ConsoleSettings {
    pub devices: DeviceChoice,
    pub chain: ChainSettings,
    /// Chimes before and after every broadcast.
    pub chime: bool,
    /// The county's own opening and closing chimes (WAV, MP3, OGG files); `None` for the
    /// built-in ones.
    pub chime_before: Option<String>,
    pub chime_after: Option<String>,
    /// The all-call zone code.
    pub zone_all: String,
}

impl Default for ConsoleSettings {
    fn default() -> ConsoleSettings {
        ConsoleSettings {
            devices: DeviceChoice::default(),
            chain: ChainSettings::default(),
            chime: true,
            chime_before: None,
            chime_after: None,
            zone_all: "000".into(),
        }
    }
}

impl ConsoleSettings {
    fn check(&self) -> ApiResult<()> {
        let c = &self.chain;
        if !(maeul_mixer::dsp::gain::GAIN_MIN_DB..=maeul_mixer::dsp::gain::GAIN_MAX_DB)
            .contains(&c.gain_db)
        {
            return Err(ApiError::invalid(
                "gain_db",
                "입력 이득은 -24 ~ +24 dB입니다",
            ));
        }
        if let Some((field, reason)) = c.gate.problem() {
            return Err(ApiError::invalid(field, reason));
        }
        if self.zone_all.trim().is_empty() {
            return Err(ApiError::invalid(
                "zone_all",
                "전체 호출 코드를 적어 주세요",
            ));
        }
        maeul_mixer::dtmf::check_code(self.zone_all.trim()).map_err(|c| {
            ApiError::invalid(
                "zone_all",
                format!("쓸 수 없는 문자 '{c}' (0-9, *, #, A-D)"),
            )
        })?;
        for (field, path) in [
            ("chime_before", &self.chime_before),
            ("chime_after", &self.chime_after),
        ] {
            if let Some(p) = path {
                let clip = maeul_mixer::clip::Clip::open(std::path::Path::new(p))
                    .map_err(|e| ApiError::invalid(field, e.to_string()))?;
                if clip.secs() > CHIME_MAX_SECS {
                    return Err(ApiError::invalid(
                        field,
                        format!(
                            "차임은 {CHIME_MAX_SECS:.0}초까지입니다 ({:.0}초)",
                            clip.secs()
                        ),
                    ));
                }
            }
        }
        for (field, id) in [
            ("input", &self.devices.input),
            ("line_out", &self.devices.line_out),
            ("monitor", &self.devices.monitor),
        ] {
            if id.trim().is_empty() {
                return Err(ApiError::invalid(field, "장치를 고르세요 (없으면 '없음')"));
            }
        }
        Ok(())
    }
}

impl Desk {
    /// The stored console settings over the defaults (a value that no longer parses falls
    /// back to its default rather than locking staff out of the console).
    pub async fn console_settings(&self, actor: &Actor) -> ApiResult<ConsoleSettings> {
        actor.require(
            Permission::ViewRecordings,
            actor.village_id.map_or(Scope::County, Scope::Village),
        )?;
        self.console_settings_stored().await
    }

    pub(crate) async fn console_settings_stored(&self) -> ApiResult<ConsoleSettings> {
        let mut conn = self.db.acquire().await?;
        let mut s = ConsoleSettings::default();
        if let Some(v) = settings::get(&mut conn, DEVICES).await? {
            s.devices = serde_json::from_str(&v).unwrap_or(s.devices);
        }
        if let Some(v) = settings::get(&mut conn, CHAIN).await? {
            s.chain = serde_json::from_str(&v).unwrap_or(s.chain);
        }
        if let Some(v) = settings::get(&mut conn, CHIME).await? {
            s.chime = v != "off";
        }
        if let Some(v) = settings::get(&mut conn, ZONE_ALL).await? {
            s.zone_all = v;
        }
        s.chime_before = settings::get(&mut conn, CHIME_BEFORE)
            .await?
            .filter(|v| !v.is_empty());
        s.chime_after = settings::get(&mut conn, CHIME_AFTER)
            .await?
            .filter(|v| !v.is_empty());
        Ok(s)
    }

    pub async fn console_settings_set(&self, actor: &Actor, s: &ConsoleSettings) -> ApiResult<()> {
        // Devices, line-out, levels, chime files and the all-call are the desk's, used by
        // every county broadcast (a chime can be any file, played first): only who sends
        // county-wide sets them — not a chief (one village) nor a trainer (practice only).
        actor.require(Permission::GoOnAir, Scope::County)?;
        actor.require(Permission::SendBroadcast, Scope::County)?;
        s.check()?;
        let before = self.console_settings_stored().await?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        settings::set(
            &mut tx,
            DEVICES,
            &serde_json::to_string(&s.devices).unwrap_or_default(),
        )
        .await?;
        settings::set(
            &mut tx,
            CHAIN,
            &serde_json::to_string(&s.chain).unwrap_or_default(),
        )
        .await?;
        settings::set(&mut tx, CHIME, if s.chime { "on" } else { "off" }).await?;
        settings::set(&mut tx, ZONE_ALL, s.zone_all.trim()).await?;
        settings::set(
            &mut tx,
            CHIME_BEFORE,
            s.chime_before.as_deref().unwrap_or(""),
        )
        .await?;
        settings::set(&mut tx, CHIME_AFTER, s.chime_after.as_deref().unwrap_or("")).await?;
        audit::record(
            &mut tx,
            actor,
            "console.settings",
            "console",
            &json!({ "before": before, "after": s }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}

impl ConsoleSettings {
    /// The chimes to play: the county's files where set (one that can no longer be read falls
    /// back to the built-in one rather than keeping anyone off the air), else the built-in ones.
    pub(crate) fn chimes(&self) -> maeul_mixer::chime::Chimes {
        let builtin = maeul_mixer::chime::builtin();
        let open = |p: &Option<String>| {
            p.as_deref()
                .and_then(|p| maeul_mixer::clip::Clip::open(std::path::Path::new(p)).ok())
                .map(|c| c.samples)
        };
        maeul_mixer::chime::Chimes {
            before: open(&self.chime_before).unwrap_or(builtin.before),
            after: open(&self.chime_after).unwrap_or(builtin.after),
        }
    }
}
