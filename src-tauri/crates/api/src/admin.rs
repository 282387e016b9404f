//! Admin and auditor use cases: backup, demo data, the audit log.

use std::path::Path;

use serde_json::json;

use maeul_accounts::audit::{self, AuditEntry, VerifyReport};
use maeul_accounts::{Actor, Permission, Scope};
use maeul_registry::import::{ImportProgress, ImportReport};
use maeul_registry::{Enrollment, demo, store::subscribers};

use crate::{ApiResult, Desk};

impl Desk {
    /// Writes a consistent copy of the live database to `dest`: the file copied, or the
    /// office server's database dumped with `pg_dump`.
    pub async fn backup(&self, actor: &Actor, dest: &Path) -> ApiResult<()> {
        actor.require(Permission::Backup, Scope::County)?;
        crate::check_file_name("file", dest)?;
        match &self.server {
            Some(server) => maeul_db::server_dump::dump(server, dest).await?,
            None => maeul_db::backup_to(&self.db, dest).await?,
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(
            &mut tx,
            actor,
            "db.backup",
            &dest.display().to_string(),
            &json!({}),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Loads the county's demo data into an empty registry, in one transaction.
    pub async fn seed_demo(
        &self,
        actor: &Actor,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> ApiResult<ImportReport> {
        actor.require(Permission::SeedDemo, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        demo::seed_structure(&mut tx).await?;
        let rows = tokio::task::spawn_blocking(|| demo::resident_rows(2023))
            .await
            .map_err(|e| crate::ApiError::new(crate::ErrorCode::Internal, e.to_string()))?;
        let report =
            maeul_registry::import::import_rows_in(&mut tx, demo::headers(), rows, progress)
                .await?;
        let mut pending = 0;
        // Requests come from members of households already registered (a spouse, a child
        // back home), so the household count stays the seed's.
        for (k, (code, mut input)) in demo::pending_requests(2024).into_iter().enumerate() {
            let (village_id, household_id, address, head_name) =
                maeul_registry::store::households::nth_in_village(&mut tx, &code, k as i64 % 7)
                    .await?;
            input.village_id = village_id;
            input.household_id = Some(household_id);
            input.address = address;
            input.head_name = head_name;
            subscribers::insert(&mut tx, &input, Enrollment::Pending).await?;
            pending += 1;
        }
        demo::seed_groups(&mut tx).await?;
        demo::seed_languages(&mut tx).await?;
        // The seed's own pledge card, unless a card with its number is already there.
        let card = maeul_budget::demo::seed_card();
        if maeul_budget::store::find_by_number(&mut tx, &card.number)
            .await?
            .is_none()
        {
            maeul_budget::store::save(
                &mut tx,
                None,
                0,
                &card,
                &actor.username,
                &maeul_accounts::now_utc(),
            )
            .await?;
        }
        // The programmes of the card (2022–2024 cohorts, 2023 chief training), once.
        if maeul_programs::store::cohorts::count(&mut tx).await? == 0 {
            maeul_programs::demo::seed(&mut tx).await?;
        }
        audit::record(
            &mut tx,
            actor,
            "registry.demo_seed",
            "registry",
            &json!({ "households": report.households_created, "subscribers": report.subscribers_created, "pending": pending }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(report)
    }

    /// Adds `months` months of settled county traffic ending before `now` to the demo (see
    /// `maeul_dispatch::demo_history`), then reads it into the reach ledger; returns the
    /// broadcasts and deliveries written.
    pub async fn seed_history(
        &self,
        actor: &Actor,
        months: u32,
        now: jiff::Timestamp,
    ) -> ApiResult<maeul_dispatch::demo_history::History> {
        actor.require(Permission::SeedDemo, Scope::County)?;
        if !(1..=24).contains(&months) {
            return Err(crate::ApiError::invalid(
                "history",
                "데모 이력은 1개월에서 24개월까지입니다",
            ));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let history = maeul_dispatch::demo_history::seed(&mut tx, now, months).await?;
        audit::record(
            &mut tx,
            actor,
            "broadcast.demo_history",
            "dispatch",
            &json!({ "months": months, "broadcasts": history.broadcasts, "deliveries": history.deliveries }),
        )
        .await?;
        self.commit(tx).await?;
        self.reach_refresh().await?;
        Ok(history)
    }

    pub async fn audit_verify(&self, actor: &Actor) -> ApiResult<VerifyReport> {
        actor.require(Permission::ViewAudit, Scope::County)?;
        let mut report = audit::verify(&self.db).await?;
        report.anchor = Some(self.anchor_now().await?);
        Ok(report)
    }

    pub async fn audit_list(
        &self,
        actor: &Actor,
        limit: u32,
        offset: u32,
    ) -> ApiResult<Vec<AuditEntry>> {
        actor.require(Permission::ViewAudit, Scope::County)?;
        Ok(audit::list(&self.db, limit.min(1000), offset).await?)
    }
}
