//! Writing checked rows: households found or created, subscribers inserted in batches, all
//! in one transaction.

use std::collections::HashMap;

use maeul_db::{Db, QueryBuilder, dialect};

use super::rows::ParsedRow;
use super::{ImportProgress, ImportStage};
use crate::RegistryError;

type HouseholdKey = (i64, String, String);

/// Rows per INSERT: well under SQLite's 32,766 bound parameters at 14 columns.
const BATCH: usize = 1000;

async fn existing_households(
    conn: &mut maeul_db::Conn,
) -> Result<HashMap<HouseholdKey, i64>, RegistryError> {
    let rows: Vec<(i64, i64, String, String)> =
        maeul_db::query_as("SELECT id, village_id, address, head_name FROM households")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, v, a, h)| ((v, a, h), id))
        .collect())
}

pub async fn count_new_households(db: &Db, rows: &[ParsedRow]) -> Result<u32, RegistryError> {
    let mut conn = db.acquire().await?;
    let mut known = existing_households(&mut conn).await?;
    let mut new = 0;
    for r in rows {
        let key = (r.village_id, r.address.clone(), r.head_name.clone());
        if let std::collections::hash_map::Entry::Vacant(slot) = known.entry(key) {
            slot.insert(0);
            new += 1;
        }
    }
    Ok(new)
}

/// Returns (households created, subscribers created).
/// Runs inside the caller's write transaction (begun IMMEDIATE, so that the ids read here
/// stay ours until commit).
pub async fn write(
    tx: &mut maeul_db::Conn,
    rows: &[ParsedRow],
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<(u32, u32), RegistryError> {
    let total = rows.len() as u32;
    progress(ImportProgress {
        stage: ImportStage::Writing,
        done: 0,
        total,
    });
    let now = maeul_time::now_utc();
    let mut known = existing_households(&mut *tx).await?;
    // New households get a placeholder (-1, -2, …) until their count is known and ids are
    // reserved for them.
    let mut new_households: Vec<(i64, &ParsedRow)> = Vec::new();
    let mut household_of = Vec::with_capacity(rows.len());
    for r in rows {
        let key = (r.village_id, r.address.clone(), r.head_name.clone());
        let id = *known.entry(key).or_insert_with(|| {
            new_households.push((-(new_households.len() as i64) - 1, r));
            -(new_households.len() as i64)
        });
        household_of.push(id);
    }
    let household_ids = dialect::reserve_ids(&mut *tx, "households", new_households.len()).await?;
    let reserved = |placeholder: i64| household_ids[(-placeholder - 1) as usize];
    for (id, _) in &mut new_households {
        *id = reserved(*id);
    }
    for id in &mut household_of {
        if *id < 0 {
            *id = reserved(*id);
        }
    }
    let mut subscriber_ids = dialect::reserve_ids(&mut *tx, "subscribers", rows.len())
        .await?
        .into_iter();

    for chunk in new_households.chunks(BATCH) {
        let mut q: QueryBuilder = QueryBuilder::new(
            "INSERT INTO households (id, village_id, address, head_name, created_at) ",
        );
        q.push_values(chunk, |mut b, (id, r)| {
            b.push_bind(*id)
                .push_bind(r.village_id)
                .push_bind(&r.address)
                .push_bind(&r.head_name)
                .push_bind(&now);
        });
        q.build().execute(&mut *tx).await?;
    }

    let mut written = 0u32;
    for (chunk_rows, chunk_households) in rows.chunks(BATCH).zip(household_of.chunks(BATCH)) {
        let mut q: QueryBuilder = QueryBuilder::new(
            "INSERT INTO subscribers (id, household_id, village_id, name, phone, phone_kind, consent_date, \
             consent_method, want_voice, want_sms, want_kakao, status, enrollment, created_at, updated_at) ",
        );
        q.push_values(
            chunk_rows.iter().zip(chunk_households),
            |mut b, (r, household)| {
                b.push_bind(subscriber_ids.next().expect("one id reserved per row"))
                    .push_bind(*household)
                    .push_bind(r.village_id)
                    .push_bind(&r.name)
                    .push_bind(&r.phone)
                    .push_bind(r.kind.as_str())
                    .push_bind(&r.consent_date)
                    .push_bind(r.consent_method.map(|m| m.as_str()))
                    .push_bind(r.voice)
                    .push_bind(r.sms)
                    .push_bind(r.kakao)
                    .push_bind(r.status.as_str())
                    .push_bind("approved")
                    .push_bind(&now)
                    .push_bind(&now);
            },
        );
        q.build().execute(&mut *tx).await?;
        written += chunk_rows.len() as u32;
        progress(ImportProgress {
            stage: ImportStage::Writing,
            done: written,
            total,
        });
    }
    Ok((new_households.len() as u32, written))
}
