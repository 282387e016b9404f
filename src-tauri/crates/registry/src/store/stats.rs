use maeul_db::Db;

use crate::store::towns;
use crate::{ChannelCounts, RegistryError, RegistryStats};

/// Each count takes the village (or NULL for the county) as `$1`.
const VILLAGES: &str = "SELECT COUNT(*) FROM villages WHERE ($1 IS NULL OR id = $1)";
const HOUSEHOLDS: &str = "SELECT COUNT(*) FROM households WHERE ($1 IS NULL OR village_id = $1)";
const SUBSCRIBERS: &str = "SELECT COUNT(*) FROM subscribers WHERE ($1 IS NULL OR village_id = $1) AND enrollment = 'approved'";
const OPTED_OUT: &str = "SELECT COUNT(*) FROM subscribers WHERE ($1 IS NULL OR village_id = $1) AND status = 'opted_out'";
const PENDING: &str = "SELECT COUNT(*) FROM subscribers WHERE ($1 IS NULL OR village_id = $1) AND enrollment = 'pending'";
/// Active, approved and consented, by channel: the people a broadcast would reach.
const REACHABLE: &str = "SELECT COUNT(*), COUNT(CASE WHEN want_voice THEN 1 END), COUNT(CASE WHEN want_sms THEN 1 END), \
       COUNT(CASE WHEN want_kakao THEN 1 END) FROM subscribers \
     WHERE ($1 IS NULL OR village_id = $1) AND status = 'active' AND enrollment = 'approved' \
       AND consent_date IS NOT NULL";

async fn count(db: &Db, sql: &'static str, village: Option<i64>) -> Result<i64, RegistryError> {
    let (n,): (i64,) = maeul_db::query_as(sql).bind(village).fetch_one(db).await?;
    Ok(n)
}

/// Counts for the whole county, or for one village.
pub async fn stats(db: &Db, village: Option<i64>) -> Result<RegistryStats, RegistryError> {
    let (towns,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM towns")
        .fetch_one(db)
        .await?;
    let (reachable, voice, sms, kakao): (i64, i64, i64, i64) = maeul_db::query_as(REACHABLE)
        .bind(village)
        .fetch_one(db)
        .await?;
    Ok(RegistryStats {
        county: towns::county_name(db).await?,
        towns,
        villages: count(db, VILLAGES, village).await?,
        households: count(db, HOUSEHOLDS, village).await?,
        subscribers: count(db, SUBSCRIBERS, village).await?,
        reachable,
        opted_out: count(db, OPTED_OUT, village).await?,
        pending: count(db, PENDING, village).await?,
        by_channel: ChannelCounts { voice, sms, kakao },
    })
}
