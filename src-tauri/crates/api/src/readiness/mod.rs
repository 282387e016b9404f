//! 준비 현황 — the readiness one-pager the county attaches to the budget card: for a village,
//! its chief's training, households and sign-up, reach in the last 90 days, broadcasts,
//! pending enrolments and the households not reached; for a town, one line per village;
//! for the county, one line per town. Figures from the crates that own them (reach and
//! broadcasts from dispatch, sign-up from the registry, training from programs), drawn by
//! [`pdf`] with vector bars.

pub mod pdf;

use jiff::Timestamp;
use serde::Serialize;

use maeul_accounts::{Actor, Permission, Scope};
use maeul_dispatch::reach;
use maeul_programs::store::readiness::{self, ChiefTraining};
use maeul_registry::store::funnel;

use crate::dashboard::{local_minute, months_back};
use crate::{ApiError, ApiResult, Desk};

/// One village's readiness, or (for a town or the county) the sum of its villages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
pub struct Readiness {
    pub name: String,
    /// Villages summed (1 for a village).
    pub villages: i64,
    /// Of those, villages whose chief attended a training.
    pub chiefs_trained: i64,
    /// When the (village's) chief last attended: the session's start as trainings keep it.
    pub trained_at: Option<String>,
    /// Sessions the chief attended of those invited to (a village only).
    pub attended: i64,
    pub invited: i64,
    pub households: i64,
    pub signed_up: i64,
    pub reached_90: i64,
    pub confirmed_90: i64,
    pub not_reached_90: i64,
    pub pending: i64,
    /// Broadcasts that reached into it in the last 90 days.
    pub broadcasts_90: i64,
}

impl Readiness {
    fn add(&mut self, o: &Readiness) {
        self.villages += o.villages;
        self.chiefs_trained += o.chiefs_trained;
        self.households += o.households;
        self.signed_up += o.signed_up;
        self.reached_90 += o.reached_90;
        self.confirmed_90 += o.confirmed_90;
        self.not_reached_90 += o.not_reached_90;
        self.pending += o.pending;
    }
}

/// What the one-pager is about, and the lines it lists.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ReadinessReport {
    /// "증평읍 연탄1리", "증평읍" or "증평군".
    pub title: String,
    pub kind: ReadinessKind,
    pub total: Readiness,
    /// A town's villages, or the county's towns; empty for a village.
    pub lines: Vec<Readiness>,
    /// The county's figures, for comparison.
    pub county: Readiness,
    /// Households reached in each of the last 12 months (Seoul "YYYY-MM").
    pub months: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessKind {
    Village,
    Town,
    County,
}

/// Which one-pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadinessOf {
    Village(i64),
    Town(i64),
    County,
}

