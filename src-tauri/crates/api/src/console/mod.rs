//! 방송 콘솔 — the broadcast console's use cases: going on air (a chief only to their own
//! village's loudspeakers, nothing reaching anyone in practice mode), the recordings it makes
//! and the devices and levels it uses. [`Console`] owns the live engine for the app.

mod alarm;
mod intake;
mod live;
mod recordings;
mod settings;

pub use alarm::{AlarmSettings, DraftSent};
pub use live::{Console, ConsoleEvent, ConsoleState};
pub use recordings::{Begun, OnAir, RecordingRow, RecordingSource, RecordingState};
pub use settings::ConsoleSettings;

use std::path::PathBuf;

use maeul_accounts::Actor;
use maeul_registry::VillageSummary;

use crate::{ApiError, ApiResult, Desk};

impl Desk {
    /// Where recordings are kept: beside the database file; on the office server, in this
    /// PC's application-data folder (the audio stays on the PC that recorded it); for an
    /// in-memory desk, a private temporary folder.
    pub fn recordings_dir(&self) -> PathBuf {
        let beside = |db: &std::path::Path| {
            db.parent()
                .map(|p| p.join("recordings"))
                .unwrap_or_else(|| PathBuf::from("recordings"))
        };
        match (self.db_path(), self.is_on_server()) {
            (Some(db), _) => beside(db),
            (None, true) => match maeul_db::default_db_path() {
                Ok(db) => beside(&db),
                Err(_) => std::env::temp_dir().join("maeul-recordings"),
            },
            (None, false) => {
                std::env::temp_dir().join(format!("maeul-recordings-{}", std::process::id()))
            }
        }
    }

    /// Villages named as on the command line ("사곡리", "증평읍 사곡리" or a village code),
    /// comma-separated, in order; an unknown or ambiguous name is refused by name.
    pub async fn villages_named(
        &self,
        actor: &Actor,
        names: &str,
    ) -> ApiResult<Vec<VillageSummary>> {
        let villages = self.list_villages(actor).await?;
        let mut out = Vec::new();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let found: Vec<&VillageSummary> = villages
                .iter()
                .filter(|v| {
                    v.code == name
                        || v.name == name
                        || format!("{} {}", v.town_name, v.name) == name
                })
                .collect();
            match found.as_slice() {
                [v] => out.push((*v).clone()),
                [] => {
                    return Err(ApiError::invalid(
                        "villages",
                        format!("없는 마을입니다: {name}"),
                    ));
                }
                many => {
                    let towns: Vec<String> = many
                        .iter()
                        .map(|v| format!("{} {}", v.town_name, v.name))
                        .collect();
                    return Err(ApiError::invalid(
                        "villages",
                        format!(
                            "'{name}'이(가) 여럿입니다: {} — 읍면을 붙여 주세요",
                            towns.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The zone codes of villages named as for [`Desk::villages_named`]; a village without a
    /// code is refused by name.
    pub async fn zone_codes(&self, actor: &Actor, names: &str) -> ApiResult<Vec<String>> {
        self.villages_named(actor, names)
            .await?
            .into_iter()
            .map(|v| match v.zone_code.as_deref().filter(|z| !z.is_empty()) {
                Some(z) => Ok(z.to_string()),
                None => Err(no_zone_code(&v.name)),
            })
            .collect()
    }
}

fn no_zone_code(village: &str) -> ApiError {
    ApiError::invalid(
        "villages",
        format!("{village}에 구역 코드가 없습니다 (명부 → 마을에서 정해 주세요)"),
    )
}
