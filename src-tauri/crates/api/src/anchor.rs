//! Keeps the audit chain's head sealed outside the database (see
//! [`maeul_accounts::anchor`]): checked when the desk opens, written again after every
//! change the desk commits.

use std::path::{Path, PathBuf};

use serde_json::json;

use maeul_accounts::anchor::{self, AnchorCheck, AnchorState, KeyStore, OsKeyring};
use maeul_accounts::{Actor, audit};
use maeul_db::{Db, Tx};

use crate::{ApiResult, Desk};

pub(crate) struct AuditAnchor {
    path: PathBuf,
    /// The chain id and its key; `None` where the credential store cannot be used.
    sealed: Option<(String, Vec<u8>)>,
    /// What the check found when the desk opened.
    at_open: AnchorCheck,
    /// The last id written to the head file.
    written: tokio::sync::Mutex<i64>,
}

impl AuditAnchor {
    /// Checks the head beside `path`, records a mismatch in the audit log itself (so the
    /// finding is in the chain), then anchors the chain as it is now.
    pub(crate) async fn open(db: &Db, path: &Path, keys: &dyn KeyStore) -> ApiResult<AuditAnchor> {
        let mut conn = db.acquire().await?;
        let mut at_open = anchor::check(&mut conn, path, keys).await?;
        drop(conn);
        if at_open.state.is_problem() && at_open.state != AnchorState::KeyringUnavailable {
            log::warn!("audit anchor: {}", at_open.message);
            let mut tx = maeul_db::begin_write(db).await?;
            audit::record(
                &mut tx,
                &Actor::system("audit-anchor"),
                "audit.anchor_mismatch",
                "audit_log",
                &json!({ "state": at_open.state, "message": at_open.message }),
            )
            .await?;
            tx.commit().await?;
        }
        let mut conn = db.acquire().await?;
        let sealed = if at_open.state == AnchorState::KeyringUnavailable {
            None
        } else {
            match anchor::chain_key(&mut conn, keys).await? {
                Ok(sealed) => Some(sealed),
                Err(reason) => {
                    at_open = anchor::keyring_unavailable(&reason);
                    None
                }
            }
        };
        if at_open.state == AnchorState::KeyringUnavailable {
            log::warn!("audit anchor: {}", at_open.message);
        }
        let mut written = -1;
        if let Some((chain_id, key)) = &sealed {
            written = anchor::write(&mut conn, path, chain_id, key).await?;
        }
        Ok(AuditAnchor {
            path: path.to_owned(),
            sealed,
            at_open,
            written: tokio::sync::Mutex::new(written),
        })
    }

    async fn advance(&self, db: &Db) -> ApiResult<()> {
        let Some((chain_id, key)) = &self.sealed else {
            return Ok(());
        };
        let mut written = self.written.lock().await;
        let mut conn = db.acquire().await?;
        let last = maeul_accounts::audit::last_id(&mut conn).await?;
        if last != *written {
            *written = anchor::write(&mut conn, &self.path, chain_id, key).await?;
        }
        Ok(())
    }
}

impl Desk {
    pub(crate) async fn open_anchor(db: &Db, path: &Path) -> ApiResult<AuditAnchor> {
        AuditAnchor::open(db, path, &OsKeyring).await
    }

    /// Commits a use case's transaction, then seals the audit chain's new head.
    pub(crate) async fn commit(&self, tx: Tx<'static>) -> ApiResult<()> {
        tx.commit().await?;
        self.anchor_audit().await;
        Ok(())
    }

    /// Seals the chain's current head into the file beside the database. A failure is
    /// logged, not returned: the change itself has been committed.
    pub async fn anchor_audit(&self) {
        if let Some(a) = &self.anchor
            && let Err(e) = a.advance(&self.db).await
        {
            log::warn!("audit anchor: {}", e.message);
        }
    }

    /// What the anchor check found when this desk opened (the app shows a problem at start).
    pub fn audit_anchor(&self) -> AnchorCheck {
        self.anchor
            .as_ref()
            .map_or_else(AnchorCheck::not_kept, |a| a.at_open.clone())
    }

    /// The anchor as it stands now; a problem found at open is kept.
    pub(crate) async fn anchor_now(&self) -> ApiResult<AnchorCheck> {
        let Some(a) = &self.anchor else {
            return Ok(AnchorCheck::not_kept());
        };
        if a.at_open.state.is_problem() {
            return Ok(a.at_open.clone());
        }
        let mut conn = self.db.acquire().await?;
        Ok(anchor::check(&mut conn, &a.path, &OsKeyring).await?)
    }
}
