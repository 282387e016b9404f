use maeul_api::ApiResult;
use maeul_registry::{Group, GroupInput};

use super::Desk;

#[tauri::command]
#[specta::specta]
pub async fn list_groups(s: Desk<'_>) -> ApiResult<Vec<Group>> {
    s.desk.list_groups(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_group(s: Desk<'_>, input: GroupInput) -> ApiResult<Group> {
    s.desk.create_group(&s.actor().await?, input).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_group(
    s: Desk<'_>,
    id: i64,
    version: i64,
    input: GroupInput,
) -> ApiResult<Group> {
    s.desk
        .update_group(&s.actor().await?, id, version, input)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_group(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.delete_group(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_group_members(
    s: Desk<'_>,
    id: i64,
    subscriber_ids: Vec<i64>,
    remove: bool,
) -> ApiResult<Group> {
    s.desk
        .change_group_members(&s.actor().await?, id, subscriber_ids, remove)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn groups_of_subscriber(s: Desk<'_>, id: i64) -> ApiResult<Vec<i64>> {
    s.desk.groups_of_subscriber(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_subscriber_groups(s: Desk<'_>, id: i64, group_ids: Vec<i64>) -> ApiResult<()> {
    s.desk
        .set_subscriber_groups(&s.actor().await?, id, group_ids)
        .await
}
