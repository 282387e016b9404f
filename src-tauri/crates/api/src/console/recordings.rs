//! Recordings: the row written before the console goes on air, finished with what the files
//! measure, listed, listened back, deleted; audio files taken in as recordings; and those a
//! crash interrupted finished on the next start.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Role, Scope, audit};
use maeul_mixer::finish::Rendition;
use maeul_mixer::graph::{Body, Program};
use maeul_mixer::recorder::RecordingPaths;
use maeul_mixer::recordings::{self as stored, Measured, NewRecording};
pub use maeul_mixer::recordings::{RecordingRow, RecordingSource, RecordingState};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

/// What staff ask for when they go on air.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct OnAir {
    pub title: String,
    /// Villages whose outdoor loudspeakers to open (their zone tones are played first).
    pub villages: Vec<i64>,
    /// Every village at once (the all-call code).
    pub all_villages: bool,
    /// Play this stored recording instead of the microphone.
    pub replay: Option<i64>,
}

/// How long a title may be.
const TITLE_MAX: usize = 100;

pub(super) fn check_title(title: &str) -> ApiResult<String> {
    let t = title.trim();
    if t.is_empty() {
        return Err(ApiError::invalid("title", "제목을 적어 주세요"));
    }
    if t.chars().count() > TITLE_MAX {
        return Err(ApiError::invalid(
            "title",
            format!("제목은 {TITLE_MAX}자까지입니다"),
        ));
    }
    Ok(t.to_string())
}

/// A chief sees and uses only their own village's recordings.
fn may_use(actor: &Actor, r: &RecordingRow) -> ApiResult<()> {
    if actor.role == Role::Chief && r.village_id != actor.village_id {
        return Err(ApiError::new(
            ErrorCode::OutOfScope,
            "다른 마을의 녹음입니다",
        ));
    }
    Ok(())
}

pub(super) fn scope(actor: &Actor) -> Scope {
    actor.village_id.map_or(Scope::County, Scope::Village)
}

/// Everything a begun recording needs: its row, where its files go, what plays.
#[derive(Debug)]
pub struct Begun {
    pub id: i64,
    pub paths: RecordingPaths,
    pub program: Program,
    pub tags: Vec<(String, String)>,
}

impl Desk {
    pub async fn recording_list(&self, actor: &Actor) -> ApiResult<Vec<RecordingRow>> {
        actor.require(Permission::ViewRecordings, scope(actor))?;
        let chief = (actor.role == Role::Chief)
            .then_some(actor.village_id)
            .flatten();
        let mut conn = self.db.acquire().await?;
        Ok(stored::list(&mut conn, chief).await?)
    }

    pub async fn recording_get(&self, actor: &Actor, id: i64) -> ApiResult<RecordingRow> {
        actor.require(Permission::ViewRecordings, scope(actor))?;
        let row = self.recording_row(id).await?;
        may_use(actor, &row)?;
        Ok(row)
    }

