use jiff::Timestamp;
use maeul_api::{ApiResult, Dashboard, DashboardFilter, ReadinessOf};
use maeul_dispatch::reach::{Among, HouseholdReach};

use super::Desk;

/// 현황판: reach, sign-up, training and broadcasts for a town or the county, as of now.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(s: Desk<'_>, filter: DashboardFilter) -> ApiResult<Dashboard> {
    s.desk
        .dashboard(&s.actor().await?, filter, Timestamp::now())
        .await
}

/// A village's households not reached in the last `days` days (the chief's visit list).
#[tauri::command]
#[specta::specta]
pub async fn not_reached(
    s: Desk<'_>,
    village_id: i64,
    days: u32,
) -> ApiResult<Vec<HouseholdReach>> {
    s.desk
        .not_reached(
            &s.actor().await?,
            Among::Village(village_id),
            days,
            Timestamp::now(),
        )
        .await
}

/// Writes the visit sheet where the user chose: a PDF, or CSV when the name ends in .csv;
/// returns the PDF's pages or the CSV's households.
#[tauri::command]
#[specta::specta]
pub async fn not_reached_save(
    s: Desk<'_>,
    village_id: i64,
    days: u32,
    path: std::path::PathBuf,
) -> ApiResult<u32> {
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let (bytes, n) = s
        .desk
        .not_reached_sheet(&s.actor().await?, village_id, days, Timestamp::now(), csv)
        .await?;
    maeul_api::save_file(&path, &bytes).await?;
    Ok(n as u32)
}

/// Writes the readiness one-pager (a village, a town, or the county when neither is given)
/// where the user chose; returns its page count.
#[tauri::command]
#[specta::specta]
pub async fn readiness_save(
    s: Desk<'_>,
    village_id: Option<i64>,
    town_id: Option<i64>,
    path: std::path::PathBuf,
) -> ApiResult<u32> {
    let of = match (village_id, town_id) {
        (Some(v), _) => ReadinessOf::Village(v),
        (None, Some(t)) => ReadinessOf::Town(t),
        (None, None) => ReadinessOf::County,
    };
    let (bytes, pages) = s
        .desk
        .readiness_pdf(&s.actor().await?, of, Timestamp::now())
        .await?;
    maeul_api::save_file(&path, &bytes).await?;
    Ok(pages as u32)
}
