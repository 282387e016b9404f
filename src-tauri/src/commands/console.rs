use tauri::ipc::Channel;

use maeul_api::{ApiResult, ConsoleEvent, ConsoleSettings, ConsoleState, OnAir, RecordingRow};
use maeul_mixer::graph::ChainSettings;

use super::Desk;

/// Opens the console (starting the engine on the stored devices if needed).
#[tauri::command]
#[specta::specta]
pub async fn console_open(s: Desk<'_>) -> ApiResult<ConsoleState> {
    s.console.open(&s.actor().await?).await
}

/// Meters (~30 a second), device and status changes, finished recordings.
#[tauri::command]
#[specta::specta]
pub async fn console_watch(s: Desk<'_>, on_event: Channel<ConsoleEvent>) -> ApiResult<()> {
    s.actor().await?;
    s.console.watch(move |e| {
        let _ = on_event.send(e);
    });
    Ok(())
}

/// The screen is gone: stop streaming meters to it.
#[tauri::command]
#[specta::specta]
pub async fn console_unwatch(s: Desk<'_>) -> ApiResult<()> {
    s.console.unwatch();
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn console_on_air(s: Desk<'_>, request: OnAir) -> ApiResult<i64> {
    s.console.go_on_air(&s.actor().await?, &request).await
}

#[tauri::command]
#[specta::specta]
pub async fn console_stop(s: Desk<'_>, now: bool) -> ApiResult<()> {
    s.console.stop(&s.actor().await?, now)
}

#[tauri::command]
#[specta::specta]
pub async fn console_preview(s: Desk<'_>, on: bool) -> ApiResult<()> {
    s.console.preview(&s.actor().await?, on)
}

/// Moves the levels now (while dragging); `console_settings_set` stores them.
#[tauri::command]
#[specta::specta]
pub async fn console_chain(s: Desk<'_>, chain: ChainSettings) -> ApiResult<()> {
    s.console.set_chain(&s.actor().await?, chain)
}

#[tauri::command]
#[specta::specta]
pub async fn console_settings_set(s: Desk<'_>, settings: ConsoleSettings) -> ApiResult<()> {
    s.console.apply_settings(&s.actor().await?, &settings).await
}

/// Plays a recording on the monitor; `None` stops.
#[tauri::command]
#[specta::specta]
pub async fn console_listen(s: Desk<'_>, id: Option<i64>) -> ApiResult<()> {
    s.console.listen(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn recording_list(s: Desk<'_>) -> ApiResult<Vec<RecordingRow>> {
    s.desk.recording_list(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn recording_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.recording_delete(&s.actor().await?, id).await
}

/// Takes an audio file in as a recording (normalised, with its telephone rendition).
#[tauri::command]
#[specta::specta]
pub async fn recording_import(
    s: Desk<'_>,
    path: std::path::PathBuf,
    title: String,
) -> ApiResult<RecordingRow> {
    s.desk
        .recording_import(&s.actor().await?, &path, &title)
        .await
}
