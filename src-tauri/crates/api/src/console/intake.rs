//! Recordings that do not come from the console going on air: an audio file taken in, and
//! the recordings a crash interrupted, finished at the next start.

use std::path::Path;

use maeul_accounts::{Actor, Permission};
use maeul_mixer::recordings;

use super::recordings::{RecordingRow, RecordingSource, RecordingState, check_title, scope};
use crate::{ApiError, ApiResult, Desk, ErrorCode};

impl Desk {
    /// Takes an audio file (WAV, MP3, OGG) in as a recording: decoded, normalised, with its
    /// telephone rendition. A file that cannot be read stores nothing.
    pub async fn recording_import(
        &self,
        actor: &Actor,
        file: &Path,
        title: &str,
    ) -> ApiResult<RecordingRow> {
        actor.require(Permission::ManageRecordings, scope(actor))?;
        let title = check_title(title)?;
        let practice = actor.in_practice();
        let file = file.to_path_buf();
        let samples = tokio::task::spawn_blocking(move || maeul_mixer::clip::decode_to_bus(&file))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        let (id, paths) = self
            .insert_recording(actor, &title, RecordingSource::Import, None, practice)
            .await?;
        let p = paths.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut rec = maeul_mixer::recorder::Recorder::create(p, false, &[])?;
            rec.write(&samples, 0..samples.len())?;
            maeul_mixer::finish::finish(&rec.close()?)
        })
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        match result {
            Ok(r) => {
                self.recording_finished(actor, id, &Ok(r), None, RecordingState::Ready)
                    .await?;
                self.recording_row(id).await
            }
            Err(e) => {
                // Nothing half-made stays behind.
                let mut conn = self.db.acquire().await?;
                recordings::remove(&mut conn, id).await?;
                for p in [&paths.archive, &paths.telephony, &paths.spool] {
                    let _ = tokio::fs::remove_file(p).await;
                }
                Err(e.into())
            }
        }
    }

    /// Finishes recordings a crash or power cut left in state 'recording' (call at start,
    /// before the console goes on air). Returns how many were recovered and how many failed.
    pub async fn recordings_recover(&self) -> ApiResult<(u32, u32)> {
        let rows = {
            let mut conn = self.db.acquire().await?;
            recordings::interrupted(&mut conn).await?
        };
        let (mut ok, mut failed) = (0, 0);
        let opening = if rows.is_empty() {
            0
        } else {
            let s = self.console_settings_stored().await?;
            tokio::task::spawn_blocking(move || s.chimes().before.len() as u64)
                .await
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        };
        for row in rows {
            // The voice began after the opening chime, if one played (the one set now).
            let voice_from = if row.chime { opening } else { 0 };
            let (id, by) = (row.id, row.created_by.clone());
            let paths = row.paths();
            let result = tokio::task::spawn_blocking(move || {
                maeul_mixer::finish::recover(&paths, voice_from)
            })
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| e.to_string());
            let secs = result.as_ref().map(|r| r.duration_ms / 1000).unwrap_or(0);
            let note = format!("프로그램이 비정상 종료되어 {secs}초까지 복구했습니다");
            let note = format!("{note} (녹음: {by})");
            self.recording_finished(
                &Actor::system("system:recovery"),
                id,
                &result,
                Some(&note),
                RecordingState::Recovered,
            )
            .await?;
            if result.is_ok() { ok += 1 } else { failed += 1 }
        }
        Ok((ok, failed))
    }
}
