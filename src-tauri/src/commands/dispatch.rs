use maeul_api::{
    AlarmSettings, AlertImported, ApiResult, BroadcastDetail, Created, DispatchSettings, DraftSent,
    FeedPolled, FeedSettings, FeedStatus, FieldValue, SyncStatus,
};
use maeul_dispatch::broadcast::NewBroadcast;
use maeul_dispatch::drafts::Draft;
use maeul_dispatch::escalation::Ladders;
use maeul_dispatch::providers::ProviderSettings;
use maeul_dispatch::report::{BroadcastRow, NotReached, StateCount};
use maeul_dispatch::secret::Secret;
use maeul_dispatch::store::Summary;
use maeul_dispatch::templates::{Filled, NewTemplate, Template};

use super::Desk;

#[tauri::command]
#[specta::specta]
pub async fn broadcast_preview(s: Desk<'_>, broadcast: NewBroadcast) -> ApiResult<Summary> {
    s.desk.broadcast_preview(&s.actor().await?, broadcast).await
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_send(s: Desk<'_>, broadcast: NewBroadcast) -> ApiResult<Created> {
    let created = s.desk.broadcast_send(&s.actor().await?, broadcast).await?;
    s.sync.wake();
    Ok(created)
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_list(s: Desk<'_>, include_practice: bool) -> ApiResult<Vec<BroadcastRow>> {
    s.desk
        .broadcast_list(&s.actor().await?, include_practice)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_detail(s: Desk<'_>, id: i64) -> ApiResult<BroadcastDetail> {
    s.desk.broadcast_detail(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_report(s: Desk<'_>, id: i64) -> ApiResult<Vec<StateCount>> {
    s.desk.broadcast_report(&s.actor().await?, id).await
}

/// Writes the delivery report CSV where the user chose; returns its line count.
#[tauri::command]
#[specta::specta]
pub async fn broadcast_csv_save(s: Desk<'_>, id: i64, path: std::path::PathBuf) -> ApiResult<u32> {
    let (bytes, lines) = s.desk.broadcast_csv(&s.actor().await?, id).await?;
    maeul_api::save_file(&path, &bytes).await?;
    Ok(lines)
}

/// 설정's "연결 시험".
#[tauri::command]
#[specta::specta]
pub async fn provider_test(s: Desk<'_>) -> ApiResult<String> {
    s.desk.provider_test(&s.actor().await?).await
}

/// Writes the delivery report PDF where the user chose; returns its page count.
#[tauri::command]
#[specta::specta]
pub async fn broadcast_pdf_save(s: Desk<'_>, id: i64, path: std::path::PathBuf) -> ApiResult<u32> {
    let (bytes, pages) = s.desk.broadcast_pdf(&s.actor().await?, id).await?;
    maeul_api::save_file(&path, &bytes).await?;
    Ok(pages as u32)
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_cancel(s: Desk<'_>, id: i64) -> ApiResult<u32> {
    s.desk.broadcast_cancel(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn templates_list(s: Desk<'_>) -> ApiResult<Vec<Template>> {
    s.desk.templates_list(&s.actor().await?).await
}

/// A new frequent message (`id` null), or a change to one as of `version`.
#[tauri::command]
#[specta::specta]
pub async fn template_save(
    s: Desk<'_>,
    id: Option<i64>,
    version: Option<i64>,
    template: NewTemplate,
) -> ApiResult<Template> {
    s.desk
        .template_save(&s.actor().await?, id, version, template)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn template_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.template_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn template_fill(s: Desk<'_>, id: i64, values: Vec<FieldValue>) -> ApiResult<Filled> {
    s.desk.template_fill(&s.actor().await?, id, values).await
}

/// Stops the escalation steps of a broadcast not yet taken.
#[tauri::command]
#[specta::specta]
pub async fn broadcast_escalation_stop(s: Desk<'_>, id: i64) -> ApiResult<u32> {
    s.desk
        .broadcast_escalation_stop(&s.actor().await?, id)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn escalation_settings(s: Desk<'_>) -> ApiResult<Ladders> {
    s.desk.escalation_settings(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn escalation_set(s: Desk<'_>, ladders: Ladders) -> ApiResult<Ladders> {
    s.desk.escalation_set(&s.actor().await?, ladders).await
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_approve(s: Desk<'_>, id: i64) -> ApiResult<BroadcastRow> {
    let row = s.desk.broadcast_approve(&s.actor().await?, id).await?;
    s.sync.wake();
    Ok(row)
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_not_reached(s: Desk<'_>, id: i64) -> ApiResult<Vec<NotReached>> {
    s.desk.broadcast_not_reached(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn broadcast_resend_not_reached(s: Desk<'_>, id: i64) -> ApiResult<Created> {
    let created = s
        .desk
        .broadcast_resend_not_reached(&s.actor().await?, id)
        .await?;
    s.sync.wake();
    Ok(created)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_status(s: Desk<'_>) -> ApiResult<SyncStatus> {
    s.actor().await?;
    Ok(s.sync.status())
}

/// After a restore: a person lets the paused outbox send again.
#[tauri::command]
#[specta::specta]
pub async fn sync_resume(s: Desk<'_>) -> ApiResult<bool> {
    let resumed = s.desk.outbox_resume(&s.actor().await?).await?;
    s.sync.wake();
    Ok(resumed)
}

#[tauri::command]
#[specta::specta]
pub async fn dispatch_settings(s: Desk<'_>) -> ApiResult<DispatchSettings> {
    s.desk.dispatch_settings(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn setting_set(s: Desk<'_>, key: String, value: String) -> ApiResult<()> {
    s.desk.setting_set(&s.actor().await?, &key, &value).await?;
    s.sync.wake();
    Ok(())
}

/// The provider in use, and whether the keyring holds its secret (never the secret).
#[derive(serde::Serialize, specta::Type)]
pub struct ProviderView {
    pub settings: Option<ProviderSettings>,
    pub has_secret: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn provider_get(s: Desk<'_>) -> ApiResult<ProviderView> {
    let (settings, has_secret) = s.desk.provider_settings(&s.actor().await?).await?;
    Ok(ProviderView {
        settings,
        has_secret,
    })
}

/// `secret`: a new one to store in the keyring, or none to keep the stored one.
#[tauri::command]
#[specta::specta]
pub async fn provider_set(
    s: Desk<'_>,
    settings: ProviderSettings,
    secret: Option<String>,
) -> ApiResult<()> {
    s.desk
        .provider_set(&s.actor().await?, settings, secret.map(Secret::new))
        .await?;
    s.sync.wake();
    Ok(())
}

/// Writes the broadcast as a CAP 1.2 alert where the user chose.
#[tauri::command]
#[specta::specta]
pub async fn broadcast_cap_save(s: Desk<'_>, id: i64, path: std::path::PathBuf) -> ApiResult<()> {
    let xml = s.desk.broadcast_cap(&s.actor().await?, id).await?;
    maeul_api::save_file(&path, xml.as_bytes()).await
}

/// Reads the CAP file the user picked (or dropped) and makes its draft.
#[tauri::command]
#[specta::specta]
pub async fn alert_import_file(s: Desk<'_>, path: std::path::PathBuf) -> ApiResult<AlertImported> {
    s.desk.alert_import_file(&s.actor().await?, &path).await
}

#[tauri::command]
#[specta::specta]
pub async fn drafts_open(s: Desk<'_>) -> ApiResult<Vec<Draft>> {
    s.desk.drafts_open(&s.actor().await?).await
}

/// "지금 보내기" on a draft (or, with `edited`, "고쳐서 보내기" from the compose form): the
/// broadcast it became (the sync loop woken to send it) and its loudspeaker part, when the
/// office chose an alarm recording.
#[tauri::command]
#[specta::specta]
pub async fn draft_send(
    s: Desk<'_>,
    id: i64,
    version: i64,
    edited: Option<NewBroadcast>,
) -> ApiResult<DraftSent> {
    let sent = s
        .console
        .draft_send(&s.actor().await?, id, version, edited)
        .await?;
    s.sync.wake();
    Ok(sent)
}

/// "확성기로 방송" on a draft: the alarm recording on its villages' loudspeakers.
#[tauri::command]
#[specta::specta]
pub async fn draft_on_air(s: Desk<'_>, id: i64) -> ApiResult<i64> {
    s.console.draft_on_air(&s.actor().await?, id).await
}

/// 설정's alarm recording and whether 위급재난 plays by itself.
#[tauri::command]
#[specta::specta]
pub async fn alarm_get(s: Desk<'_>) -> ApiResult<AlarmSettings> {
    s.desk.alarm_settings(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn alarm_set(
    s: Desk<'_>,
    recording_id: Option<i64>,
    auto_critical: bool,
) -> ApiResult<()> {
    s.desk
        .alarm_set(&s.actor().await?, recording_id, auto_critical)
        .await?;
    // A 위급재난 waiting for the setting plays at once.
    s.feed.wake();
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn draft_dismiss(s: Desk<'_>, id: i64, version: i64) -> ApiResult<()> {
    s.desk.draft_dismiss(&s.actor().await?, id, version).await
}

/// Where the 재난문자 feed stands on this PC, for the dispatch page's badge.
#[tauri::command]
#[specta::specta]
pub async fn feed_status(s: Desk<'_>) -> ApiResult<FeedStatus> {
    s.actor().await?;
    Ok(s.feed.status())
}

#[tauri::command]
#[specta::specta]
pub async fn feed_get(s: Desk<'_>) -> ApiResult<FeedSettings> {
    s.desk.feed_settings(&s.actor().await?).await
}

/// Saves where the feed is and (when typed) its key; the loop asks again at once.
#[tauri::command]
#[specta::specta]
pub async fn feed_set(s: Desk<'_>, base_url: String, key: Option<String>) -> ApiResult<()> {
    let key = key.map(Secret::new);
    s.desk
        .feed_set(&s.actor().await?, &base_url, key.as_ref())
        .await?;
    s.feed.wake();
    Ok(())
}

/// 설정's "지금 확인": one poll now, what it found.
#[tauri::command]
#[specta::specta]
pub async fn feed_poll_now(s: Desk<'_>) -> ApiResult<FeedPolled> {
    let polled = s.desk.feed_poll_now(&s.actor().await?).await?;
    s.feed.wake();
    Ok(polled)
}
