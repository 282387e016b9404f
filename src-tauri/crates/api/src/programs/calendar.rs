//! The calendar, ICS files, printed sheets and reminders.

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_db::settings;
use maeul_programs::calendar::{self, CalendarEvent, Conflict, EventKind};
use maeul_programs::pdf::{self, SignInRow, SignInSheet};
use maeul_programs::reminders::{self, QuietHours, Recipient, Skipped};
use maeul_programs::store::reminders::{NewReminder, ReminderRow};
use maeul_programs::store::{cohorts, reminders as stored, trainings, workshops};
use maeul_programs::{ApplicationState, ics, validate};

use super::{printed_at, require_any, shown_phone};
use crate::{ApiError, ApiResult, Desk, ErrorCode};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CalendarView {
    pub events: Vec<CalendarEvent>,
    pub conflicts: Vec<Conflict>,
}

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

/// Who is expected at an event: the key compares people across events (their number, else
/// their name), the second part is what the conflict message shows.
type Expected = Vec<(String, String)>;

impl Desk {
    /// Events overlapping the days `from..=to` and the clashes among them (no role check:
    /// the use cases below check).
    pub(crate) async fn calendar_between(&self, from: &str, to: &str) -> ApiResult<CalendarView> {
        let from = validate::date("from", from)?;
        let to = validate::date("to", to)?;
        let (lo, hi) = (format!("{from}T00:00"), format!("{to}T23:59"));
        let mut conn = self.db.acquire().await?;
        let ws: Vec<(i64, String, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT w.id, w.title, c.name, w.starts_at, w.ends_at, w.place, w.facilitator, w.cohort_id \
             FROM workshops w JOIN cohorts c ON c.id = w.cohort_id \
             WHERE w.starts_at <= $2 AND w.ends_at >= $1 ORDER BY w.starts_at",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(&mut *conn)
        .await?;
        let mut events = Vec::new();
        for (id, title, owner, starts_at, ends_at, place, leader, cohort) in ws {
            let people: Vec<(Option<String>, String)> = sqlx::query_as(
                "SELECT phone, name FROM cohort_people WHERE cohort_id = $1 AND state = 'selected'",
            )
            .bind(cohort)
            .fetch_all(&mut *conn)
            .await?;
            events.push(CalendarEvent {
                kind: EventKind::Workshop,
                id,
                title,
                owner,
                starts_at,
                ends_at,
                place,
                leader,
                people: expected(people),
            });
        }
        let ts: Vec<(i64, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT t.id, t.title, w.name, t.starts_at, t.ends_at, t.place, t.trainer \
             FROM trainings t JOIN towns w ON w.id = t.town_id \
             WHERE t.starts_at <= $2 AND t.ends_at >= $1 ORDER BY t.starts_at",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(&mut *conn)
        .await?;
        for (id, title, owner, starts_at, ends_at, place, leader) in ts {
            let people: Vec<(Option<String>, String)> =
                sqlx::query_as("SELECT phone, name FROM training_attendees WHERE training_id = $1")
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?;
            events.push(CalendarEvent {
                kind: EventKind::Training,
                id,
                title,
                owner,
                starts_at,
                ends_at,
                place,
                leader,
                people: expected(people),
            });
        }
        events.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
        let conflicts = calendar::conflicts(&events);
        Ok(CalendarView { events, conflicts })
    }

    /// The month or week the calendar shows, `from..=to` (dates).
    pub async fn calendar(&self, actor: &Actor, from: &str, to: &str) -> ApiResult<CalendarView> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        self.calendar_between(from, to).await
    }

    async fn event(&self, kind: EventKind, id: i64) -> ApiResult<(CalendarEvent, String)> {
        let mut conn = self.db.acquire().await?;
        let (day_from, day_to) = match kind {
            EventKind::Workshop => {
                let w = workshops::get(&mut conn, id).await?;
                (w.starts_at, w.ends_at)
            }
            EventKind::Training => {
                let t = trainings::summary(&mut conn, id).await?.training;
                (t.starts_at, t.ends_at)
            }
        };
        drop(conn);
        let view = self
            .calendar_between(&day_from[..10], &day_to[..10])
            .await?;
        let event = view
            .events
            .into_iter()
            .find(|e| e.kind == kind && e.id == id)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "일정을 찾을 수 없습니다"))?;
        let mut conn = self.db.acquire().await?;
        let agenda = match kind {
            EventKind::Workshop => workshops::get(&mut conn, id).await?.agenda,
            EventKind::Training => trainings::summary(&mut conn, id).await?.training.agenda,
        };
        Ok((event, agenda))
    }

    /// A cohort's workshops (`kind` Workshop with a cohort id is not what is asked here:
    /// `cohort` names the cohort) or one training session, as an .ics file.
    pub async fn programs_ics(
        &self,
        actor: &Actor,
        cohort: Option<i64>,
        training: Option<i64>,
    ) -> ApiResult<(String, String)> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        let (name, events) = match (cohort, training) {
            (Some(c), None) => {
                let mut conn = self.db.acquire().await?;
                let cohort = cohorts::get(&mut conn, c).await?;
                let ws = workshops::list(&mut conn, Some(c)).await?;
                drop(conn);
                let mut events = Vec::new();
                for w in ws.iter().filter_map(|w| w.id) {
                    events.push(self.event(EventKind::Workshop, w).await?);
                }
                (cohort.name, events)
            }
            (None, Some(t)) => {
                let (e, agenda) = self.event(EventKind::Training, t).await?;
                (e.title.clone(), vec![(e, agenda)])
            }
            _ => {
                return Err(ApiError::invalid(
                    "cohort",
                    "기수 또는 이장교육 중 하나를 골라 주세요",
                ));
            }
        };
        let stamp = chrono_now();
        let text = ics::export(&name, &events, stamp)?;
        Ok((name, text))
    }

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
                let cohort = cohorts::detail(&mut conn, w.cohort_id).await?;
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
                            phone: p
                                .person
                                .phone
                                .as_deref()
                                .map(|x| shown_phone(actor, x))
                                .unwrap_or_default(),
                        })
                        .collect(),
                    blank_rows: blank,
                }
            }
            EventKind::Training => {
                let d = trainings::detail(&mut conn, id).await?;
                let phones: Vec<(i64, Option<String>)> = sqlx::query_as(
                    "SELECT id, phone FROM training_attendees WHERE training_id = $1",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
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
                            phone: phones
                                .iter()
                                .find(|(i, _)| *i == a.id)
                                .and_then(|(_, p)| p.as_deref())
                                .map(|p| shown_phone(actor, p))
                                .unwrap_or_default(),
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
        tx.commit().await?;
        Ok(())
    }

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
        let offsets = reminders::parse_offsets(&s.offsets)?;
        if offsets.is_empty() {
            return Err(ApiError::invalid(
                "offsets",
                "알림 시점을 하나 이상 적어 주세요 (예: 1d,2h)",
            ));
        }
        QuietHours::parse(&s.quiet_hours)
            .map_err(|e| ApiError::invalid("quiet_hours", e.to_string()))?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
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
        tx.commit().await?;
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
        self.reminders_plan_at(actor, kind, id, reminders::seoul_now())
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
        let practice = self.practice_state().await?.on;
        let mut conn = self.db.acquire().await?;
        let (title, starts_at, ends_at, place, recipients) = match kind {
            EventKind::Workshop => {
                let w = workshops::get(&mut conn, id).await?;
                let rows: Vec<(String, Option<String>, bool)> = sqlx::query_as(
                    "SELECT name, phone, sms_consent FROM cohort_people WHERE cohort_id = $1 AND state = 'selected' ORDER BY id",
                )
                .bind(w.cohort_id)
                .fetch_all(&mut *conn)
                .await?;
                (w.title, w.starts_at, w.ends_at, w.place, rows)
            }
            EventKind::Training => {
                let t = trainings::summary(&mut conn, id).await?.training;
                // Chiefs consented to the desk's messages when they took the office; a walk-in
                // gave their number for this purpose at the door.
                let rows: Vec<(String, Option<String>, bool)> = sqlx::query_as(
                    "SELECT name, phone, 1 FROM training_attendees WHERE training_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                (t.title, t.starts_at, t.ends_at, t.place, rows)
            }
        };
        let recipients: Vec<Recipient> = recipients
            .into_iter()
            .map(|(name, phone, consent)| Recipient {
                name,
                phone,
                consent,
            })
            .collect();
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
        tx.commit().await?;
        Ok(ReminderPlan {
            scheduled,
            skipped,
            reminders,
            practice,
        })
    }
}

fn expected(people: Vec<(Option<String>, String)>) -> Expected {
    people
        .into_iter()
        .map(|(phone, name)| (phone.unwrap_or_else(|| format!("name:{name}")), name))
        .collect()
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(jiff::Timestamp::now().as_second(), 0).unwrap_or_default()
}
