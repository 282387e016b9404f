//! 방송 콘솔 — the broadcast console's use cases: going on air (a chief only to their own
//! village's loudspeakers, nothing reaching anyone in practice mode), the recordings it makes
//! and the devices and levels it uses. [`Console`] owns the live engine for the app.

mod intake;
mod live;
mod recordings;
mod settings;

pub use live::{Console, ConsoleEvent, ConsoleState};
pub use recordings::{Begun, OnAir, RecordingRow};
pub use settings::ConsoleSettings;

use std::path::PathBuf;

use maeul_accounts::{Actor, Permission, Scope};

use crate::{ApiError, ApiResult, Desk};

impl Desk {
    /// Where recordings are kept: beside the database file (for an in-memory desk, a
    /// private temporary folder).
    pub fn recordings_dir(&self) -> PathBuf {
        match self.db_path() {
            Some(db) => db
                .parent()
                .map(|p| p.join("recordings"))
                .unwrap_or_else(|| PathBuf::from("recordings")),
            None => std::env::temp_dir().join(format!("maeul-recordings-{}", std::process::id())),
        }
    }

    /// The zone codes of villages named as on the command line ("사곡리", "증평읍 사곡리" or
    /// a village code), in order; a village without a code is refused by name.
    pub async fn zone_codes(&self, actor: &Actor, names: &str) -> ApiResult<Vec<String>> {
        actor.require(Permission::ViewVillages, Scope::County)?;
        let villages = self.list_villages(actor).await?;
        let mut codes = Vec::new();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let found: Vec<_> = villages
                .iter()
                .filter(|v| {
                    v.code == name
                        || v.name == name
                        || format!("{} {}", v.town_name, v.name) == name
                })
                .collect();
            let v = match found.as_slice() {
                [v] => v,
                [] => {
                    return Err(ApiError::invalid(
                        "villages",
                        format!("없는 마을입니다: {name}"),
                    ));
                }
                _ => {
                    return Err(ApiError::invalid(
                        "villages",
                        format!("'{name}'이(가) 여럿입니다 — 읍면을 붙여 주세요"),
                    ));
                }
            };
            match v.zone_code.as_deref().filter(|z| !z.is_empty()) {
                Some(z) => codes.push(z.to_string()),
                None => return Err(no_zone_code(&v.name)),
            }
        }
        Ok(codes)
    }
}

fn no_zone_code(village: &str) -> ApiError {
    ApiError::invalid(
        "villages",
        format!("{village}에 구역 코드가 없습니다 (명부 → 마을에서 정해 주세요)"),
    )
}
