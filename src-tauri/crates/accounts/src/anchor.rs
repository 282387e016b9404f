//! The audit chain's anchor. The SHA-256 chain alone can be recomputed by anyone holding the
//! database file, and deleting its newest entries leaves a valid chain. So the chain's head
//! (last id and hash) is also kept outside the database, in `<db>.audit-head`, sealed with
//! an HMAC-SHA256 whose key lives in the OS credential store under this database's own
//! random id (`audit.chain_id` in settings). At start the head is checked against the
//! database: missing entries, a rewritten chain or a forged head are reported, not hidden.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use maeul_db::{Conn, settings};

use crate::AccountsError;
use crate::audit::GENESIS;

/// The settings key holding this database's random chain id.
pub const CHAIN_ID: &str = "audit.chain_id";

const SERVICE: &str = "kr.maeul.desk";

/// The head file beside the database: `desk.db` → `desk.db.audit-head`.
pub fn head_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".audit-head");
    PathBuf::from(name)
}

/// What the head file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub chain_id: String,
    pub id: i64,
    pub hash: String,
    pub mac: String,
}

/// The seal over one head.
pub fn seal(key: &[u8], chain_id: &str, id: i64, hash: &str) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in [chain_id, &id.to_string(), hash] {
        m.update(part.as_bytes());
        m.update(&[0x1f]);
    }
    hex::encode(m.finalize().into_bytes())
}

fn seal_matches(key: &[u8], head: &Head) -> bool {
    let Ok(mac) = hex::decode(&head.mac) else {
        return false;
    };
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in [head.chain_id.as_str(), &head.id.to_string(), &head.hash] {
        m.update(part.as_bytes());
        m.update(&[0x1f]);
    }
    m.verify_slice(&mac).is_ok()
}

/// Where chain keys are kept: the OS credential store, or a map in tests.
pub trait KeyStore: Send + Sync {
    fn load(&self, chain_id: &str) -> Result<Option<Vec<u8>>, String>;
    fn store(&self, chain_id: &str, key: &[u8]) -> Result<(), String>;
}

/// Windows Credential Manager; the kernel (session) keyring on Linux.
pub struct OsKeyring;

impl OsKeyring {
    fn entry(chain_id: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, &format!("audit-chain:{chain_id}")).map_err(|e| e.to_string())
    }
}

