use serde::Serialize;

use maeul_api::{Actor, ApiResult, ErrorCode, Permission};

use super::Desk;

#[derive(Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub db_path: String,
    /// A file on this PC or the office server (its password never included).
    pub storage: maeul_api::StorageInfo,
    pub needs_setup: bool,
    /// The audit chain's end against its anchor, as found at start; the layout shows a
    /// banner when it is a problem.
    pub audit_anchor: maeul_accounts::anchor::AnchorCheck,
}

#[derive(Serialize, specta::Type)]
pub struct Session {
    pub actor: Actor,
    pub permissions: Vec<Permission>,
}

fn session(actor: Actor) -> Session {
    Session {
        permissions: maeul_api::permissions_of(actor.role),
        actor,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(s: Desk<'_>) -> ApiResult<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        db_path: s
            .desk
            .db_path()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        storage: s.desk.storage(),
        needs_setup: s.desk.needs_setup().await?,
        audit_anchor: s.desk.audit_anchor(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn setup_admin(
    s: Desk<'_>,
    username: String,
    display_name: String,
    password: String,
) -> ApiResult<Session> {
    let actor = s
        .desk
        .create_first_admin(&username, &display_name, &password)
        .await?;
    s.set_actor(Some(actor.clone()));
    Ok(session(actor))
}

#[tauri::command]
#[specta::specta]
pub async fn login(s: Desk<'_>, username: String, password: String) -> ApiResult<Session> {
    let actor = s.desk.login(&username, &password).await?;
    s.set_actor(Some(actor.clone()));
    Ok(session(actor))
}

#[tauri::command]
#[specta::specta]
pub fn logout(s: Desk<'_>) {
    s.set_actor(None);
}

/// Who is signed in, checked against the database like every command (`None` once the
/// account has been switched off).
#[tauri::command]
#[specta::specta]
pub async fn current_session(s: Desk<'_>) -> ApiResult<Option<Session>> {
    match s.actor().await {
        Ok(actor) => Ok(Some(session(actor))),
        Err(e) if e.code == ErrorCode::NotSignedIn => Ok(None),
        Err(e) => Err(e),
    }
}

/// The idle lock and whatever else each window applies to its own session.
#[tauri::command]
#[specta::specta]
pub async fn session_settings(s: Desk<'_>) -> ApiResult<maeul_api::SessionSettings> {
    s.desk.session_settings(&s.actor().await?).await
}

/// What other desks changed since audit entry `after` (the window polls this to reload the
/// screens they touched).
#[tauri::command]
#[specta::specta]
pub async fn changes_since(s: Desk<'_>, after: i64) -> ApiResult<maeul_api::Changes> {
    s.desk.changes_since(&s.actor().await?, after).await
}

/// Tries the office server's URL without changing anything: the 설정 and first-run
/// screens' "연결 시험".
#[tauri::command]
#[specta::specta]
pub async fn check_office_server(
    url: String,
    password: Option<String>,
) -> ApiResult<maeul_api::ServerCheck> {
    maeul_api::check_server(&url, password.as_deref()).await
}

/// Saves the office server for this PC (tested first) and restarts the app on it.
#[tauri::command]
#[specta::specta]
pub async fn join_office_server(
    app: tauri::AppHandle,
    s: Desk<'_>,
    url: String,
    password: Option<String>,
) -> ApiResult<maeul_api::ServerCheck> {
    let actor = s.actor().await.ok();
    let check = s
        .desk
        .join_server(actor.as_ref(), &url, password.as_deref())
        .await?;
    restart_soon(app);
    Ok(check)
}

/// Back to the database file on this PC from a restart.
#[tauri::command]
#[specta::specta]
pub async fn leave_office_server(app: tauri::AppHandle, s: Desk<'_>) -> ApiResult<()> {
    let actor = s.actor().await?;
    s.desk.leave_server(&actor).await?;
    restart_soon(app);
    Ok(())
}

/// Restarts after the reply has reached the window, so it can say what happens next.
fn restart_soon(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        app.restart();
    });
}