impl Desk {
    pub async fn readiness(
        &self,
        actor: &Actor,
        of: ReadinessOf,
        now: Timestamp,
    ) -> ApiResult<ReadinessReport> {
        match of {
            ReadinessOf::Village(v) => {
                actor.require(Permission::ViewHouseholds, Scope::Village(v))?;
                actor.require(Permission::ViewBroadcasts, Scope::Village(v))?;
            }
            _ => {
                actor.require(Permission::ViewHouseholds, Scope::County)?;
                actor.require(Permission::ViewBroadcasts, Scope::County)?;
            }
        }
        self.reach_refresh().await?;
        let funnel = funnel::villages(&self.db, None).await?;
        let towns = maeul_registry::store::towns::list(&self.db).await?;
        let county_name = maeul_registry::store::towns::county_name(&self.db).await?;
        let (reached, chiefs, addressed) = {
            let mut conn = self.db.acquire().await?;
            (
                reach::by_village(&mut conn, now).await?,
                readiness::chiefs(&mut conn, &local_minute(now)).await?,
                maeul_dispatch::activity::addressed_since(&mut conn, now - reach::days(90)).await?,
            )
        };
        let line = |f: &funnel::VillageFunnel| {
            let r = reached.iter().find(|r| r.village_id == f.village_id);
            let c: Option<&ChiefTraining> = chiefs.iter().find(|c| c.village_id == f.village_id);
            Readiness {
                name: f.village.clone(),
                villages: 1,
                chiefs_trained: i64::from(c.is_some_and(|c| c.attended > 0)),
                trained_at: c.and_then(|c| c.last_at.clone()),
                attended: c.map_or(0, |c| c.attended),
                invited: c.map_or(0, |c| c.invited),
                households: f.households,
                signed_up: f.signed_up,
                reached_90: r.map_or(0, |r| r.reached_90),
                confirmed_90: r.map_or(0, |r| r.confirmed_90),
                not_reached_90: r.map_or(f.households, |r| r.not_reached_90),
                pending: f.pending,
                broadcasts_90: addressed.villages.get(&f.village_id).copied().unwrap_or(0),
            }
        };
        let mut county = Readiness {
            name: county_name.clone(),
            ..Readiness::default()
        };
        for f in &funnel {
            county.add(&line(f));
        }
        county.broadcasts_90 = addressed.all;
        let (title, kind, total, lines, town) = match of {
            ReadinessOf::Village(v) => {
                let f = funnel
                    .iter()
                    .find(|f| f.village_id == v)
                    .ok_or_else(|| ApiError::invalid("village", format!("없는 마을입니다: {v}")))?;
                let mut l = line(f);
                l.name = format!("{} {}", f.town, f.village);
                (l.name.clone(), ReadinessKind::Village, l, Vec::new(), None)
            }
            ReadinessOf::Town(t) => {
                let name = towns
                    .iter()
                    .find(|w| w.id == t)
                    .map(|w| w.name.clone())
                    .ok_or_else(|| ApiError::invalid("town", format!("없는 읍면입니다: {t}")))?;
                let mut lines: Vec<Readiness> =
                    funnel.iter().filter(|f| f.town_id == t).map(line).collect();
                lines.sort_by(|a, b| a.name.cmp(&b.name));
                let mut total = Readiness {
                    name: name.clone(),
                    ..Readiness::default()
                };
                for l in &lines {
                    total.add(l);
                }
                total.broadcasts_90 = addressed.towns.get(&t).copied().unwrap_or(0);
                (name, ReadinessKind::Town, total, lines, Some(t))
            }
            ReadinessOf::County => {
                let lines = towns
                    .iter()
                    .map(|w| {
                        let mut t = Readiness {
                            name: w.name.clone(),
                            ..Readiness::default()
                        };
                        for f in funnel.iter().filter(|f| f.town_id == w.id) {
                            t.add(&line(f));
                        }
                        t.broadcasts_90 = addressed.towns.get(&w.id).copied().unwrap_or(0);
                        t
                    })
                    .collect();
                (
                    county_name,
                    ReadinessKind::County,
                    county.clone(),
                    lines,
                    None,
                )
            }
        };
        let wanted = months_back(now, 12);
        let (from, to) = (&wanted[0], &wanted[wanted.len() - 1]);
        let got = {
            let mut conn = self.db.acquire().await?;
            match of {
                ReadinessOf::Village(v) => reach::monthly_village(&mut conn, v, from, to).await?,
                _ => reach::monthly(&mut conn, town, from, to).await?,
            }
        };
        let months = wanted
            .into_iter()
            .map(|m| {
                let n = got.iter().find(|r| r.month == m).map_or(0, |r| r.reached);
                (m, n)
            })
            .collect();
        Ok(ReadinessReport {
            title,
            kind,
            total,
            lines,
            county,
            months,
        })
    }
}

impl Desk {
    /// The one-pager as PDF, and its page count.
    pub async fn readiness_pdf(
        &self,
        actor: &Actor,
        of: ReadinessOf,
        now: Timestamp,
    ) -> ApiResult<(Vec<u8>, usize)> {
        let r = self.readiness(actor, of, now).await?;
        pdf::write(&r, &crate::printed_at())
    }
}
