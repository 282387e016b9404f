//! The audit log: every change appends one row whose hash covers the previous row's hash,
//! so that editing or deleting any row breaks the chain from that row on.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use maeul_db::{Conn, Db, dialect};

use crate::{AccountsError, Actor};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, FromRow, Serialize, specta::Type)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

fn entry_hash(
    prev: &str,
    id: i64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, &id.to_string(), at, actor, action, target, detail] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// The PostgreSQL channel every audited change is announced on at its commit (the payload
/// is the entry's id): how a desk on the office server hears of another's edits at once.
pub const CHANGES_CHANNEL: &str = "maeul_changes";

/// Appends one entry. Call it inside the transaction that makes the change, so that the
/// change and its record commit together.
pub async fn record(
    conn: &mut Conn,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<(), AccountsError> {
    // Desks sharing a server append one chain: the next desk waits for this commit.
    dialect::lock_appends(&mut *conn, dialect::AppendLock::Audit).await?;
    let last: Option<(i64, String)> =
        maeul_db::query_as("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (id, prev) = last.map_or((1, GENESIS.to_string()), |(id, hash)| (id + 1, hash));
    let at = crate::now_utc();
    let detail = detail.to_string();
    let hash = entry_hash(&prev, id, &at, &actor.username, action, target, &detail);
    maeul_db::query(
        "INSERT INTO audit_log (id, at, actor, action, target, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(&at)
    .bind(&actor.username)
    .bind(action)
    .bind(target)
    .bind(&detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    // Desks on the same server look at what changed as soon as this commits.
    dialect::notify(&mut *conn, CHANGES_CHANNEL, &id.to_string()).await?;
    Ok(())
}

/// The detail field naming the SHA-256 of an entry's personal payload.
const PERSONAL_DIGEST: &str = "personal_sha256";

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Appends one entry whose personal part (a resident's name, address, number) is kept apart
/// from the chain under `subject`: the chain covers its digest, so [`erase_personal`] can
/// delete it later (개인정보 파기) and the chain still verifies.
pub async fn record_personal(
    conn: &mut Conn,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
    subject: &str,
    personal: &serde_json::Value,
) -> Result<(), AccountsError> {
    let payload = personal.to_string();
    let mut detail = detail.clone();
    if let Some(map) = detail.as_object_mut() {
        map.insert(PERSONAL_DIGEST.into(), sha256_hex(&payload).into());
    }
    record(conn, actor, action, target, &detail).await?;
    maeul_db::query(
        "INSERT INTO audit_personal (entry_id, subject, payload) \
         SELECT MAX(id), $1, $2 FROM audit_log",
    )
    .bind(subject)
    .bind(&payload)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes every personal payload kept for `subject`; how many entries lost theirs.
pub async fn erase_personal(conn: &mut Conn, subject: &str) -> Result<u32, AccountsError> {
    let done = maeul_db::query("DELETE FROM audit_personal WHERE subject = $1")
        .bind(subject)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() as u32)
}

/// The first entry whose kept personal payload does not match the digest its chained
/// detail names (the chain cannot see the payload itself).
async fn first_altered_payload(db: &Db) -> Result<Option<i64>, AccountsError> {
    let rows: Vec<(i64, String, String)> = maeul_db::query_as(
        "SELECT p.entry_id, p.payload, a.detail FROM audit_personal p \
         JOIN audit_log a ON a.id = p.entry_id ORDER BY p.entry_id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().find_map(|(id, payload, detail)| {
        let named = serde_json::from_str::<serde_json::Value>(&detail)
            .ok()
            .and_then(|d| d.get(PERSONAL_DIGEST)?.as_str().map(str::to_string));
        (named.as_deref() != Some(sha256_hex(&payload).as_str())).then_some(id)
    }))
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct VerifyReport {
    pub entries: u32,
    /// The first entry whose link or content does not match, if any.
    pub first_broken: Option<i64>,
    /// How the chain's end compares with its anchor outside the database (filled by the desk,
    /// which knows the file).
    pub anchor: Option<crate::anchor::AnchorCheck>,
}

/// The newest entry's id (0 for an empty log): the chain's head the anchor seals.
pub async fn last_id(conn: &mut Conn) -> Result<i64, AccountsError> {
    let (last,): (i64,) = maeul_db::query_as("SELECT COALESCE(MAX(id), 0) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    Ok(last)
}

/// Walks the whole chain in id order and reports the first broken link.
pub async fn verify(db: &Db) -> Result<VerifyReport, AccountsError> {
    let rows: Vec<AuditEntry> = maeul_db::query_as(
        "SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    let mut prev = GENESIS.to_string();
    for (expected_id, row) in (1..).zip(rows.iter()) {
        let recomputed = entry_hash(
            &prev,
            row.id,
            &row.at,
            &row.actor,
            &row.action,
            &row.target,
            &row.detail,
        );
        if row.id != expected_id || row.prev_hash != prev || row.hash != recomputed {
            return Ok(VerifyReport {
                entries: rows.len() as u32,
                first_broken: Some(row.id),
                anchor: None,
            });
        }
        prev.clone_from(&row.hash);
    }
    Ok(VerifyReport {
        entries: rows.len() as u32,
        first_broken: first_altered_payload(db).await?,
        anchor: None,
    })
}

/// Newest first.
pub async fn list(db: &Db, limit: u32, offset: u32) -> Result<Vec<AuditEntry>, AccountsError> {
    Ok(maeul_db::query_as(
        "SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
         ORDER BY id DESC LIMIT $1 OFFSET $2",
    )
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(db)
    .await?)
}

/// The audit log's newest id, and the actions others (not `except`, a username) recorded
/// after `after`: every change made through the desk is audited in its own transaction, so
/// this is how a window learns that another desk changed something. Reads only ids and
/// action names, never details.
pub async fn actions_after(
    conn: &mut Conn,
    after: i64,
    except: &str,
) -> Result<(i64, Vec<String>), sqlx::Error> {
    let (head,): (i64,) = maeul_db::query_as("SELECT COALESCE(MAX(id), 0) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    if head <= after {
        return Ok((head, Vec::new()));
    }
    let actions: Vec<(String,)> = maeul_db::query_as(
        "SELECT DISTINCT action FROM audit_log WHERE id > $1 AND actor <> $2 ORDER BY action LIMIT 200",
    )
    .bind(after)
    .bind(except)
    .fetch_all(&mut *conn)
    .await?;
    Ok((head, actions.into_iter().map(|(a,)| a).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn log_three() -> Db {
        let db = maeul_db::open_memory().await.unwrap();
        let actor = Actor::cli();
        for i in 0..3 {
            let mut tx = db.begin().await.unwrap();
            record(
                &mut tx,
                &actor,
                "test.change",
                &format!("thing/{i}"),
                &serde_json::json!({ "i": i }),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        db
    }

    #[tokio::test]
    async fn intact_chain_verifies() {
        let db = log_three().await;
        let report = verify(&db).await.unwrap();
        assert_eq!(report.entries, 3);
        assert_eq!(report.first_broken, None);
    }

    #[tokio::test]
    async fn edited_row_is_the_first_broken_link() {
        let db = log_three().await;
        maeul_db::query("UPDATE audit_log SET detail = '{\"i\":99}' WHERE id = 2")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(verify(&db).await.unwrap().first_broken, Some(2));
    }

    #[tokio::test]
    async fn an_erased_personal_payload_keeps_the_chain_and_an_altered_one_breaks_it() {
        let db = log_three().await;
        let mut tx = db.begin().await.unwrap();
        record_personal(
            &mut tx,
            &Actor::cli(),
            "subscriber.create",
            "subscriber/7",
            &serde_json::json!({ "village_id": 3 }),
            "subscriber/7",
            &serde_json::json!({ "name": "김주민", "address": "연탄리 1" }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(verify(&db).await.unwrap().first_broken, None);
        maeul_db::query("UPDATE audit_personal SET payload = '{\"name\":\"다른 사람\"}'")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(verify(&db).await.unwrap().first_broken, Some(4));

        let mut conn = db.acquire().await.unwrap();
        assert_eq!(erase_personal(&mut conn, "subscriber/7").await.unwrap(), 1);
        drop(conn);
        let report = verify(&db).await.unwrap();
        assert_eq!((report.entries, report.first_broken), (4, None));
        let (detail,): (String,) = maeul_db::query_as("SELECT detail FROM audit_log WHERE id = 4")
            .fetch_one(&db)
            .await
            .unwrap();
        assert!(!detail.contains("김주민"), "{detail}");
    }

    #[tokio::test]
    async fn deleted_row_breaks_the_chain_after_it() {
        let db = log_three().await;
        maeul_db::query("DELETE FROM audit_log WHERE id = 2")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(verify(&db).await.unwrap().first_broken, Some(3));
    }
}
