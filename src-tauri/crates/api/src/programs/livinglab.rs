use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_programs::calendar::{Conflict, EventKind};
use maeul_programs::store::{cohorts, people, teams, workshops};
use maeul_programs::{
    Attendance, Cohort, CohortDetail, CohortSummary, Outcome, Person, Team, Workshop, validate,
};

use super::mask_for;
use crate::{ApiResult, Desk};

/// A saved workshop and the clashes it now has (a warning: it is saved all the same).
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct WorkshopSaved {
    pub id: i64,
    pub conflicts: Vec<Conflict>,
}

impl Desk {
    pub async fn cohort_list(&self, actor: &Actor) -> ApiResult<Vec<CohortSummary>> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        Ok(cohorts::list(&self.db).await?)
    }

    pub async fn cohort_get(&self, actor: &Actor, id: i64) -> ApiResult<CohortDetail> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        Ok(cohorts::detail(&mut conn, id, mask_for(actor)).await?)
    }

    pub async fn cohort_save(&self, actor: &Actor, mut cohort: Cohort) -> ApiResult<i64> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        validate::cohort(&mut cohort)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let old = match cohort.id {
            Some(id) => Some(cohorts::get(&mut tx, id).await?),
            None => None,
        };
        let at = maeul_accounts::now_utc();
        let id = cohorts::save(&mut tx, &cohort, &actor.display_name, &at).await?;
        let action = if old.is_some() {
            "programs.cohort.update"
        } else {
            "programs.cohort.create"
        };
        audit::record(
            &mut tx,
            actor,
            action,
            &format!("cohort:{id}"),
            &json!({ "old": old, "new": cohort }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Deletes a cohort with everything in it; the log keeps the whole cohort.
    pub async fn cohort_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        // Kept in the audit log, which outlives the people in it: numbers masked.
        let detail = cohorts::detail(&mut tx, id, true).await?;
        cohorts::delete(&mut tx, id).await?;
        // The participants' names go in the erasable part, with each person's own payloads
        // erased: the chain keeps that the cohort was deleted, and by whom.
        for id in detail.people.iter().filter_map(|p| p.person.id) {
            audit::erase_personal(&mut tx, &format!("person:{id}")).await?;
        }
        let subject = format!("cohort:{id}");
        audit::record_personal(
            &mut tx,
            actor,
            "programs.cohort.delete",
            &subject,
            &json!({ "people": detail.people.len() }),
            &subject,
            &json!({ "cohort": detail }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn person_save(&self, actor: &Actor, mut person: Person) -> ApiResult<i64> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        validate::person(&mut person)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        cohorts::get(&mut tx, person.cohort_id).await?;
        let old = match person.id {
            Some(id) => Some(people::get(&mut tx, id).await?),
            None => None,
        };
        let id = people::save(&mut tx, &person).await?;
        // Role, state and consent in the chain; name and masked number erasable beside it.
        let plain =
            |p: &Person| json!({ "role": p.role, "state": p.state, "sms_consent": p.sms_consent });
        let personal = |p: &Person| json!({ "name": p.name, "phone": p.phone.as_deref().map(maeul_registry::phone::masked) });
        audit::record_personal(
            &mut tx,
            actor,
            if old.is_some() {
                "programs.person.update"
            } else {
                "programs.person.create"
            },
            &format!("cohort:{}/person:{id}", person.cohort_id),
            &json!({ "old": old.as_ref().map(plain), "new": plain(&person) }),
            &format!("person:{id}"),
            &json!({ "old": old.as_ref().map(personal), "new": personal(&person) }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    pub async fn person_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let p = people::get(&mut tx, id).await?;
        people::delete(&mut tx, id).await?;
        let erased = audit::erase_personal(&mut tx, &format!("person:{id}")).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.person.delete",
            &format!("cohort:{}/person:{id}", p.cohort_id),
            &json!({ "personal_erased": erased }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn workshop_save(&self, actor: &Actor, mut w: Workshop) -> ApiResult<WorkshopSaved> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        validate::workshop(&mut w)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        cohorts::get(&mut tx, w.cohort_id).await?;
        let old = match w.id {
            Some(id) => Some(workshops::get(&mut tx, id).await?),
            None => None,
        };
        let at = maeul_accounts::now_utc();
        let id = workshops::save(&mut tx, &w, &actor.display_name, &at).await?;
        audit::record(
            &mut tx,
            actor,
            if old.is_some() {
                "programs.workshop.update"
            } else {
                "programs.workshop.create"
            },
            &format!("workshop:{id}"),
            &json!({ "old": old, "new": w }),
        )
        .await?;
        self.commit(tx).await?;
        let day = &w.starts_at[..10];
        let view = self.calendar_between(day, &w.ends_at[..10]).await?;
        let conflicts = view
            .conflicts
            .into_iter()
            .filter(|c| c.a == (EventKind::Workshop, id) || c.b == (EventKind::Workshop, id))
            .collect();
        Ok(WorkshopSaved { id, conflicts })
    }

    pub async fn workshop_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let w = workshops::get(&mut tx, id).await?;
        workshops::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.workshop.delete",
            &format!("workshop:{id}"),
            &json!({ "workshop": w }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Sets one participant's mark for a workshop (`None` clears it).
    pub async fn attendance_mark(
        &self,
        actor: &Actor,
        workshop_id: i64,
        person_id: i64,
        status: Option<Attendance>,
    ) -> ApiResult<()> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let old = workshops::mark(&mut tx, workshop_id, person_id, status).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.attendance",
            &format!("workshop:{workshop_id}/person:{person_id}"),
            &json!({ "old": old, "new": status }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn team_save(&self, actor: &Actor, mut team: Team) -> ApiResult<i64> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        team.name = team.name.trim().to_string();
        if team.name.is_empty() {
            return Err(crate::ApiError::invalid("name", "팀 이름이 비어 있습니다"));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let id = teams::save(&mut tx, &team).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.team.save",
            &format!("team:{id}"),
            &json!({ "team": team }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    pub async fn team_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        teams::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.team.delete",
            &format!("team:{id}"),
            &json!({}),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn outcome_save(&self, actor: &Actor, outcome: Outcome) -> ApiResult<i64> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let id = teams::save_outcome(&mut tx, &outcome).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.outcome.save",
            &format!("outcome:{id}"),
            &json!({ "outcome": outcome }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    pub async fn outcome_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::EditLivingLab, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        teams::delete_outcome(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.outcome.delete",
            &format!("outcome:{id}"),
            &json!({}),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
