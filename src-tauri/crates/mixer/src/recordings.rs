//! `recordings`: the console's row for each recording, written before it goes on air (so a
//! crash leaves a row to recover from) and finished with what the files measure.

use maeul_db::Conn;
use serde::{Deserialize, Serialize};

use crate::recorder::RecordingPaths;

/// Where a recording is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RecordingState {
    /// On air or being written; left so by a crash until the next start recovers it.
    Recording,
    Ready,
    /// Finished from its spool after a crash.
    Recovered,
    Failed,
}

impl RecordingState {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingState::Recording => "recording",
            RecordingState::Ready => "ready",
            RecordingState::Recovered => "recovered",
            RecordingState::Failed => "failed",
        }
    }

    /// Whether a voice call can play it.
    pub fn usable(self) -> bool {
        matches!(self, RecordingState::Ready | RecordingState::Recovered)
    }
}

impl TryFrom<String> for RecordingState {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        [
            RecordingState::Recording,
            RecordingState::Ready,
            RecordingState::Recovered,
            RecordingState::Failed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| format!("recordings.state: 알 수 없는 값 {s}"))
    }
}

/// Made at the console or taken in from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RecordingSource {
    Live,
    Import,
}

impl RecordingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingSource::Live => "live",
            RecordingSource::Import => "import",
        }
    }
}

impl TryFrom<String> for RecordingSource {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "live" => Ok(RecordingSource::Live),
            "import" => Ok(RecordingSource::Import),
            _ => Err(format!("recordings.source: 알 수 없는 값 {s}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, sqlx::FromRow)]
pub struct RecordingRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub state: RecordingState,
    #[sqlx(try_from = "String")]
    pub source: RecordingSource,
    pub duration_ms: Option<i64>,
    pub input_lufs: Option<f64>,
    pub gain_db: Option<f64>,
    pub archive_lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub telephony_dbm0: Option<f64>,
    pub zone_sequence: String,
    /// Names of the villages it was broadcast to, as JSON.
    pub villages: String,
    pub chime: bool,
    pub practice: bool,
    pub village_id: Option<i64>,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub archive_path: String,
    pub telephony_path: String,
}

impl RecordingRow {
    pub fn paths(&self, spool: &str) -> RecordingPaths {
        RecordingPaths {
            archive: self.archive_path.clone().into(),
            telephony: self.telephony_path.clone().into(),
            spool: spool.into(),
        }
    }

    /// Whether a voice call can play it.
    pub fn usable(&self) -> bool {
        self.state.usable()
    }
}

const SELECT: &str = "SELECT id, title, state, source, duration_ms, input_lufs, gain_db, archive_lufs, \
     true_peak_dbtp, telephony_dbm0, zone_sequence, villages, chime, practice, village_id, note, \
     created_by, created_at, finished_at, archive_path, telephony_path FROM recordings ";

/// The newest 200 not deleted, only one village's when `village` is given (a chief's list).
pub async fn list(conn: &mut Conn, village: Option<i64>) -> sqlx::Result<Vec<RecordingRow>> {
    maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE deleted_at IS NULL AND ($1 IS NULL OR village_id = $1) ORDER BY id DESC LIMIT 200"
    )))
    .bind(village)
    .fetch_all(&mut *conn)
    .await
}

pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<RecordingRow>> {
    maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE id = $1 AND deleted_at IS NULL"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// What a recording's row starts with.
pub struct NewRecording<'a> {
    pub title: &'a str,
    pub source: RecordingSource,
    /// The DTMF sequence played to the transmitter.
    pub zones: &'a str,
    /// Names of the villages it opens.
    pub villages: &'a [String],
    pub chime: bool,
    pub practice: bool,
    pub village_id: Option<i64>,
    pub created_by: &'a str,
    pub created_at: &'a str,
}

