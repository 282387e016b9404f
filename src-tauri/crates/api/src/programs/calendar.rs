//! The calendar with its clashes, and ICS files.

use serde::Serialize;

use maeul_accounts::{Actor, Permission, Scope};
use maeul_programs::calendar::{self, CalendarEvent, Conflict, EventKind};
use maeul_programs::store::calendar as stored;
use maeul_programs::store::{cohorts, trainings, workshops};
use maeul_programs::{ics, validate};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CalendarView {
    pub events: Vec<CalendarEvent>,
    pub conflicts: Vec<Conflict>,
}

impl Desk {
    /// Events overlapping the days `from..=to` and the clashes among them (no role check:
    /// the use cases below check).
    pub(crate) async fn calendar_between(&self, from: &str, to: &str) -> ApiResult<CalendarView> {
        let from = validate::date("from", from)?;
        let to = validate::date("to", to)?;
        let (lo, hi) = (format!("{from}T00:00"), format!("{to}T23:59"));
        let mut conn = self.db.acquire().await?;
        let events = stored::between(&mut conn, &lo, &hi).await?;
        let conflicts = calendar::conflicts(&events);
        Ok(CalendarView { events, conflicts })
    }

    /// The month or week the calendar shows, `from..=to` (dates).
    pub async fn calendar(&self, actor: &Actor, from: &str, to: &str) -> ApiResult<CalendarView> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        self.calendar_between(from, to).await
    }

    /// A cohort's workshops (`cohort`) or one training session (`training`), as an .ics
    /// file; returns the calendar's name and text.
    pub async fn programs_ics(
        &self,
        actor: &Actor,
        cohort: Option<i64>,
        training: Option<i64>,
    ) -> ApiResult<(String, String)> {
        actor.require(Permission::ViewPrograms, Scope::County)?;
        // (name, the events' days, each event with its agenda): one calendar query covers all.
        let mut conn = self.db.acquire().await?;
        let (name, from, to, wanted) = match (cohort, training) {
            (Some(c), None) => {
                let cohort = cohorts::get(&mut conn, c).await?;
                let ws = workshops::list(&mut conn, Some(c)).await?;
                let from = ws.iter().map(|w| w.starts_at[..10].to_string()).min();
                let to = ws.iter().map(|w| w.ends_at[..10].to_string()).max();
                let wanted: Vec<(EventKind, i64, String)> = ws
                    .into_iter()
                    .filter_map(|w| Some((EventKind::Workshop, w.id?, w.agenda)))
                    .collect();
                (cohort.name, from, to, wanted)
            }
            (None, Some(t)) => {
                let t = trainings::summary(&mut conn, t).await?.training;
                let wanted = vec![(EventKind::Training, t.id.unwrap_or(-1), t.agenda)];
                let (from, to) = (t.starts_at[..10].to_string(), t.ends_at[..10].to_string());
                (t.title, Some(from), Some(to), wanted)
            }
            _ => {
                return Err(ApiError::invalid(
                    "cohort",
                    "기수 또는 이장교육 중 하나를 골라 주세요",
                ));
            }
        };
        drop(conn);
        let view = match (from, to) {
            (Some(from), Some(to)) => self.calendar_between(&from, &to).await?.events,
            _ => Vec::new(),
        };
        let mut events = Vec::with_capacity(wanted.len());
        for (kind, id, agenda) in wanted {
            let event = view
                .iter()
                .find(|e| e.kind == kind && e.id == id)
                .cloned()
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "일정을 찾을 수 없습니다"))?;
            events.push((event, agenda));
        }
        let stamp = chrono_now();
        let text = ics::export(&name, &events, stamp)?;
        Ok((name, text))
    }
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(jiff::Timestamp::now().as_second(), 0).unwrap_or_default()
}
