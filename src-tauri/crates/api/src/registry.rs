//! Registry use cases: each checks the actor's permission and scope, then calls the
//! `registry` crate, auditing every change in the same transaction.

use std::path::Path;

use serde_json::json;

use maeul_accounts::{Actor, Permission, Role, Scope, audit};
use maeul_dispatch::fanout::Channel;
use maeul_registry::export::{self, ExportFormat};
use maeul_registry::import::{self, ImportOptions, ImportPreview, ImportProgress, ImportReport};
use maeul_registry::store::{stats, subscribers, towns, villages};
use maeul_registry::{
    Enrollment, RegistryStats, SubscriberFilter, SubscriberInput, SubscriberRow, SubscriberStatus,
    Town, VillageSummary, VillageUpdate, phone,
};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

fn scope(village: Option<i64>) -> Scope {
    village.map_or(Scope::County, Scope::Village)
}

/// Roles that see phone numbers unmasked; others get 010-****-5678.
fn mask_for(actor: &Actor) -> bool {
    !Permission::ViewFullPhone.granted_to(actor.role)
}

/// What the audit log keeps of a subscriber form: no full phone number.
/// What the audit log keeps of a subscriber's form: the plain part in the chain, and the
/// personal part (name, address, masked number) erasable beside it.
fn audit_view(input: &SubscriberInput) -> (serde_json::Value, serde_json::Value) {
    let masked = phone::normalize(&input.phone)
        .map(|p| phone::masked(&p.e164))
        .unwrap_or_default();
    (
        json!({
            "village_id": input.village_id, "consent_date": input.consent_date,
            "channels": input.channels, "status": input.status,
        }),
        json!({ "name": input.name, "phone": masked, "address": input.address }),
    )
}

impl Desk {
    pub async fn registry_stats(&self, actor: &Actor) -> ApiResult<RegistryStats> {
        let village = actor.village_filter(None)?;
        actor.require(Permission::ViewVillages, scope(village))?;
        Ok(stats::stats(&self.db, village).await?)
    }

    pub async fn list_towns(&self, actor: &Actor) -> ApiResult<Vec<Town>> {
        actor.require(Permission::ViewVillages, scope(actor.village_filter(None)?))?;
        Ok(towns::list(&self.db).await?)
    }

    /// All villages; a chief sees only their own.
    pub async fn list_villages(&self, actor: &Actor) -> ApiResult<Vec<VillageSummary>> {
        let only = actor.village_filter(None)?;
        actor.require(Permission::ViewVillages, scope(only))?;
        Ok(villages::list(&self.db, only, mask_for(actor)).await?)
    }

    pub async fn update_village(
        &self,
        actor: &Actor,
        village_id: i64,
        change: VillageUpdate,
    ) -> ApiResult<VillageSummary> {
        actor.require(Permission::EditVillages, Scope::Village(village_id))?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let diff = villages::update(&mut tx, village_id, &change, &actor.display_name).await?;
        audit::record(
            &mut tx,
            actor,
            "village.update",
            &format!("village/{village_id}"),
            &diff,
        )
        .await?;
        self.commit(tx).await?;
        Ok(villages::get(&self.db, village_id, mask_for(actor)).await?)
    }

    pub async fn list_subscribers(
        &self,
        actor: &Actor,
        mut filter: SubscriberFilter,
    ) -> ApiResult<Vec<SubscriberRow>> {
        filter.village_id = actor.village_filter(filter.village_id)?;
        actor.require(Permission::ViewHouseholds, scope(filter.village_id))?;
        Ok(subscribers::list(&self.db, &filter, mask_for(actor)).await?)
    }

    pub async fn get_subscriber(&self, actor: &Actor, id: i64) -> ApiResult<SubscriberRow> {
        let village = villages::of_subscriber(&self.db, id).await?;
        actor.require(Permission::ViewHouseholds, Scope::Village(village))?;
        Ok(subscribers::get(&self.db, id, mask_for(actor)).await?)
    }

