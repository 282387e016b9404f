//! Alerts from other systems as drafts, and sent broadcasts as CAP: importing a CAP file,
//! the open drafts every desk sees, sending one with a single press or dismissing it, and a
//! broadcast's CAP export. Drafts go county-wide, so only those who send county-wide act
//! on them; an Update or Cancel of an alert closes the drafts it names.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_dispatch::DispatchError;
use maeul_dispatch::broadcast::NewBroadcast;
use maeul_dispatch::cap;
use maeul_dispatch::drafts::{self, Draft, DraftSource};
use maeul_dispatch::report;
use maeul_dispatch::store::Origin;

use super::Created;
use crate::programs::refuse_in_practice;
use crate::{ApiResult, Desk};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AlertImported {
    /// The draft the alert made, or found already made from the same alert; `None` for a
    /// Cancel.
    pub draft: Option<Draft>,
    /// False when the same alert had been imported before.
    pub created: bool,
    /// The villages the draft is for, by name ("증평읍 연탄1리").
    pub villages: Vec<String>,
    /// Open drafts of earlier alerts this one updated or cancelled.
    pub dismissed: u32,
}

impl Desk {
    /// Reads a CAP 1.2 alert and makes (or finds) the draft for the villages it covers.
    pub async fn alert_import(&self, actor: &Actor, xml: &str) -> ApiResult<AlertImported> {
        actor.require(Permission::SendBroadcast, Scope::County)?;
        refuse_in_practice(actor, "경보를 가져올")?;
        let alert = cap::parse(xml).map_err(DispatchError::from)?;
        let now = Timestamp::now();
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let places = cap::area::places(&mut tx).await?;
        let from = cap::import::from_alert(&alert, &places, now)?;
        let dismissed = drafts::dismiss_refs(
            &mut tx,
            DraftSource::Cap,
            &from.supersedes,
            &actor.username,
            now,
        )
        .await?;
        let (draft, created) = match &from.draft {
            Some(new) => {
                let (id, created) = drafts::insert(&mut tx, new, &actor.username, now).await?;
                (Some(drafts::get(&mut tx, id).await?), created)
            }
            None => (None, false),
        };
        audit::record(
            &mut tx,
            actor,
            "broadcast.draft.import",
            &draft.as_ref().map_or_else(
                || "broadcast_draft:-".into(),
                |d| format!("broadcast_draft:{}", d.id),
            ),
            &json!({
                "source_ref": cap::import::reference(&alert),
                "msg_type": alert.msg_type,
                "created": created,
                "villages": from.villages.len(),
                "dismissed": dismissed,
            }),
        )
        .await?;
        self.commit(tx).await?;
        let villages = places
            .iter()
            .filter(|p| from.villages.contains(&p.village_id))
            .map(|p| format!("{} {}", p.town, p.village))
            .collect();
        Ok(AlertImported {
            draft,
            created,
            villages,
            dismissed,
        })
    }

    /// [`Desk::alert_import`] of a CAP file as it lies on disk (UTF-8, or the EUC-KR its
    /// declaration names), for the window's picker and drop and for `maeul alert import`.
    pub async fn alert_import_file(
        &self,
        actor: &Actor,
        path: &std::path::Path,
    ) -> ApiResult<AlertImported> {
        let bytes = tokio::fs::read(path).await.map_err(|e| {
            crate::ApiError::new(crate::ErrorCode::Io, format!("{}: {e}", path.display()))
        })?;
        let xml = cap::decode(&bytes).map_err(DispatchError::from)?;
        self.alert_import(actor, &xml).await
    }

    /// Drafts waiting for a person, newest first.
    pub async fn drafts_open(&self, actor: &Actor) -> ApiResult<Vec<Draft>> {
        actor.require(Permission::SendBroadcast, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        Ok(drafts::open(&mut conn).await?)
    }

    /// Sends a draft as it stands: an emergency goes through quiet hours and needs no second
    /// person. `version` is the one the person saw; a draft another desk sent or dismissed
    /// since is refused as a conflict, so two presses never make two broadcasts.
    pub async fn draft_send(&self, actor: &Actor, id: i64, version: i64) -> ApiResult<Created> {
        self.draft_send_as(actor, id, version, None).await
    }

    /// [`Desk::draft_send`], or with `edited` what the person made of it in the compose
    /// form ("고쳐서 보내기"): checked like any broadcast (a refusal leaves the draft open),
    /// and the draft closed as sent with it.
    pub async fn draft_send_as(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        edited: Option<NewBroadcast>,
    ) -> ApiResult<Created> {
        actor.require(Permission::SendBroadcast, Scope::County)?;
        // Drafts are the office's, shared by every desk: a practice session must not send
        // one to the sandbox and close it for everyone.
        refuse_in_practice(actor, "재난 경보 초안을 보낼")?;
        let d = {
            let mut conn = self.db.acquire().await?;
            drafts::get(&mut conn, id).await?
        };
        let was_edited = edited.is_some();
        let b = edited.unwrap_or_else(|| NewBroadcast {
            title: d.title.clone(),
            category: d.category,
            body: d.body.clone(),
            recording_id: None,
            targets: d.targets.clone(),
            channels: d.channels.clone(),
            emergency: d.emergency,
            send_at: None,
            poll: None,
            translations: Vec::new(),
        });
        let origin = Origin {
            created_by: actor.username.clone(),
            practice: actor.in_practice(),
            needs_approval: self.needs_approval(&b).await?,
            parent_id: None,
            purpose: "broadcast",
        };
        let mut tx = self.begin_broadcast(actor, &b).await?;
        let created = self
            .create_broadcast_in(&mut tx, actor, &b, &origin)
            .await?;
        drafts::close(
            &mut tx,
            id,
            version,
            Some(created.id),
            &actor.username,
            Timestamp::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "broadcast.draft.send",
            &format!("broadcast_draft:{id}"),
            &json!({ "broadcast_id": created.id, "source_ref": d.source_ref, "edited": was_edited }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(created)
    }

    pub async fn draft_dismiss(&self, actor: &Actor, id: i64, version: i64) -> ApiResult<()> {
        actor.require(Permission::SendBroadcast, Scope::County)?;
        refuse_in_practice(actor, "재난 경보 초안을 닫을")?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        drafts::close(
            &mut tx,
            id,
            version,
            None,
            &actor.username,
            Timestamp::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "broadcast.draft.dismiss",
            &format!("broadcast_draft:{id}"),
            &json!({}),
        )
        .await?;
        self.commit(tx).await
    }

    /// A broadcast as a CAP 1.2 alert (Korean profile), UTF-8 XML.
    pub async fn broadcast_cap(&self, actor: &Actor, id: i64) -> ApiResult<String> {
        super::broadcasts::require_view(actor)?;
        let mut conn = self.db.acquire().await?;
        let b = report::get(&mut conn, id).await?;
        super::broadcasts::may_see(actor, &b)?;
        // A CAP consumer takes an alert as issued: one still waiting for its second person
        // has not been.
        if b.needs_approval && b.approved_by.is_none() {
            return Err(crate::ApiError::new(
                crate::ErrorCode::Invalid,
                "아직 승인되지 않은 방송은 CAP로 내보낼 수 없습니다",
            ));
        }
        let places = cap::area::places(&mut conn).await?;
        let villages = cap::export::villages(&mut conn, &b, &places).await?;
        let from = drafts::of_broadcast(&mut conn, id).await?;
        let alert = cap::export::alert(&b, &villages, &places, from.as_ref())?;
        Ok(cap::to_xml(&alert).map_err(DispatchError::from)?)
    }
}