/// Writes the row (state `recording`) and returns its id; its files are named after the id,
/// so their paths are set with [`set_paths`] in the same transaction.
pub async fn insert(conn: &mut Conn, r: &NewRecording<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO recordings (title, state, source, archive_path, telephony_path, spool_path, \
             zone_sequence, villages, chime, practice, village_id, created_by, created_at) \
         VALUES ($1, 'recording', $2, '', '', '', $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(r.title)
    .bind(r.source.as_str())
    .bind(r.zones)
    .bind(serde_json::to_string(r.villages).unwrap_or_else(|_| "[]".into()))
    .bind(r.chime)
    .bind(r.practice)
    .bind(r.village_id)
    .bind(r.created_by)
    .bind(r.created_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn set_paths(conn: &mut Conn, id: i64, paths: &RecordingPaths) -> sqlx::Result<()> {
    maeul_db::query(
        "UPDATE recordings SET archive_path = $1, telephony_path = $2, spool_path = $3 WHERE id = $4",
    )
    .bind(paths.archive.display().to_string())
    .bind(paths.telephony.display().to_string())
    .bind(paths.spool.display().to_string())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a finished recording measured (loudness values `None` where not finite).
pub struct Measured {
    pub duration_ms: i64,
    pub input_lufs: Option<f64>,
    pub gain_db: Option<f64>,
    pub archive_lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub telephony_dbm0: Option<f64>,
}

pub async fn finish(
    conn: &mut Conn,
    id: i64,
    state: RecordingState,
    m: &Measured,
    note: Option<&str>,
    at: &str,
) -> sqlx::Result<()> {
    maeul_db::query(
        "UPDATE recordings SET state = $1, duration_ms = $2, input_lufs = $3, gain_db = $4, \
             archive_lufs = $5, true_peak_dbtp = $6, telephony_dbm0 = $7, note = $8, finished_at = $9 \
         WHERE id = $10",
    )
    .bind(state.as_str())
    .bind(m.duration_ms)
    .bind(m.input_lufs)
    .bind(m.gain_db)
    .bind(m.archive_lufs)
    .bind(m.true_peak_dbtp)
    .bind(m.telephony_dbm0)
    .bind(note)
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn fail(conn: &mut Conn, id: i64, note: &str, at: &str) -> sqlx::Result<()> {
    maeul_db::query(
        "UPDATE recordings SET state = 'failed', note = $1, finished_at = $2 WHERE id = $3",
    )
    .bind(note)
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a row deleted (its files are removed by the caller; the audit log keeps who).
pub async fn mark_deleted(conn: &mut Conn, id: i64, at: &str) -> sqlx::Result<()> {
    maeul_db::query("UPDATE recordings SET deleted_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes a row that never became a recording (an import that failed to decode).
pub async fn remove(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    maeul_db::query("DELETE FROM recordings WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A recording a crash or power cut left unfinished.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Interrupted {
    pub id: i64,
    pub archive_path: String,
    pub telephony_path: String,
    pub spool_path: String,
    pub created_by: String,
    pub chime: bool,
}

impl Interrupted {
    pub fn paths(&self) -> RecordingPaths {
        RecordingPaths {
            archive: self.archive_path.clone().into(),
            telephony: self.telephony_path.clone().into(),
            spool: self.spool_path.clone().into(),
        }
    }
}

pub async fn interrupted(conn: &mut Conn) -> sqlx::Result<Vec<Interrupted>> {
    maeul_db::query_as(
        "SELECT id, archive_path, telephony_path, spool_path, created_by, chime FROM recordings \
         WHERE state = 'recording' AND deleted_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new<'a>(title: &'a str, names: &'a [String]) -> NewRecording<'a> {
        NewRecording {
            title,
            source: RecordingSource::Live,
            zones: "*1#",
            villages: names,
            chime: true,
            practice: false,
            village_id: None,
            created_by: "op",
            created_at: "2026-03-02T01:00:00Z",
        }
    }

    #[tokio::test]
    async fn a_recording_goes_from_begun_to_finished_to_deleted() {
        let db = maeul_db::open_memory().await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        let names = vec!["신동리".to_string()];
        let id = insert(&mut conn, &new("마을 안내", &names)).await.unwrap();
        let paths = RecordingPaths::in_dir(std::path::Path::new("/rec"), &format!("rec-{id}"));
        set_paths(&mut conn, id, &paths).await.unwrap();

        let begun = get(&mut conn, id).await.unwrap().unwrap();
        assert_eq!(begun.state, RecordingState::Recording);
        assert_eq!(begun.source, RecordingSource::Live);
        assert_eq!(begun.villages, r#"["신동리"]"#);
        assert!(!begun.usable());
        let left = interrupted(&mut conn).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].paths().spool, paths.spool);

        let measured = Measured {
            duration_ms: 12_000,
            input_lufs: Some(-30.0),
            gain_db: Some(6.0),
            archive_lufs: Some(-24.0),
            true_peak_dbtp: Some(-2.0),
            telephony_dbm0: None,
        };
        finish(
            &mut conn,
            id,
            RecordingState::Ready,
            &measured,
            None,
            "2026-03-02T01:01:00Z",
        )
        .await
        .unwrap();
        let done = get(&mut conn, id).await.unwrap().unwrap();
        assert!(done.usable());
        assert_eq!(done.duration_ms, Some(12_000));
        assert!(interrupted(&mut conn).await.unwrap().is_empty());

        let failed = insert(&mut conn, &new("실패", &[])).await.unwrap();
        fail(&mut conn, failed, "장치 없음", "2026-03-02T01:02:00Z")
            .await
            .unwrap();
        let listed = list(&mut conn, None).await.unwrap();
        assert_eq!(
            listed.iter().map(|r| r.id).collect::<Vec<_>>(),
            [failed, id]
        );
        assert_eq!(listed[0].state, RecordingState::Failed);
        // A chief's list holds only their village's recordings.
        assert!(list(&mut conn, Some(1)).await.unwrap().is_empty());

        mark_deleted(&mut conn, id, "2026-03-02T02:00:00Z")
            .await
            .unwrap();
        assert_eq!(get(&mut conn, id).await.unwrap(), None);
        remove(&mut conn, failed).await.unwrap();
        assert!(list(&mut conn, None).await.unwrap().is_empty());
    }

    #[test]
    fn stored_states_and_sources_are_read_strictly() {
        assert_eq!(
            RecordingState::try_from("recovered".to_string()),
            Ok(RecordingState::Recovered)
        );
        assert!(RecordingState::try_from("done".to_string()).is_err());
        assert!(RecordingSource::try_from("tape".to_string()).is_err());
    }
}
