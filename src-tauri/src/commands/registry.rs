use std::path::PathBuf;

use tauri::ipc::Channel;

use maeul_api::ApiResult;
use maeul_registry::export::ExportFormat;
use maeul_registry::import::{ImportOptions, ImportPreview, ImportProgress, ImportReport};
use maeul_registry::{
    RegistryStats, SubscriberFilter, SubscriberInput, SubscriberRow, Town, VillageSummary,
    VillageUpdate,
};

use super::Desk;

#[tauri::command]
#[specta::specta]
pub async fn registry_stats(s: Desk<'_>) -> ApiResult<RegistryStats> {
    s.desk.registry_stats(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_towns(s: Desk<'_>) -> ApiResult<Vec<Town>> {
    s.desk.list_towns(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_villages(s: Desk<'_>) -> ApiResult<Vec<VillageSummary>> {
    s.desk.list_villages(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_village(
    s: Desk<'_>,
    village_id: i64,
    change: VillageUpdate,
) -> ApiResult<VillageSummary> {
    s.desk
        .update_village(&s.actor().await?, village_id, change)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_subscribers(
    s: Desk<'_>,
    filter: SubscriberFilter,
) -> ApiResult<Vec<SubscriberRow>> {
    s.desk.list_subscribers(&s.actor().await?, filter).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_subscriber(s: Desk<'_>, id: i64) -> ApiResult<SubscriberRow> {
    s.desk.get_subscriber(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_subscriber(s: Desk<'_>, input: SubscriberInput) -> ApiResult<i64> {
    s.desk.add_subscriber(&s.actor().await?, input).await
}

#[tauri::command]
#[specta::specta]
pub async fn request_enrollment(s: Desk<'_>, input: SubscriberInput) -> ApiResult<i64> {
    s.desk.request_enrollment(&s.actor().await?, input).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_subscriber(
    s: Desk<'_>,
    id: i64,
    version: i64,
    input: SubscriberInput,
) -> ApiResult<()> {
    s.desk
        .update_subscriber(&s.actor().await?, id, version, input)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_subscriber(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.delete_subscriber(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn decide_enrollment(s: Desk<'_>, id: i64, approve: bool) -> ApiResult<()> {
    s.desk
        .decide_enrollment(&s.actor().await?, id, approve)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_preview(
    s: Desk<'_>,
    path: PathBuf,
    options: ImportOptions,
) -> ApiResult<ImportPreview> {
    s.desk
        .import_preview(&s.actor().await?, &path, options)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_registry(
    s: Desk<'_>,
    path: PathBuf,
    options: ImportOptions,
    dry_run: bool,
    on_progress: Channel<ImportProgress>,
) -> ApiResult<ImportReport> {
    s.desk
        .import_registry(&s.actor().await?, &path, options, dry_run, &move |p| {
            drop(on_progress.send(p));
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn export_registry(s: Desk<'_>, path: PathBuf, format: ExportFormat) -> ApiResult<u32> {
    s.desk
        .export_registry(&s.actor().await?, &path, format)
        .await
}
