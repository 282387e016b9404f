//! What the office sent, by Seoul month and category: real broadcasts only (not practice,
//! not the resends and chiefs' notices a broadcast makes of itself).

use std::collections::BTreeMap;

use jiff::Timestamp;
use maeul_db::Conn;
use serde::Serialize;

use crate::DispatchError;
use crate::reach::month_of;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct CategoryMonth {
    pub month: String,
    pub admin: i64,
    pub village_news: i64,
    pub emergency: i64,
    pub education_event: i64,
}

/// Broadcasts per category for each month in `months` (Seoul "YYYY-MM", ascending), of one
/// town (broadcasts whose targets name it or one of its villages) or the county.
pub async fn by_month(
    conn: &mut Conn,
    months: &[String],
    town: Option<i64>,
) -> Result<Vec<CategoryMonth>, DispatchError> {
    let mut out: BTreeMap<String, CategoryMonth> = months
        .iter()
        .map(|m| {
            (
                m.clone(),
                CategoryMonth {
                    month: m.clone(),
                    ..CategoryMonth::default()
                },
            )
        })
        .collect();
    let Some(first) = months.first() else {
        return Ok(Vec::new());
    };
    // A Seoul month starts 9 hours before its UTC date: reading from the first day of the
    // month before (stamps sort as text) is enough, and the rest is dropped below.
    let since = previous_month(first);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT b.category, b.created_at FROM broadcasts b \
         WHERE b.practice = 0 AND b.purpose = 'broadcast' AND b.created_at >= $1 \
             AND ($2 = 0 OR EXISTS (SELECT 1 FROM deliveries d JOIN villages v ON v.id = d.village_id \
                 WHERE d.broadcast_id = b.id AND v.town_id = $2))",
    )
    .bind(&since)
    .bind(town.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    for (category, at) in rows {
        let Ok(t) = at.parse::<Timestamp>() else {
            continue;
        };
        let Some(m) = out.get_mut(&month_of(t)) else {
            continue;
        };
        match category.as_str() {
            "admin" => m.admin += 1,
            "village_news" => m.village_news += 1,
            "emergency" => m.emergency += 1,
            _ => m.education_event += 1,
        }
    }
    Ok(out.into_values().collect())
}

/// "2024-01" → "2023-12".
fn previous_month(m: &str) -> String {
    let (y, mo) = m.split_once('-').unwrap_or(("0", "1"));
    let (y, mo) = (
        y.parse::<i32>().unwrap_or(0),
        mo.parse::<u32>().unwrap_or(1),
    );
    if mo <= 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", mo - 1)
    }
}
