//! Chief training as readiness: for every village, whether its chief has attended a
//! training (checked in as the village's chief, not as a walk-in), and when first and last;
//! per town, how many of its chiefs are trained.

use maeul_db::Conn;
use serde::Serialize;

use crate::ProgramsError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, sqlx::FromRow)]
pub struct ChiefTraining {
    pub village_id: i64,
    pub town_id: i64,
    /// Sessions of the village's town the chief was on the roster of.
    pub invited: i64,
    /// Of those, the ones they checked in at.
    pub attended: i64,
    /// When the first and the last attended session started, as trainings keep it.
    pub first_at: Option<String>,
    pub last_at: Option<String>,
}

/// Every village, in village order, counting the sessions started before `now_local`
/// (Seoul "YYYY-MM-DDTHH:MM", as trainings keep their times): a session next week has not
/// been missed yet.
pub async fn chiefs(conn: &mut Conn, now_local: &str) -> Result<Vec<ChiefTraining>, ProgramsError> {
    Ok(maeul_db::query_as(
        "SELECT v.id AS village_id, v.town_id, COUNT(a.id) AS invited, \
             COALESCE(SUM(CASE WHEN a.checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS attended, \
             MIN(CASE WHEN a.checked_in_at IS NOT NULL THEN a.starts_at END) AS first_at, \
             MAX(CASE WHEN a.checked_in_at IS NOT NULL THEN a.starts_at END) AS last_at \
         FROM villages v LEFT JOIN ( \
             SELECT r.id, r.village_id, r.checked_in_at, t.starts_at \
             FROM training_attendees r JOIN trainings t ON t.id = r.training_id \
             WHERE NOT r.walk_in AND t.starts_at <= $1 \
         ) a ON a.village_id = v.id \
         GROUP BY v.id, v.town_id ORDER BY v.id",
    )
    .bind(now_local)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TownTraining {
    pub town_id: i64,
    pub chiefs: i64,
    /// Chiefs who attended at least one session.
    pub trained: i64,
    /// Chiefs invited to at least one session who attended none.
    pub missed: i64,
}

/// Per town, from [`chiefs`].
pub fn by_town(chiefs: &[ChiefTraining]) -> Vec<TownTraining> {
    let mut out: Vec<TownTraining> = Vec::new();
    for c in chiefs {
        let i = match out.iter().position(|t| t.town_id == c.town_id) {
            Some(i) => i,
            None => {
                out.push(TownTraining {
                    town_id: c.town_id,
                    chiefs: 0,
                    trained: 0,
                    missed: 0,
                });
                out.len() - 1
            }
        };
        let t = &mut out[i];
        t.chiefs += 1;
        if c.attended > 0 {
            t.trained += 1;
        } else if c.invited > 0 {
            t.missed += 1;
        }
    }
    out.sort_by_key(|t| t.town_id);
    out
}
