//! Reminder settings and the reminders of one event, queued for the dispatch outbox.

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_db::settings;
use maeul_programs::calendar::EventKind;
use maeul_programs::pdf;
use maeul_programs::reminders::{self, QuietHours, Skipped};
use maeul_programs::store::reminders::{NewReminder, ReminderRow};
use maeul_programs::store::{reminders as stored, trainings, workshops};
use maeul_programs::validate;

use super::require_any;
use crate::{ApiError, ApiResult, Desk};

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ReminderSettings {
    /// `programs.reminder_offsets`, e.g. "1d,2h".
    pub offsets: String,
    /// `dispatch.quiet_hours`, e.g. "21:00-07:00".
    pub quiet_hours: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReminderPlan {
    pub scheduled: u32,
    pub skipped: Vec<Skipped>,
    pub reminders: Vec<ReminderRow>,
    pub practice: bool,
}

const OFFSETS_KEY: &str = "programs.reminder_offsets";
const QUIET_KEY: &str = "dispatch.quiet_hours";

impl Desk {
    pub async fn reminder_settings(&self, actor: &Actor) -> ApiResult<ReminderSettings> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        Ok(ReminderSettings {
            offsets: settings::get(&mut conn, OFFSETS_KEY)
                .await?
                .unwrap_or_else(|| "1d,2h".into()),
            quiet_hours: settings::get(&mut conn, QUIET_KEY)
                .await?
                .unwrap_or_else(|| "21:00-07:00".into()),
        })
    }

    pub async fn set_reminder_settings(&self, actor: &Actor, s: ReminderSettings) -> ApiResult<()> {
        require_any(actor, &[Permission::EditLivingLab, Permission::RunTraining])?;
        let offsets = reminders::parse_offsets(&s.offsets)
            .map_err(|e| ApiError::invalid("offsets", e.reason()))?;
        if offsets.is_empty() {
            return Err(ApiError::invalid(
                "offsets",
                "알림 시점을 하나 이상 적어 주세요 (예: 1d,2h)",
            ));
        }
        let quiet = QuietHours::parse(&s.quiet_hours)
            .map_err(|e| ApiError::invalid("quiet_hours", e.reason))?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let current = settings::get(&mut tx, QUIET_KEY)
            .await?
            .unwrap_or_else(|| "21:00-07:00".into());
        // The quiet hours are the desk's sending policy, holding every normal broadcast:
        // whoever may only plan reminders may not move them.
        if QuietHours::parse(&current).ok() != Some(quiet) {
            actor
                .require(Permission::ManageDispatch, Scope::County)
                .map_err(|e| ApiError {
                    field: Some("quiet_hours".into()),
                    ..ApiError::from(e)
                })?;
        }
        settings::set(&mut tx, OFFSETS_KEY, s.offsets.trim()).await?;
        settings::set(&mut tx, QUIET_KEY, s.quiet_hours.trim()).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.reminder_settings",
            "settings",
            &json!({ "offsets": s.offsets, "quiet_hours": s.quiet_hours }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// (Re)plans the reminder SMS of one event: its scheduled reminders are replaced by the
    /// plan for the current participants, consent and settings.
    pub async fn reminders_plan(
        &self,
        actor: &Actor,
        kind: EventKind,
        id: i64,
    ) -> ApiResult<ReminderPlan> {
        self.reminders_plan_at(
            actor,
            kind,
            id,
            maeul_time::seoul_civil(jiff::Timestamp::now()),
        )
        .await
    }

    /// [`Desk::reminders_plan`] as of a given Seoul time (tests).
    pub async fn reminders_plan_at(
        &self,
        actor: &Actor,
        kind: EventKind,
        id: i64,
        now: jiff::civil::DateTime,
    ) -> ApiResult<ReminderPlan> {
        let permission = match kind {
            EventKind::Workshop => Permission::EditLivingLab,
            EventKind::Training => Permission::RunTraining,
        };
        actor.require(permission, Scope::County)?;
        let s = self.reminder_settings(actor).await?;
        let offsets = reminders::parse_offsets(&s.offsets)?;
        let quiet = QuietHours::parse(&s.quiet_hours)?;
        let practice = actor.in_practice();
        let mut conn = self.db.acquire().await?;
        let (title, starts_at, ends_at, place) = match kind {
            EventKind::Workshop => {
                let w = workshops::get(&mut conn, id).await?;
                (w.title, w.starts_at, w.ends_at, w.place)
            }
            EventKind::Training => {
                let t = trainings::summary(&mut conn, id).await?.training;
                (t.title, t.starts_at, t.ends_at, t.place)
            }
        };
        let recipients = stored::recipients(&mut conn, kind, id).await?;
        let start = validate::datetime("starts_at", &starts_at)?;
        let (planned, skipped) = reminders::plan(start, &offsets, quiet, &recipients, now);
        let tag = if practice { "[연습] " } else { "" };
        let body = format!(
            "{tag}[증평군] {title} 안내: {}, {}. 참석 부탁드립니다.",
            pdf::when(&starts_at, &ends_at),
            place
        );
        let dues: Vec<String> = planned.iter().map(|p| reminders::due_utc(p.due)).collect();
        let rows: Vec<NewReminder<'_>> = planned
            .iter()
            .zip(&dues)
            .map(|(p, due)| NewReminder {
                event_kind: kind,
                event_id: id,
                event_title: &title,
                recipient: &p.recipient,
                phone: &p.phone,
                body: &body,
                due_at: due,
                practice,
            })
            .collect();
        drop(conn);
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let scheduled =
            stored::replace(&mut tx, kind, id, &rows, &maeul_accounts::now_utc()).await?;
        audit::record(
            &mut tx,
            actor,
            "programs.reminders.plan",
            &format!("{kind:?}:{id}"),
            &json!({ "scheduled": scheduled, "skipped": skipped.len(), "practice": practice }),
        )
        .await?;
        let reminders = stored::list(&mut tx, kind, id).await?;
        self.commit(tx).await?;
        Ok(ReminderPlan {
            scheduled,
            skipped,
            reminders,
            practice,
        })
    }
}
