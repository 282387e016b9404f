//! Practice mode: while a trainer runs a session, every send from this desk goes only to the
//! built-in sandbox, the UI shows "연습 모드" everywhere, and what is made in practice is
//! marked so that no real report counts it.

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_db::settings;

use crate::{ApiResult, Desk};

const KEY: &str = "desk.practice_mode";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PracticeState {
    pub on: bool,
    /// UTC instant it was switched on.
    pub since: Option<String>,
    /// Who switched it on.
    pub by: Option<String>,
}

impl Desk {
    /// Every signed-in role reads it: the banner is for everyone at the desk.
    pub async fn practice_state(&self) -> ApiResult<PracticeState> {
        let mut conn = self.db.acquire().await?;
        Ok(settings::get(&mut conn, KEY)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    pub async fn set_practice_mode(&self, actor: &Actor, on: bool) -> ApiResult<PracticeState> {
        actor.require(Permission::PracticeMode, Scope::County)?;
        let state = if on {
            PracticeState {
                on: true,
                since: Some(maeul_accounts::now_utc()),
                by: Some(actor.display_name.clone()),
            }
        } else {
            PracticeState::default()
        };
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let value = serde_json::to_string(&state).unwrap_or_default();
        settings::set(&mut tx, KEY, &value).await?;
        audit::record(
            &mut tx,
            actor,
            if on { "practice.on" } else { "practice.off" },
            "desk",
            &json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(state)
    }
}
