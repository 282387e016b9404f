use serde::Deserialize;
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_programs::store::trainings;
use maeul_programs::{Checklist, Training, TrainingDetail, TrainingSummary, validate};
use maeul_registry::phone;

use super::mask_for;
use crate::{ApiError, ApiResult, Desk};

/// Someone at a session who was not on the roster.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct WalkIn {
    pub name: String,
    pub village_id: Option<i64>,
    pub phone: Option<String>,
}

impl Desk {
    pub async fn training_list(&self, actor: &Actor) -> ApiResult<Vec<TrainingSummary>> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        Ok(trainings::list(&mut conn).await?)
    }

    pub async fn training_get(&self, actor: &Actor, id: i64) -> ApiResult<TrainingDetail> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        Ok(trainings::detail(&mut conn, id, mask_for(actor)).await?)
    }

    /// Creates a session (its roster: the town's chiefs now in the registry) or updates one.
    pub async fn training_save(&self, actor: &Actor, mut t: Training) -> ApiResult<i64> {
        actor.require(Permission::RunTraining, Scope::County)?;
        validate::training(&mut t)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let old = match t.id {
            Some(id) => Some(trainings::summary(&mut tx, id).await?.training),
            None => None,
        };
        let id = trainings::save(&mut tx, &t).await?;
        audit::record(
            &mut tx,
            actor,
            if old.is_some() {
                "programs.training.update"
            } else {
                "programs.training.create"
            },
            &format!("training:{id}"),
            &json!({ "old": old, "new": t }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    pub async fn training_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::RunTraining, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let d = trainings::detail(&mut tx, id, false).await?;
        trainings::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.training.delete",
            &format!("training:{id}"),
            &json!({ "training": d.summary.training, "present": d.summary.present }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Checks an attendee in (`present`) or takes the check back (undo).
    pub async fn training_check_in(
        &self,
        actor: &Actor,
        training_id: i64,
        attendee_id: i64,
        present: bool,
    ) -> ApiResult<()> {
        actor.require(Permission::RunTraining, Scope::County)?;
        let at = maeul_accounts::now_utc();
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let name = trainings::check_in(
            &mut tx,
            training_id,
            attendee_id,
            present.then_some(at.as_str()),
        )
        .await?;
        audit::record_personal(
            &mut tx,
            actor,
            if present {
                "programs.check_in"
            } else {
                "programs.check_in.undo"
            },
            &format!("training:{training_id}/attendee:{attendee_id}"),
            &json!({}),
            &format!("attendee:{attendee_id}"),
            &json!({ "name": name }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn training_walk_in(
        &self,
        actor: &Actor,
        training_id: i64,
        w: WalkIn,
    ) -> ApiResult<i64> {
        actor.require(Permission::RunTraining, Scope::County)?;
        let name = w.name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid("name", "이름이 비어 있습니다"));
        }
        let e164 = match w.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                phone::normalize(raw)
                    .map_err(|e| ApiError::invalid("phone", e.to_string()))?
                    .e164,
            ),
        };
        let at = maeul_accounts::now_utc();
        let mut tx = maeul_db::begin_write(&self.db).await?;
        trainings::summary(&mut tx, training_id).await?;
        let id = trainings::walk_in(
            &mut tx,
            training_id,
            name,
            w.village_id,
            e164.as_deref(),
            &at,
        )
        .await?;
        audit::record_personal(
            &mut tx,
            actor,
            "programs.walk_in",
            &format!("training:{training_id}/attendee:{id}"),
            &json!({ "village_id": w.village_id }),
            &format!("attendee:{id}"),
            &json!({ "name": name }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The chief's checklist (app installed, phone registered, practice done), per village.
    pub async fn chief_checklist_set(
        &self,
        actor: &Actor,
        village_id: i64,
        c: Checklist,
    ) -> ApiResult<()> {
        actor.require(Permission::RunTraining, Scope::County)?;
        let at = maeul_accounts::now_utc();
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let old = trainings::checklist(&mut tx, village_id).await?;
        trainings::set_checklist(&mut tx, village_id, c, &at, &actor.username).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.checklist",
            &format!("village:{village_id}"),
            &json!({ "old": old, "new": c }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