    async fn insert_subscriber(
        &self,
        actor: &Actor,
        input: SubscriberInput,
        enrollment: Enrollment,
    ) -> ApiResult<i64> {
        if let Some(h) = input.household_id
            && villages::of_household(&self.db, h).await? != input.village_id
        {
            return Err(ApiError::invalid(
                "household_id",
                "세대가 고른 마을에 속하지 않습니다",
            ));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let id = subscribers::insert(&mut tx, &input, enrollment).await?;
        let action = if enrollment == Enrollment::Pending {
            "subscriber.request"
        } else {
            "subscriber.add"
        };
        let (detail, personal) = audit_view(&input);
        let subject = format!("subscriber/{id}");
        audit::record_personal(
            &mut tx, actor, action, &subject, &detail, &subject, &personal,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Staff add a subscriber directly (approved).
    pub async fn add_subscriber(&self, actor: &Actor, input: SubscriberInput) -> ApiResult<i64> {
        actor.require(Permission::EditHouseholds, Scope::Village(input.village_id))?;
        self.insert_subscriber(actor, input, Enrollment::Approved)
            .await
    }

    /// A resident's request to be added (taken by phone or at the counter), waiting for the
    /// village chief's approval.
    pub async fn request_enrollment(
        &self,
        actor: &Actor,
        input: SubscriberInput,
    ) -> ApiResult<i64> {
        actor.require(Permission::EditHouseholds, Scope::Village(input.village_id))?;
        self.insert_subscriber(actor, input, Enrollment::Pending)
            .await
    }

    /// Saves a subscriber edited from `version` (the row as the form loaded it).
    pub async fn update_subscriber(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: SubscriberInput,
    ) -> ApiResult<()> {
        let village = villages::of_subscriber(&self.db, id).await?;
        actor.require(Permission::EditHouseholds, Scope::Village(village))?;
        if input.village_id != village {
            return Err(ApiError::invalid(
                "village_id",
                "다른 마을로 옮기려면 삭제 후 새로 등록하세요",
            ));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        subscribers::update(&mut tx, id, version, &input, &actor.display_name).await?;
        // What has not left yet follows the new wishes: nothing after an opt-out, and
        // nothing on a channel just switched off.
        let c = &input.channels;
        let refused: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|ch| {
                input.status == SubscriberStatus::OptedOut
                    || !match ch {
                        Channel::Voice => c.voice,
                        Channel::Sms => c.sms,
                        Channel::Kakao => c.kakao,
                    }
            })
            .collect();
        maeul_dispatch::store::withdraw(&mut tx, id, &refused, jiff::Timestamp::now()).await?;
        let (detail, personal) = audit_view(&input);
        let subject = format!("subscriber/{id}");
        audit::record_personal(
            &mut tx,
            actor,
            "subscriber.update",
            &subject,
            &detail,
            &subject,
            &personal,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn delete_subscriber(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        let village = villages::of_subscriber(&self.db, id).await?;
        actor.require(Permission::EditHouseholds, Scope::Village(village))?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        maeul_dispatch::store::withdraw(&mut tx, id, &Channel::ALL, jiff::Timestamp::now()).await?;
        subscribers::delete(&mut tx, id).await?;
        // Deleting is 파기: the resident's name, address and number go from the audit log's
        // erasable part too; the chain keeps that something was recorded and when.
        let subject = format!("subscriber/{id}");
        let erased = audit::erase_personal(&mut tx, &subject).await?;
        audit::record(
            &mut tx,
            actor,
            "subscriber.delete",
            &subject,
            &json!({ "village_id": village, "personal_erased": erased }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The chief (or county staff) approves or rejects a pending request.
    pub async fn decide_enrollment(&self, actor: &Actor, id: i64, approve: bool) -> ApiResult<()> {
        let village = villages::of_subscriber(&self.db, id).await?;
        actor.require(Permission::DecideEnrollment, Scope::Village(village))?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        subscribers::decide(&mut tx, id, approve, &actor.username).await?;
        let action = if approve {
            "enrollment.approve"
        } else {
            "enrollment.reject"
        };
        audit::record(
            &mut tx,
            actor,
            action,
            &format!("subscriber/{id}"),
            &json!({ "village_id": village }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn import_preview(
        &self,
        actor: &Actor,
        path: &Path,
        options: ImportOptions,
    ) -> ApiResult<ImportPreview> {
        actor.require(Permission::ImportRegistry, Scope::County)?;
        let path = path.to_owned();
        let result = tokio::task::spawn_blocking(move || import::preview(&path, &options))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        result.map_err(|problems| {
            let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
            ApiError::invalid("file", text.join("\n"))
        })
    }

    /// Checks the whole file; unless `dry_run` or a row is bad, writes it all in one
    /// transaction with its audit entry. Problems come back in the report.
    pub async fn import_registry(
        &self,
        actor: &Actor,
        path: &Path,
        options: ImportOptions,
        dry_run: bool,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> ApiResult<ImportReport> {
        actor.require(Permission::ImportRegistry, Scope::County)?;
        let checked = import::check_file(&self.db, path, &options, progress).await?;
        if dry_run || !checked.is_clean() {
            return Ok(checked.report);
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let report = checked.write(&mut tx, progress).await?;
        audit::record(
            &mut tx,
            actor,
            "registry.import",
            &format!("file/{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("?")),
            &json!({ "rows": report.rows, "households": report.households_created, "subscribers": report.subscribers_created }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(report)
    }

    pub async fn export_registry(
        &self,
        actor: &Actor,
        path: &Path,
        format: ExportFormat,
    ) -> ApiResult<u32> {
        actor.require(Permission::ExportRegistry, Scope::County)?;
        crate::check_file_name("file", path)?;
        let rows = export::export(&self.db, path, format, None).await?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(
            &mut tx,
            actor,
            "registry.export",
            &format!(
                "file/{}",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            ),
            &json!({ "rows": rows, "format": format }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(rows)
    }
}

/// Roles and what they may see, for the UI to shape itself (the checks stay here).
pub fn permissions_of(role: Role) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|p| p.granted_to(role))
        .collect()
}
