use std::path::PathBuf;

use maeul_api::{ApiResult, CalendarView, PracticeState, ReminderPlan, ReminderSettings, WalkIn};
use maeul_programs::calendar::EventKind;
use maeul_programs::{
    Attendance, Checklist, Cohort, CohortDetail, CohortSummary, Outcome, Person, Team, Training,
    TrainingDetail, TrainingSummary, Workshop,
};

use super::Desk;

#[tauri::command]
#[specta::specta]
pub async fn cohort_list(s: Desk<'_>) -> ApiResult<Vec<CohortSummary>> {
    s.desk.cohort_list(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn cohort_get(s: Desk<'_>, id: i64) -> ApiResult<CohortDetail> {
    s.desk.cohort_get(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn cohort_save(s: Desk<'_>, cohort: Cohort) -> ApiResult<i64> {
    s.desk.cohort_save(&s.actor().await?, cohort).await
}

#[tauri::command]
#[specta::specta]
pub async fn cohort_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.cohort_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn person_save(s: Desk<'_>, person: Person) -> ApiResult<i64> {
    s.desk.person_save(&s.actor().await?, person).await
}

#[tauri::command]
#[specta::specta]
pub async fn person_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.person_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn workshop_save(s: Desk<'_>, workshop: Workshop) -> ApiResult<maeul_api::WorkshopSaved> {
    s.desk.workshop_save(&s.actor().await?, workshop).await
}

#[tauri::command]
#[specta::specta]
pub async fn workshop_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.workshop_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn attendance_mark(
    s: Desk<'_>,
    workshop_id: i64,
    person_id: i64,
    status: Option<Attendance>,
) -> ApiResult<()> {
    s.desk
        .attendance_mark(&s.actor().await?, workshop_id, person_id, status)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn team_save(s: Desk<'_>, team: Team) -> ApiResult<i64> {
    s.desk.team_save(&s.actor().await?, team).await
}

#[tauri::command]
#[specta::specta]
pub async fn team_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.team_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn outcome_save(s: Desk<'_>, outcome: Outcome) -> ApiResult<i64> {
    s.desk.outcome_save(&s.actor().await?, outcome).await
}

#[tauri::command]
#[specta::specta]
pub async fn outcome_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.outcome_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn training_list(s: Desk<'_>) -> ApiResult<Vec<TrainingSummary>> {
    s.desk.training_list(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn training_get(s: Desk<'_>, id: i64) -> ApiResult<TrainingDetail> {
    s.desk.training_get(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn training_save(s: Desk<'_>, training: Training) -> ApiResult<i64> {
    s.desk.training_save(&s.actor().await?, training).await
}

#[tauri::command]
#[specta::specta]
pub async fn training_delete(s: Desk<'_>, id: i64) -> ApiResult<()> {
    s.desk.training_delete(&s.actor().await?, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn training_check_in(
    s: Desk<'_>,
    training_id: i64,
    attendee_id: i64,
    present: bool,
) -> ApiResult<()> {
    s.desk
        .training_check_in(&s.actor().await?, training_id, attendee_id, present)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn training_walk_in(s: Desk<'_>, training_id: i64, walk_in: WalkIn) -> ApiResult<i64> {
    s.desk
        .training_walk_in(&s.actor().await?, training_id, walk_in)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn chief_checklist_set(
    s: Desk<'_>,
    village_id: i64,
    checklist: Checklist,
) -> ApiResult<()> {
    s.desk
        .chief_checklist_set(&s.actor().await?, village_id, checklist)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn programs_calendar(s: Desk<'_>, from: String, to: String) -> ApiResult<CalendarView> {
    s.desk.calendar(&s.actor().await?, &from, &to).await
}

/// Writes the .ics of a cohort or a training session to `path`; returns the event count.
#[tauri::command]
#[specta::specta]
pub async fn programs_ics_save(
    s: Desk<'_>,
    cohort: Option<i64>,
    training: Option<i64>,
    path: PathBuf,
) -> ApiResult<u32> {
    let (_, text) = s
        .desk
        .programs_ics(&s.actor().await?, cohort, training)
        .await?;
    maeul_api::save_file(&path, text.as_bytes()).await?;
    Ok(text.matches("BEGIN:VEVENT").count() as u32)
}

/// Writes a sign-in sheet to `path`; returns the page count.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_pdf_save(
    s: Desk<'_>,
    kind: EventKind,
    id: i64,
    blank: u32,
    path: PathBuf,
) -> ApiResult<u32> {
    let (bytes, pages) = s
        .desk
        .sign_in_pdf(&s.actor().await?, kind, id, blank)
        .await?;
    maeul_api::save_file(&path, &bytes).await?;
    Ok(pages)
}

#[tauri::command]
#[specta::specta]
pub async fn attendance_pdf_save(s: Desk<'_>, cohort: i64, path: PathBuf) -> ApiResult<u32> {
    let (bytes, pages) = s.desk.attendance_pdf(&s.actor().await?, cohort).await?;
    maeul_api::save_file(&path, &bytes).await?;
    Ok(pages)
}

#[tauri::command]
#[specta::specta]
pub async fn reminder_settings(s: Desk<'_>) -> ApiResult<ReminderSettings> {
    s.desk.reminder_settings(&s.actor().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_reminder_settings(s: Desk<'_>, settings: ReminderSettings) -> ApiResult<()> {
    s.desk
        .set_reminder_settings(&s.actor().await?, settings)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn reminders_plan(s: Desk<'_>, kind: EventKind, id: i64) -> ApiResult<ReminderPlan> {
    s.desk.reminders_plan(&s.actor().await?, kind, id).await
}

#[tauri::command]
#[specta::specta]
pub async fn practice_state(s: Desk<'_>) -> ApiResult<PracticeState> {
    Ok(PracticeState::of(&s.actor().await?))
}

/// Practice is this window's session: the signed-in actor carries it from now on, and
/// signing out ends it.
#[tauri::command]
#[specta::specta]
pub async fn set_practice_mode(s: Desk<'_>, on: bool) -> ApiResult<PracticeState> {
    let session = s.desk.set_practice_mode(&s.actor().await?, on).await?;
    s.set_actor(Some(session.clone()));
    Ok(PracticeState::of(&session))
}
