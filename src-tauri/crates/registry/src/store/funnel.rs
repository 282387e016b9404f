//! The sign-up funnel per village: households → households with a consented, approved,
//! active subscriber → by channel, with the enrolments still waiting; and the county's
//! signed-up households by month of consent since the launch. A household counts once,
//! from the earliest consent among its subscribers.

use std::collections::BTreeMap;

use maeul_db::Db;
use serde::Serialize;

use crate::RegistryError;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, sqlx::FromRow)]
pub struct VillageFunnel {
    pub village_id: i64,
    pub town_id: i64,
    pub town: String,
    pub village: String,
    pub households: i64,
    /// Households with at least one active, approved, consented subscriber.
    pub signed_up: i64,
    /// Of those, households that take each channel (some subscriber wants it).
    pub voice: i64,
    pub sms: i64,
    pub kakao: i64,
    /// Subscribers whose enrolment waits for approval.
    pub pending: i64,
    /// signed_up / households, 0..=1 (0 for a village without households).
    #[sqlx(skip)]
    pub rate: f64,
}

const VILLAGES: &str = "\
    SELECT v.id AS village_id, v.town_id, t.name AS town, v.name AS village, \
        (SELECT COUNT(*) FROM households h WHERE h.village_id = v.id) AS households, \
        COUNT(s.household_id) AS signed_up, \
        COALESCE(SUM(s.voice), 0) AS voice, COALESCE(SUM(s.sms), 0) AS sms, \
        COALESCE(SUM(s.kakao), 0) AS kakao, \
        (SELECT COUNT(*) FROM subscribers p WHERE p.village_id = v.id AND p.enrollment = 'pending') \
            AS pending \
    FROM villages v JOIN towns t ON t.id = v.town_id \
    LEFT JOIN ( \
        SELECT village_id, household_id, \
            MAX(CASE WHEN want_voice THEN 1 ELSE 0 END) AS voice, \
            MAX(CASE WHEN want_sms THEN 1 ELSE 0 END) AS sms, \
            MAX(CASE WHEN want_kakao THEN 1 ELSE 0 END) AS kakao \
        FROM subscribers \
        WHERE status = 'active' AND enrollment = 'approved' AND consent_date IS NOT NULL \
        GROUP BY village_id, household_id \
    ) s ON s.village_id = v.id \
    WHERE ($1 = 0 OR v.town_id = $1) \
    GROUP BY v.id, v.town_id, t.name, v.name";

/// Every village (of one town, or all), the furthest behind first (lowest sign-up rate,
/// then the most households left).
pub async fn villages(db: &Db, town: Option<i64>) -> Result<Vec<VillageFunnel>, RegistryError> {
    let mut out: Vec<VillageFunnel> = maeul_db::query_as(VILLAGES)
        .bind(town.unwrap_or(0))
        .fetch_all(db)
        .await?;
    for f in &mut out {
        if f.households > 0 {
            f.rate = f.signed_up as f64 / f.households as f64;
        }
    }
    out.sort_by(|a, b| {
        a.rate
            .total_cmp(&b.rate)
            .then((b.households - b.signed_up).cmp(&(a.households - a.signed_up)))
            .then(a.village_id.cmp(&b.village_id))
    });
    Ok(out)
}

/// Households signed up by the end of each month ("YYYY-MM"), cumulative, from the first
/// month with a consent to `to`; of one town or the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MonthSignups {
    pub month: String,
    /// Households whose first consent fell in this month.
    pub new: i64,
    pub total: i64,
}

pub async fn by_month(
    db: &Db,
    town: Option<i64>,
    to: &str,
) -> Result<Vec<MonthSignups>, RegistryError> {
    // consent_date is a date ("2023-06-15"): its first seven characters are the month.
    let rows: Vec<(String, i64)> = maeul_db::query_as(
        "SELECT SUBSTR(first, 1, 7) AS month, COUNT(*) FROM ( \
             SELECT s.household_id, MIN(s.consent_date) AS first \
             FROM subscribers s JOIN villages v ON v.id = s.village_id \
             WHERE s.status = 'active' AND s.enrollment = 'approved' \
                 AND s.consent_date IS NOT NULL AND ($1 = 0 OR v.town_id = $1) \
             GROUP BY s.household_id \
         ) f GROUP BY SUBSTR(first, 1, 7) ORDER BY month",
    )
    .bind(town.unwrap_or(0))
    .fetch_all(db)
    .await?;
    let new: BTreeMap<String, i64> = rows.into_iter().collect();
    let Some(first) = new.keys().next().cloned() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut total = 0;
    let mut month = first;
    while month.as_str() <= to {
        let n = new.get(&month).copied().unwrap_or(0);
        total += n;
        out.push(MonthSignups {
            month: month.clone(),
            new: n,
            total,
        });
        month = maeul_time::month_after(&month);
    }
    Ok(out)
}
