//! What the office sent, by Seoul month and category: real broadcasts only (not practice,
//! not the resends and chiefs' notices a broadcast makes of itself).

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use maeul_db::Conn;
use serde::Serialize;

use crate::DispatchError;
use crate::broadcast::Targets;
use crate::reach::month_of;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct CategoryMonth {
    pub month: String,
    pub admin: i64,
    pub village_news: i64,
    pub emergency: i64,
    pub education_event: i64,
}

/// The real broadcasts made since `since` (stamp): category, when, and the villages they
/// were addressed to (`None`: every village).
struct Sent {
    category: String,
    created_at: String,
    villages: Option<Vec<i64>>,
}

async fn sent_since(conn: &mut Conn, since: &str) -> Result<Vec<Sent>, DispatchError> {
    let rows: Vec<(i64, String, String, String)> = maeul_db::query_as(
        "SELECT id, category, created_at, targets FROM broadcasts \
         WHERE NOT practice AND purpose = 'broadcast' AND created_at >= $1",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let towns: Vec<(i64, i64)> = maeul_db::query_as("SELECT id, town_id FROM villages")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, category, created_at, targets) in rows {
        let villages = match serde_json::from_str::<Targets>(&targets) {
            Ok(Targets::All) => None,
            Ok(Targets::Villages(ids)) => Some(ids),
            Ok(Targets::Towns(ids)) => Some(
                towns
                    .iter()
                    .filter(|(_, t)| ids.contains(t))
                    .map(|(v, _)| *v)
                    .collect(),
            ),
            // Groups and single subscribers: where its deliveries went.
            _ => {
                let v: Vec<(i64,)> = maeul_db::query_as(
                    "SELECT DISTINCT village_id FROM deliveries \
                     WHERE broadcast_id = $1 AND village_id IS NOT NULL",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                Some(v.into_iter().map(|(v,)| v).collect())
            }
        };
        out.push(Sent {
            category,
            created_at,
            villages,
        });
    }
    Ok(out)
}

/// Broadcasts per category for each month in `months` (Seoul "YYYY-MM", ascending), of one
/// town (those addressed to it or to one of its villages, county-wide ones included) or the
/// county.
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
    let sent = sent_since(conn, &maeul_time::month_before(first)).await?;
    let in_town: Vec<i64> = match town {
        Some(t) => maeul_db::query_as::<(i64,)>("SELECT id FROM villages WHERE town_id = $1")
            .bind(t)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(v,)| v)
            .collect(),
        None => Vec::new(),
    };
    for b in sent {
        if town.is_some()
            && b.villages
                .as_ref()
                .is_some_and(|vs| !vs.iter().any(|v| in_town.contains(v)))
        {
            continue;
        }
        let Ok(t) = b.created_at.parse::<Timestamp>() else {
            continue;
        };
        let Some(m) = out.get_mut(&month_of(t)) else {
            continue;
        };
        match b.category.as_str() {
            "admin" => m.admin += 1,
            "village_news" => m.village_news += 1,
            "emergency" => m.emergency += 1,
            _ => m.education_event += 1,
        }
    }
    Ok(out.into_values().collect())
}

/// How many real broadcasts were addressed to each village and each town since a time
/// (county-wide ones count everywhere), and how many there were in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressed {
    pub villages: HashMap<i64, i64>,
    pub towns: HashMap<i64, i64>,
    pub all: i64,
}

pub async fn addressed_since(
    conn: &mut Conn,
    since: Timestamp,
) -> Result<Addressed, DispatchError> {
    let sent = sent_since(conn, &crate::policy::stamp(since)).await?;
    let map: Vec<(i64, i64)> = maeul_db::query_as("SELECT id, town_id FROM villages")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Addressed {
        all: sent.len() as i64,
        ..Addressed::default()
    };
    for b in &sent {
        let mut towns: Vec<i64> = Vec::new();
        for (v, t) in &map {
            if b.villages.as_ref().is_none_or(|vs| vs.contains(v)) {
                *out.villages.entry(*v).or_default() += 1;
                if !towns.contains(t) {
                    towns.push(*t);
                }
            }
        }
        for t in towns {
            *out.towns.entry(t).or_default() += 1;
        }
    }
    Ok(out)
}
