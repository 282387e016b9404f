//! The escalation ladders (설정, per broadcast category) and the steps of one broadcast:
//! read with its progress, stopped by whoever may cancel it.

use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_dispatch::escalation::{self, Ladders};

use super::broadcasts::require_stop;
use crate::{ApiResult, Desk};

impl Desk {
    /// Every category's ladder (whoever manages dispatch).
    pub async fn escalation_settings(&self, actor: &Actor) -> ApiResult<Ladders> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        Ok(
            match maeul_db::settings::get(&mut conn, escalation::SETTING).await? {
                Some(json) => Ladders::parse(&json)?,
                None => Ladders::default(),
            },
        )
    }

    /// Replaces the ladders (checked, audited as a setting); what was stored. Broadcasts
    /// already sent keep the steps planned with them.
    pub async fn escalation_set(&self, actor: &Actor, ladders: Ladders) -> ApiResult<Ladders> {
        let checked = ladders.checked()?;
        let value = serde_json::to_string(&checked).unwrap_or_else(|_| "{}".into());
        self.setting_set(actor, escalation::SETTING, &value).await?;
        Ok(checked)
    }

    /// Stops the broadcast's steps not yet taken; how many.
    pub async fn broadcast_escalation_stop(&self, actor: &Actor, id: i64) -> ApiResult<u32> {
        require_stop(self, actor, id).await?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let stopped = escalation::stop(&mut tx, id, &actor.username).await?;
        audit::record(
            &mut tx,
            actor,
            "broadcast.escalation_stop",
            &format!("broadcast:{id}"),
            &json!({ "stopped": stopped }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(stopped)
    }
}
