//! Practice mode: while a trainer runs a session, every send from that session goes only to
//! the built-in sandbox, the UI shows "연습 모드" everywhere, and what is made in practice is
//! marked so that no real report counts it. It belongs to the signed-in session, not to the
//! desk: an operator at another desk (or the same desk after the trainer signs out) sends for
//! real, and an emergency is never held by someone's practice.

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PracticeState {
    pub on: bool,
    /// UTC instant it was switched on.
    pub since: Option<String>,
    /// Who switched it on.
    pub by: Option<String>,
}

impl PracticeState {
    /// What the banner shows for this session.
    pub fn of(actor: &Actor) -> PracticeState {
        PracticeState {
            on: actor.in_practice(),
            since: actor.practice.clone(),
            by: actor.in_practice().then(|| actor.display_name.clone()),
        }
    }
}

/// Refuses what a practice session must not do for real (an emergency, approving or resending
/// a real broadcast), saying how to do it instead.
pub(crate) fn refuse_in_practice(actor: &Actor, what: &str) -> ApiResult<()> {
    if actor.in_practice() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("연습 모드에서는 {what} 수 없습니다. 연습 모드를 끄고 다시 하세요"),
        ));
    }
    Ok(())
}

impl Desk {
    /// Switches practice mode for this session; the caller keeps the returned actor as the
    /// session from now on.
    pub async fn set_practice_mode(&self, actor: &Actor, on: bool) -> ApiResult<Actor> {
        actor.require(Permission::PracticeMode, Scope::County)?;
        let mut session = actor.clone();
        session.practice = on.then(maeul_accounts::now_utc);
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(
            &mut tx,
            actor,
            if on { "practice.on" } else { "practice.off" },
            "session",
            &json!({}),
        )
        .await?;
        self.commit(tx).await?;
        Ok(session)
    }
}
