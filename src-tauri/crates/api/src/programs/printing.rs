//! Printed sign-in sheets and attendance summaries.

use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_programs::ApplicationState;
use maeul_programs::calendar::EventKind;
use maeul_programs::pdf::{self, SignInRow, SignInSheet};
use maeul_programs::store::{cohorts, trainings, workshops};

use super::mask_for;
use crate::{ApiError, ApiResult, Desk, ErrorCode, printed_at};

impl Desk {
    /// The sign-in sheet of a workshop (its cohort's selected participants) or a training
    /// session (its roster and walk-ins), with `blank` empty rows for late additions.
    pub async fn sign_in_pdf(
        &self,
        actor: &Actor,
        kind: EventKind,
        id: i64,
        blank: u32,
    ) -> ApiResult<(Vec<u8>, u32)> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        let sheet = match kind {
            EventKind::Workshop => {
                let w = workshops::get(&mut conn, id).await?;
                let cohort = cohorts::detail(&mut conn, w.cohort_id, mask_for(actor)).await?;
                SignInSheet {
                    heading: "리빙랩 참석자 서명부".into(),
                    title: format!("{} — {}", cohort.cohort.name, w.title),
                    when: pdf::when(&w.starts_at, &w.ends_at),
                    place: w.place,
                    leader: w.facilitator,
                    rows: cohort
                        .people
                        .iter()
                        .filter(|p| p.person.state == ApplicationState::Selected)
                        .map(|p| SignInRow {
                            name: p.person.name.clone(),
                            affiliation: p
                                .village_name
                                .clone()
                                .unwrap_or_else(|| p.person.role.label().into()),
                            phone: p.phone_display.clone().unwrap_or_default(),
                        })
                        .collect(),
                    blank_rows: blank,
                }
            }
            EventKind::Training => {
                let d = trainings::detail(&mut conn, id, mask_for(actor)).await?;
                let t = d.summary.training;
                SignInSheet {
                    heading: "이장교육 참석자 서명부".into(),
                    title: t.title.clone(),
                    when: pdf::when(&t.starts_at, &t.ends_at),
                    place: t.place,
                    leader: t.trainer,
                    rows: d
                        .attendees
                        .iter()
                        .map(|a| SignInRow {
                            name: a.name.clone(),
                            affiliation: match (&a.village_name, a.walk_in) {
                                (Some(v), false) => format!("{v} 이장"),
                                (Some(v), true) => format!("{v} (현장 등록)"),
                                (None, _) => "현장 등록".into(),
                            },
                            phone: a.phone_display.clone().unwrap_or_default(),
                        })
                        .collect(),
                    blank_rows: blank,
                }
            }
        };
        drop(conn);
        let at = printed_at();
        let (bytes, pages) = tokio::task::spawn_blocking(move || pdf::sign_in_sheet(&sheet, &at))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        self.audit_print(
            actor,
            "programs.print.sign_in",
            &format!("{kind:?}:{id}"),
            pages,
        )
        .await?;
        Ok((bytes, pages as u32))
    }

    pub async fn attendance_pdf(&self, actor: &Actor, cohort_id: i64) -> ApiResult<(Vec<u8>, u32)> {
        let detail = self.cohort_get(actor, cohort_id).await?;
        let at = printed_at();
        let (bytes, pages) =
            tokio::task::spawn_blocking(move || pdf::attendance_summary(&detail, &at))
                .await
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        self.audit_print(
            actor,
            "programs.print.attendance",
            &format!("cohort:{cohort_id}"),
            pages,
        )
        .await?;
        Ok((bytes, pages as u32))
    }

    async fn audit_print(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        pages: usize,
    ) -> ApiResult<()> {
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(&mut tx, actor, action, target, &json!({ "pages": pages })).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
