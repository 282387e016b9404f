use std::path::PathBuf;

use tauri::ipc::Channel;

use maeul_accounts::audit::{AuditEntry, VerifyReport};
use maeul_accounts::users::{NewUser, User};
use maeul_api::ApiResult;
use maeul_registry::import::{ImportProgress, ImportReport};

use super::Desk;

#[tauri::command]
#[specta::specta]
pub async fn list_users(s: Desk<'_>) -> ApiResult<Vec<User>> {
    s.desk.list_users(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_user(s: Desk<'_>, user: NewUser) -> ApiResult<User> {
    s.desk.create_user(&s.actor().await?, user).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_user_active(s: Desk<'_>, user_id: i64, active: bool) -> ApiResult<()> {
    s.desk
        .set_user_active(&s.actor().await?, user_id, active)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_password(
    s: Desk<'_>,
    user_id: i64,
    current: Option<String>,
    password: String,
) -> ApiResult<()> {
    s.desk
        .set_password(&s.actor().await?, user_id, current.as_deref(), &password)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn backup_db(s: Desk<'_>, path: PathBuf) -> ApiResult<()> {
    s.desk.backup(&s.actor().await?, &path).await
}

#[tauri::command]
#[specta::specta]
pub async fn seed_demo(
    s: Desk<'_>,
    on_progress: Channel<ImportProgress>,
) -> ApiResult<ImportReport> {
    s.desk
        .seed_demo(&s.actor().await?, &move |p| {
            let _ = on_progress.send(p);
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn audit_verify(s: Desk<'_>) -> ApiResult<VerifyReport> {
    s.desk.audit_verify(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn audit_list(s: Desk<'_>, limit: u32, offset: u32) -> ApiResult<Vec<AuditEntry>> {
    s.desk.audit_list(&s.actor().await?, limit, offset).await
}
