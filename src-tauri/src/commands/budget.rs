use std::path::PathBuf;

use tauri::ipc::Channel;

use maeul_api::{ApiResult, CardView, Printed};
use maeul_budget::pdf::PrintProgress;
use maeul_budget::{CardSummary, CheckIssue, PledgeCard};

use super::Desk;

#[tauri::command]
#[specta::specta]
pub async fn budget_list(s: Desk<'_>) -> ApiResult<Vec<CardSummary>> {
    s.desk.budget_list(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn budget_get(s: Desk<'_>, id: i64) -> ApiResult<CardView> {
    s.desk.budget_get(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn budget_check(s: Desk<'_>, card: PledgeCard) -> ApiResult<Vec<CheckIssue>> {
    s.desk.budget_check(&s.actor().await?, &card)
}

#[tauri::command]
#[specta::specta]
pub fn budget_blank(number: String, first_year: i32, last_year: i32) -> PledgeCard {
    PledgeCard::blank(&number, first_year, last_year)
}

#[tauri::command]
#[specta::specta]
pub async fn budget_save(
    s: Desk<'_>,
    id: Option<i64>,
    version: i64,
    card: PledgeCard,
) -> ApiResult<CardView> {
    s.desk
        .budget_save(&s.actor().await?, id, version, card)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn budget_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.budget_delete(&s.actor().await?, id).await
}

/// The PDF itself, for the in-app preview and printing.
#[tauri::command]
#[specta::specta]
pub async fn budget_pdf(
    s: Desk<'_>,
    ids: Vec<i64>,
    on_progress: Channel<PrintProgress>,
) -> ApiResult<Vec<u8>> {
    let (bytes, _) = s
        .desk
        .budget_pdf(&s.actor().await?, &ids, &move |p| drop(on_progress.send(p)))
        .await?;
    Ok(bytes)
}

#[tauri::command]
#[specta::specta]
pub async fn budget_save_pdf(
    s: Desk<'_>,
    ids: Vec<i64>,
    path: PathBuf,
    on_progress: Channel<PrintProgress>,
) -> ApiResult<Printed> {
    s.desk
        .budget_print_to(&s.actor().await?, &ids, &path, &move |p| {
            drop(on_progress.send(p));
        })
        .await
}