impl KeyStore for OsKeyring {
    fn load(&self, chain_id: &str) -> Result<Option<Vec<u8>>, String> {
        match OsKeyring::entry(chain_id)?.get_password() {
            Ok(hex_key) => hex::decode(hex_key).map(Some).map_err(|e| e.to_string()),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn store(&self, chain_id: &str, key: &[u8]) -> Result<(), String> {
        let entry = OsKeyring::entry(chain_id)?;
        entry
            .set_password(&hex::encode(key))
            .map_err(|e| e.to_string())?;
        // Linux with no session keyring accepts the write and then keeps nothing.
        match entry.get_password() {
            Ok(_) => Ok(()),
            Err(keyring::Error::NoEntry) => Err("OS 비밀 보관소가 열쇠를 보관하지 않습니다 \
                 (Linux에서는 세션 키링이 필요합니다: `keyctl session -` 안에서 실행하세요)"
                .into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// How the chain's end compares with its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AnchorState {
    /// The database's entry at the anchored id has the anchored hash.
    Intact,
    /// No anchor yet (a new database, or one from before anchoring): anchored from now on.
    Started,
    /// An in-memory database: nothing outside it to anchor to.
    NotKept,
    /// The OS credential store could not be used: the chain's end is not protected.
    KeyringUnavailable,
    /// This PC's credential store has no key for this database (moved from another PC?).
    KeyMissing,
    /// The head file is gone though the database was anchored.
    HeadMissing,
    /// The head file's seal does not match: it was written without the key.
    HeadForged,
    /// The anchored entry is no longer in the database: the newest entries were deleted.
    Truncated,
    /// The anchored entry's hash differs: the chain was recomputed.
    Rewritten,
}

impl AnchorState {
    /// Whether the state should be shown as a warning.
    pub fn is_problem(self) -> bool {
        !matches!(
            self,
            AnchorState::Intact | AnchorState::Started | AnchorState::NotKept
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AnchorCheck {
    pub state: AnchorState,
    /// What it means, in Korean, for the banner and `maeul audit verify`.
    pub message: String,
}

impl AnchorCheck {
    fn new(state: AnchorState, message: impl Into<String>) -> AnchorCheck {
        AnchorCheck {
            state,
            message: message.into(),
        }
    }

    pub fn not_kept() -> AnchorCheck {
        AnchorCheck::new(
            AnchorState::NotKept,
            "메모리 데이터베이스라 감사 로그의 끝을 밖에 기록하지 않습니다",
        )
    }
}

fn read_head(path: &Path) -> Result<Option<Head>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

async fn last_entry(conn: &mut Conn) -> Result<(i64, String), AccountsError> {
    let last: Option<(i64, String)> =
        maeul_db::query_as("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(last.unwrap_or((0, GENESIS.to_string())))
}

/// Compares the database's chain with the head kept beside `db_path`.
pub async fn check(
    conn: &mut Conn,
    db_path: &Path,
    keys: &dyn KeyStore,
) -> Result<AnchorCheck, AccountsError> {
    use AnchorState as S;
    let path = head_path(db_path);
    let chain_id = settings::get(conn, CHAIN_ID).await?;
    let head = match read_head(&path) {
        Ok(head) => head,
        Err(e) => {
            return Ok(AnchorCheck::new(
                S::HeadForged,
                format!("감사 로그의 끝 기록을 읽을 수 없습니다: {e}"),
            ));
        }
    };
    let Some(chain_id) = chain_id else {
        return Ok(match head {
            None => AnchorCheck::new(S::Started, "감사 로그의 끝을 이제부터 기록합니다"),
            Some(_) => AnchorCheck::new(
                S::HeadForged,
                "감사 로그의 끝 기록은 있는데 데이터베이스의 체인 번호가 없습니다 (설정이 지워졌습니다)",
            ),
        });
    };
    let key = match keys.load(&chain_id) {
        Ok(Some(key)) => key,
        Ok(None) => {
            return Ok(AnchorCheck::new(
                S::KeyMissing,
                "이 PC의 비밀 보관소에 이 데이터베이스의 감사 로그 열쇠가 없습니다. \
                 다른 PC에서 옮겨 왔다면 정상이며, 새 열쇠로 다시 기록합니다",
            ));
        }
        Err(e) => return Ok(keyring_unavailable(&e)),
    };
    let Some(head) = head else {
        return Ok(AnchorCheck::new(
            S::HeadMissing,
            format!(
                "감사 로그의 끝 기록({})이 없습니다. 지워졌거나 백업에서 복원한 뒤입니다",
                path.display()
            ),
        ));
    };
    if head.chain_id != chain_id || !seal_matches(&key, &head) {
        return Ok(AnchorCheck::new(
            S::HeadForged,
            "감사 로그의 끝 기록이 열쇠 없이 고쳐졌습니다",
        ));
    }
    let (last_id, _) = last_entry(conn).await?;
    let at: Option<(String,)> = maeul_db::query_as("SELECT hash FROM audit_log WHERE id = $1")
        .bind(head.id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match at {
        _ if head.id == 0 => AnchorCheck::new(S::Intact, "감사 로그의 끝이 기록과 맞습니다"),
        None => AnchorCheck::new(
            S::Truncated,
            format!(
                "감사 로그의 최근 항목이 지워졌습니다: {}번까지 있어야 하는데 {}번까지만 있습니다",
                head.id, last_id
            ),
        ),
        Some((hash,)) if hash != head.hash => AnchorCheck::new(
            S::Rewritten,
            format!(
                "감사 로그가 다시 계산되었습니다: {}번 항목이 기록과 다릅니다",
                head.id
            ),
        ),
        Some(_) => AnchorCheck::new(S::Intact, "감사 로그의 끝이 기록과 맞습니다"),
    })
}

pub fn keyring_unavailable(reason: &str) -> AnchorCheck {
    AnchorCheck::new(
        AnchorState::KeyringUnavailable,
        format!(
            "OS 비밀 보관소를 쓸 수 없어 감사 로그의 끝을 지킬 수 없습니다 \
             (최근 항목을 지워도 알 수 없습니다): {reason}"
        ),
    )
}

/// The chain id and its key, creating either if missing (a new key is stored first).
pub async fn chain_key(
    conn: &mut Conn,
    keys: &dyn KeyStore,
) -> Result<Result<(String, Vec<u8>), String>, AccountsError> {
    let chain_id = match settings::get(conn, CHAIN_ID).await? {
        Some(id) => id,
        None => {
            let id = hex::encode(random::<16>());
            settings::set(conn, CHAIN_ID, &id).await?;
            id
        }
    };
    match keys.load(&chain_id) {
        Ok(Some(key)) => Ok(Ok((chain_id, key))),
        Ok(None) => {
            let key = random::<32>().to_vec();
            Ok(keys.store(&chain_id, &key).map(|()| (chain_id, key)))
        }
        Err(e) => Ok(Err(e)),
    }
}

fn random<const N: usize>() -> [u8; N] {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Seals the database's current last entry into the head file (temp file, fsync, rename).
pub async fn write(
    conn: &mut Conn,
    db_path: &Path,
    chain_id: &str,
    key: &[u8],
) -> Result<i64, AccountsError> {
    let (id, hash) = last_entry(conn).await?;
    let head = Head {
        chain_id: chain_id.to_string(),
        id,
        mac: seal(key, chain_id, id, &hash),
        hash,
    };
    let path = head_path(db_path);
    let mut tmp = path.clone().into_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let io = |e: std::io::Error| AccountsError::Anchor(format!("{}: {e}", path.display()));
    {
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&serde_json::to_vec(&head).expect("a head serialises"))
            .map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;
    use crate::{Actor, audit};

    #[derive(Default)]
    struct MapKeys(Mutex<HashMap<String, Vec<u8>>>);

    impl KeyStore for MapKeys {
        fn load(&self, chain_id: &str) -> Result<Option<Vec<u8>>, String> {
            Ok(self.0.lock().unwrap().get(chain_id).cloned())
        }
        fn store(&self, chain_id: &str, key: &[u8]) -> Result<(), String> {
            self.0
                .lock()
                .unwrap()
                .insert(chain_id.to_string(), key.to_vec());
            Ok(())
        }
    }

    struct NoKeyring;

    impl KeyStore for NoKeyring {
        fn load(&self, _: &str) -> Result<Option<Vec<u8>>, String> {
            Err("Platform secure storage failure".into())
        }
        fn store(&self, _: &str, _: &[u8]) -> Result<(), String> {
            Err("Platform secure storage failure".into())
        }
    }

    /// A file database with three audited changes, anchored after each.
    async fn anchored(keys: &MapKeys) -> (tempfile::TempDir, PathBuf, maeul_db::Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let db = maeul_db::open(&path).await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(
            check(&mut conn, &path, keys).await.unwrap().state,
            AnchorState::Started
        );
        let (chain_id, key) = chain_key(&mut conn, keys).await.unwrap().unwrap();
        for i in 0..3 {
            audit::record(
                &mut conn,
                &Actor::cli(),
                "test.change",
                &format!("thing/{i}"),
                &serde_json::json!({ "i": i }),
            )
            .await
            .unwrap();
            write(&mut conn, &path, &chain_id, &key).await.unwrap();
        }
        drop(conn);
        (dir, path, db)
    }

    async fn state(db: &maeul_db::Db, path: &Path, keys: &dyn KeyStore) -> AnchorState {
        let mut conn = db.acquire().await.unwrap();
        check(&mut conn, path, keys).await.unwrap().state
    }

    #[tokio::test]
    async fn an_untouched_chain_matches_its_anchor() {
        let keys = MapKeys::default();
        let (_dir, path, db) = anchored(&keys).await;
        assert_eq!(state(&db, &path, &keys).await, AnchorState::Intact);
        assert_eq!(audit::verify(&db).await.unwrap().first_broken, None);
    }

    #[tokio::test]
    async fn deleting_the_newest_entry_is_detected() {
        let keys = MapKeys::default();
        let (_dir, path, db) = anchored(&keys).await;
        maeul_db::query("DELETE FROM audit_log WHERE id = 3")
            .execute(&db)
            .await
            .unwrap();
        // The hash chain alone still verifies: only the anchor sees it.
        assert_eq!(audit::verify(&db).await.unwrap().first_broken, None);
        assert_eq!(state(&db, &path, &keys).await, AnchorState::Truncated);
    }

    #[tokio::test]
    async fn a_chain_recomputed_without_the_key_is_detected() {
        let keys = MapKeys::default();
        let (_dir, path, db) = anchored(&keys).await;
        // Rewrite entry 2 and recompute every hash after it, as anyone holding the file can.
        maeul_db::query("DELETE FROM audit_log WHERE id >= 2")
            .execute(&db)
            .await
            .unwrap();
        let mut conn = db.acquire().await.unwrap();
        for i in [7, 8] {
            audit::record(
                &mut conn,
                &Actor::cli(),
                "test.change",
                &format!("thing/{i}"),
                &serde_json::json!({ "i": i }),
            )
            .await
            .unwrap();
        }
        drop(conn);
        assert_eq!(audit::verify(&db).await.unwrap().first_broken, None);
        assert_eq!(state(&db, &path, &keys).await, AnchorState::Rewritten);
        // Nor can the head file be rewritten to match without the key.
        let mut head: Head =
            serde_json::from_slice(&std::fs::read(head_path(&path)).unwrap()).unwrap();
        let (hash,): (String,) = maeul_db::query_as("SELECT hash FROM audit_log WHERE id = 3")
            .fetch_one(&db)
            .await
            .unwrap();
        head.mac = seal(b"guessed key", &head.chain_id, head.id, &hash);
        head.hash = hash;
        std::fs::write(head_path(&path), serde_json::to_vec(&head).unwrap()).unwrap();
        assert_eq!(state(&db, &path, &keys).await, AnchorState::HeadForged);
    }

    #[tokio::test]
    async fn a_deleted_head_file_and_a_missing_keyring_are_said_plainly() {
        let keys = MapKeys::default();
        let (_dir, path, db) = anchored(&keys).await;
        assert!(state(&db, &path, &NoKeyring).await.is_problem());
        assert_eq!(
            state(&db, &path, &NoKeyring).await,
            AnchorState::KeyringUnavailable
        );
        std::fs::remove_file(head_path(&path)).unwrap();
        assert_eq!(state(&db, &path, &keys).await, AnchorState::HeadMissing);
    }
}