    pub(crate) async fn recording_row(&self, id: i64) -> ApiResult<RecordingRow> {
        let mut conn = self.db.acquire().await?;
        let row = stored::get(&mut conn, id).await?;
        row.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "녹음을 찾을 수 없습니다"))
    }

    /// A recording a broadcast may attach: usable, and the actor's to use.
    pub(crate) async fn recording_for_broadcast(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        let row = self.recording_row(id).await.map_err(|e| ApiError {
            field: Some("recording_id".into()),
            ..e
        })?;
        may_use(actor, &row)?;
        if !row.usable() {
            return Err(ApiError::invalid(
                "recording_id",
                "아직 마무리되지 않은 녹음입니다",
            ));
        }
        Ok(())
    }

    /// Deletes a recording's files and marks its row deleted (the audit log keeps who and
    /// when). Refused while a broadcast that plays it is still sending, and while it is the
    /// alarm the loudspeakers play for a disaster (an emergency must not find it gone).
    pub async fn recording_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::ManageRecordings, scope(actor))?;
        let row = self.recording_row(id).await?;
        may_use(actor, &row)?;
        if row.state == RecordingState::Recording {
            return Err(ApiError::invalid(
                "recording",
                "녹음 중에는 지울 수 없습니다",
            ));
        }
        if self.alarm_recording_id().await? == Some(id) {
            return Err(ApiError::invalid(
                "recording",
                "재난 경보 때 확성기로 트는 녹음입니다. 설정 → 재난문자에서 다른 녹음을 고른 뒤 지워 주세요",
            ));
        }
        let open = {
            let mut conn = self.db.acquire().await?;
            maeul_dispatch::store::open_playing(&mut conn, id).await?
        };
        if open > 0 {
            return Err(ApiError::invalid(
                "recording",
                format!("이 녹음으로 보내는 중인 전화가 {open}건 있습니다. 끝난 뒤에 지워 주세요"),
            ));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        stored::mark_deleted(&mut tx, id, &maeul_accounts::now_utc()).await?;
        audit::record(
            &mut tx,
            actor,
            "recording.delete",
            &format!("recording:{id}"),
            &json!({ "title": row.title }),
        )
        .await?;
        self.commit(tx).await?;
        for p in [&row.archive_path, &row.telephony_path] {
            let _ = tokio::fs::remove_file(p).await;
        }
        Ok(())
    }

    pub(super) async fn insert_recording(
        &self,
        actor: &Actor,
        title: &str,
        source: RecordingSource,
        on_air: Option<(&str, &[String], bool)>,
        practice: bool,
    ) -> ApiResult<(i64, RecordingPaths)> {
        let dir = self.recordings_dir();
        tokio::fs::create_dir_all(&dir).await.map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("{}을(를) 만들 수 없습니다: {e}", dir.display()),
            )
        })?;
        let now = maeul_accounts::now_utc();
        let (zones, names, chime) = on_air.unwrap_or(("", &[], false));
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let id = stored::insert(
            &mut tx,
            &NewRecording {
                title,
                source,
                zones,
                villages: names,
                chime,
                practice,
                village_id: actor.village_id,
                created_by: &actor.username,
                created_at: &now,
            },
        )
        .await?;
        let stamp: String = now
            .chars()
            .filter(|c| c.is_ascii_digit())
            .take(14)
            .collect();
        let paths = RecordingPaths::in_dir(&dir, &format!("rec-{id}-{stamp}"));
        stored::set_paths(&mut tx, id, &paths).await?;
        audit::record(
            &mut tx,
            actor,
            if source == RecordingSource::Live {
                "recording.start"
            } else {
                "recording.import"
            },
            &format!("recording:{id}"),
            &json!({ "title": title, "zones": zones, "villages": names, "practice": practice }),
        )
        .await?;
        self.commit(tx).await?;
        Ok((id, paths))
    }

    /// Checks who may go on air where, writes the recording's row and builds the running
    /// order: zone tones for the chosen villages (none in practice), the chimes, and the
    /// microphone or a stored recording.
    pub async fn recording_begin(&self, actor: &Actor, req: &OnAir) -> ApiResult<Begun> {
        let title = check_title(&req.title)?;
        let practice = actor.in_practice();
        if actor.role == Role::Trainer && !practice {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "강사는 연습 모드에서만 방송할 수 있습니다",
            ));
        }
        if req.all_villages {
            actor.require(Permission::GoOnAir, Scope::County)?;
        } else if req.villages.is_empty() {
            actor.require(Permission::GoOnAir, scope(actor))?;
        }
        for v in &req.villages {
            actor.require(Permission::GoOnAir, Scope::Village(*v))?;
        }
        let settings = self.console_settings_stored().await?;
        let all = maeul_registry::store::villages::list(&self.db, None, true).await?;
        let mut zones = Vec::new();
        let mut names = Vec::new();
        if req.all_villages {
            zones.push(settings.zone_all.clone());
            names.push("전체 마을".to_string());
        } else {
            for id in &req.villages {
                let v = all.iter().find(|v| v.id == *id).ok_or_else(|| {
                    ApiError::invalid("villages", format!("없는 마을입니다: {id}"))
                })?;
                match v.zone_code.as_deref().filter(|z| !z.is_empty()) {
                    Some(z) => zones.push(z.to_string()),
                    None => return Err(super::no_zone_code(&v.name)),
                }
                names.push(v.name.clone());
            }
        }
        let body = match req.replay {
            None => Body::Mic,
            Some(id) => {
                let r = self.recording_row(id).await?;
                may_use(actor, &r)?;
                if !r.usable() {
                    return Err(ApiError::invalid(
                        "replay",
                        "마무리되지 않은 녹음은 다시 틀 수 없습니다",
                    ));
                }
                let path = PathBuf::from(&r.archive_path);
                let clip =
                    tokio::task::spawn_blocking(move || maeul_mixer::clip::Clip::open(&path))
                        .await
                        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
                Body::Clip(clip.samples)
            }
        };
        // In practice nothing opens a village: no zone tones, and the line-out stays silent.
        let zones_played: Vec<String> = if practice { Vec::new() } else { zones };
        let chimes = {
            let s = settings.clone();
            tokio::task::spawn_blocking(move || s.chimes())
                .await
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        };
        let (mut program, sequence) =
            maeul_mixer::render::program(body, settings.chime, &zones_played, Some(chimes))?;
        program.line_out = !practice;
        let (id, paths) = self
            .insert_recording(
                actor,
                &title,
                RecordingSource::Live,
                Some((&sequence, &names, settings.chime)),
                practice,
            )
            .await?;
        let tags = vec![
            ("TITLE".to_string(), title),
            ("ARTIST".to_string(), actor.display_name.clone()),
            ("ENCODER".to_string(), "maeul-desk".to_string()),
        ];
        Ok(Begun {
            id,
            paths,
            program,
            tags,
        })
    }

    /// Stores what a finished (or failed) recording measured.
    pub async fn recording_finished(
        &self,
        actor: &Actor,
        id: i64,
        result: &Result<Rendition, String>,
        cut_short: Option<&str>,
        state_ok: RecordingState,
    ) -> ApiResult<()> {
        let now = maeul_accounts::now_utc();
        let mut tx = maeul_db::begin_write(&self.db).await?;
        match result {
            Ok(r) => {
                let measured = Measured {
                    duration_ms: r.duration_ms as i64,
                    input_lufs: finite(r.input_lufs),
                    gain_db: finite(r.gain_db),
                    archive_lufs: finite(r.archive_lufs),
                    true_peak_dbtp: finite(r.archive_true_peak_dbtp),
                    telephony_dbm0: finite(r.telephony_dbm0),
                };
                stored::finish(&mut tx, id, state_ok, &measured, cut_short, &now).await?;
            }
            Err(e) => stored::fail(&mut tx, id, e, &now).await?,
        }
        audit::record(
            &mut tx,
            actor,
            "recording.finish",
            &format!("recording:{id}"),
            &json!({
                "ok": result.is_ok(),
                "duration_ms": result.as_ref().ok().map(|r| r.duration_ms),
                "note": cut_short.map(str::to_string).or_else(|| result.as_ref().err().cloned()),
            }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}

/// SQLite stores NaN as NULL anyway; say so plainly (silence measures -inf).
fn finite(x: f32) -> Option<f64> {
    x.is_finite().then_some(x as f64).filter(|v| *v > -199.0)
}
