//! 현황판 — what the office reports upward: households reached month by month, sign-up by
//! village, chiefs trained by town, broadcasts by category; filtered by town and period.
//! Every figure comes from the crate that owns its table (reach and broadcasts from
//! dispatch, sign-up from the registry, training from programs); this only puts them side
//! by side. The reach ledger is brought up to date first.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use maeul_accounts::{Actor, Permission, Scope};
use maeul_dispatch::activity::{self, CategoryMonth};
use maeul_dispatch::reach::{self, Among, HouseholdReach, MonthReach};
use maeul_programs::store::readiness;
use maeul_registry::store::funnel::{self, MonthSignups};

use crate::{ApiError, ApiResult, Desk};

/// What the screen asks for: one town or the county, and how many months back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct DashboardFilter {
    pub town_id: Option<i64>,
    /// 3, 6, 12 or 24.
    pub months: u32,
}

/// One village's line: sign-up and reach side by side.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct VillageStatus {
    pub village_id: i64,
    pub town: String,
    pub village: String,
    pub households: i64,
    pub signed_up: i64,
    pub rate: f64,
    pub voice: i64,
    pub sms: i64,
    pub kakao: i64,
    pub pending: i64,
    pub reached_30: i64,
    pub reached_90: i64,
    pub confirmed_90: i64,
    pub not_reached_90: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TownStatus {
    pub town_id: i64,
    pub town: String,
    pub chiefs: i64,
    pub trained: i64,
    pub missed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Dashboard {
    /// The Seoul months shown, oldest first ("YYYY-MM").
    pub months: Vec<String>,
    pub households: i64,
    pub signed_up: i64,
    pub reached_90: i64,
    pub not_reached_90: i64,
    pub pending: i64,
    /// Households reached in each month (a month without any reads 0).
    pub reach: Vec<MonthReach>,
    /// Cumulative sign-ups by month since the launch, up to this month.
    pub signups: Vec<MonthSignups>,
    /// The villages furthest behind in sign-up first.
    pub villages: Vec<VillageStatus>,
    pub training: Vec<TownStatus>,
    pub broadcasts: Vec<CategoryMonth>,
}

/// `now` in Seoul as trainings keep their times ("2026-12-05T14:00").
pub(crate) fn local_minute(now: Timestamp) -> String {
    maeul_time::seoul_civil(now)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

pub(crate) fn months_back(now: Timestamp, n: u32) -> Vec<String> {
    let this = reach::month_of(now);
    let mut first = reach::month_of(now - reach::days(i64::from(n.saturating_sub(1)) * 31));
    // 31-day steps can overshoot by a month over two years: walk forward to exactly n.
    let mut months = Vec::new();
    while first <= this {
        months.push(first.clone());
        first = maeul_time::month_after(&first);
    }
    let skip = months.len().saturating_sub(n as usize);
    months.split_off(skip)
}

impl Desk {
    /// Who may see county-wide reach: those who see every household and every broadcast.
    fn require_county_view(actor: &Actor) -> ApiResult<()> {
        actor.require(Permission::ViewHouseholds, Scope::County)?;
        actor.require(Permission::ViewBroadcasts, Scope::County)?;
        Ok(())
    }

    /// Reads the deliveries that reached someone since the last time into the ledger. The
    /// sync loop does it once a minute, so that whom a delivery reached is read while the
    /// subscriber still exists; the screens do it before they read.
    pub async fn reach_refresh(&self) -> ApiResult<u64> {
        if !reach::queued(&mut *self.db.acquire().await?).await? {
            return Ok(0);
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let n = reach::refresh(&mut tx).await?;
        self.commit(tx).await?;
        Ok(n)
    }

    pub async fn dashboard(
        &self,
        actor: &Actor,
        filter: DashboardFilter,
        now: Timestamp,
    ) -> ApiResult<Dashboard> {
        Self::require_county_view(actor)?;
        if !matches!(filter.months, 3 | 6 | 12 | 24) {
            return Err(ApiError::invalid(
                "months",
                "기간은 3, 6, 12, 24개월 중에서 고르세요",
            ));
        }
        self.reach_refresh().await?;
        let months = months_back(now, filter.months);
        let (from, to) = (months[0].clone(), months[months.len() - 1].clone());
        let town = filter.town_id;
        // The registry's queries take the pool: no connection is held across them (an
        // in-memory desk has one).
        let (got, reached, chiefs, broadcasts) = {
            let mut conn = self.db.acquire().await?;
            (
                reach::monthly(&mut conn, town, &from, &to).await?,
                reach::by_village(&mut conn, now).await?,
                readiness::chiefs(&mut conn, &local_minute(now)).await?,
                activity::by_month(&mut conn, &months, town).await?,
            )
        };
        let reach_rows = months
            .iter()
            .map(|m| {
                got.iter()
                    .find(|r| &r.month == m)
                    .cloned()
                    .unwrap_or(MonthReach {
                        month: m.clone(),
                        reached: 0,
                        confirmed: 0,
                    })
            })
            .collect();

        let funnel = funnel::villages(&self.db, town).await?;
        let villages: Vec<VillageStatus> = funnel
            .into_iter()
            .map(|f| {
                let r = reached.iter().find(|r| r.village_id == f.village_id);
                VillageStatus {
                    village_id: f.village_id,
                    town: f.town,
                    village: f.village,
                    households: f.households,
                    signed_up: f.signed_up,
                    rate: f.rate,
                    voice: f.voice,
                    sms: f.sms,
                    kakao: f.kakao,
                    pending: f.pending,
                    reached_30: r.map_or(0, |r| r.reached_30),
                    reached_90: r.map_or(0, |r| r.reached_90),
                    confirmed_90: r.map_or(0, |r| r.confirmed_90),
                    not_reached_90: r.map_or(f.households, |r| r.not_reached_90),
                }
            })
            .collect();

        let towns = maeul_registry::store::towns::list(&self.db).await?;
        let training = readiness::by_town(&chiefs)
            .into_iter()
            .filter(|t| town.is_none_or(|id| id == t.town_id))
            .map(|t| TownStatus {
                town_id: t.town_id,
                town: towns
                    .iter()
                    .find(|w| w.id == t.town_id)
                    .map(|w| w.name.clone())
                    .unwrap_or_default(),
                chiefs: t.chiefs,
                trained: t.trained,
                missed: t.missed,
            })
            .collect();

        let signups = funnel::by_month(&self.db, town, &to).await?;
        let sum = |f: fn(&VillageStatus) -> i64| villages.iter().map(f).sum::<i64>();
        Ok(Dashboard {
            households: sum(|v| v.households),
            signed_up: sum(|v| v.signed_up),
            reached_90: sum(|v| v.reached_90),
            not_reached_90: sum(|v| v.not_reached_90),
            pending: sum(|v| v.pending),
            months,
            reach: reach_rows,
            signups,
            villages,
            training,
            broadcasts,
        })
    }

    /// The households of a village (or town, or the county) not reached in the last `days`
    /// days, for the chief's visit: a chief sees their own village's.
    pub async fn not_reached(
        &self,
        actor: &Actor,
        among: Among,
        days: u32,
        now: Timestamp,
    ) -> ApiResult<Vec<HouseholdReach>> {
        match among {
            Among::Village(v) => actor.require(Permission::ViewHouseholds, Scope::Village(v))?,
            _ => Self::require_county_view(actor)?,
        }
        if !(1..=3650).contains(&days) {
            return Err(ApiError::invalid(
                "days",
                "기간은 1일에서 3650일 사이로 적어 주세요",
            ));
        }
        self.reach_refresh().await?;
        let mut conn = self.db.acquire().await?;
        Ok(reach::households(&mut conn, among, Some(now - reach::days(i64::from(days)))).await?)
    }

    /// The visit sheet of a village's not-reached households: PDF (and its page count) or
    /// CSV, with the village's name as the registry spells it.
    pub async fn not_reached_sheet(
        &self,
        actor: &Actor,
        village_id: i64,
        days: u32,
        now: Timestamp,
        csv: bool,
    ) -> ApiResult<(Vec<u8>, usize)> {
        let rows = self
            .not_reached(actor, Among::Village(village_id), days, now)
            .await?;
        if csv {
            return Ok((maeul_dispatch::reach_pdf::visit_csv(&rows)?, rows.len()));
        }
        let v = maeul_registry::store::villages::list(&self.db, Some(village_id), true)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::invalid("village_id", format!("없는 마을입니다: {village_id}"))
            })?;
        let place = format!("{} {}", v.town_name, v.name);
        Ok(maeul_dispatch::reach_pdf::visit_sheet(
            &place,
            &rows,
            days,
            &crate::printed_at(),
        )?)
    }

    /// Every household with its last reach, for the export.
    pub async fn reach_ledger(
        &self,
        actor: &Actor,
        among: Among,
    ) -> ApiResult<Vec<HouseholdReach>> {
        match among {
            Among::Village(v) => actor.require(Permission::ViewHouseholds, Scope::Village(v))?,
            _ => Self::require_county_view(actor)?,
        }
        self.reach_refresh().await?;
        let mut conn = self.db.acquire().await?;
        Ok(reach::households(&mut conn, among, None).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::months_back;

    #[test]
    fn periods_are_whole_seoul_months_ending_with_this_one() {
        // 2026-12-31 20:00 UTC is already January in Seoul.
        let now: jiff::Timestamp = "2026-12-31T20:00:00Z".parse().unwrap();
        assert_eq!(months_back(now, 3), ["2026-11", "2026-12", "2027-01"]);
        let m = months_back(now, 24);
        assert_eq!(m.len(), 24);
        assert_eq!(m[0], "2025-02");
        let now: jiff::Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            months_back(now, 12).first().map(String::as_str),
            Some("2025-04")
        );
    }
}
