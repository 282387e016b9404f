//! The broadcast use cases. Roles are checked here: operators and admins send anywhere, a
//! chief only to their own village; a county-wide normal send may need a second person.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use maeul_accounts::{Actor, Permission, Role, Scope, audit};
use maeul_dispatch::broadcast::{NewBroadcast, Targets};
use maeul_dispatch::escalation::Step;
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::policy::Policy;
use maeul_dispatch::replies::{self, Replies};
use maeul_dispatch::report::{
    self, BroadcastRow, ChannelProgress, NotReached, ReasonCount, StateCount, VillageProgress,
};
use maeul_dispatch::store::{self, Origin, Summary};

use crate::programs::refuse_in_practice;
use crate::{ApiError, ApiResult, Desk, ErrorCode};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Created {
    pub id: i64,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BroadcastDetail {
    pub broadcast: BroadcastRow,
    pub channels: Vec<ChannelProgress>,
    /// Why deliveries failed or wait for another attempt, per channel.
    pub reasons: Vec<ReasonCount>,
    pub villages: Vec<VillageProgress>,
    /// Households with no successful channel, once their deliveries have settled.
    pub not_reached: u32,
    /// What residents pressed: households that confirmed, and the poll's tallies.
    pub replies: Replies,
    /// The escalation steps planned with it, as a timeline.
    pub escalation: Vec<Step>,
}

/// Checks the targets against the actor: a chief reaches only their own village.
pub(super) async fn require_send(desk: &Desk, actor: &Actor, targets: &Targets) -> ApiResult<()> {
    // Groups are the county office's lists: only those who may see them send to them.
    if matches!(targets, Targets::Groups(_)) {
        actor.require(Permission::ViewGroups, Scope::County)?;
    }
    if actor.role != Role::Chief {
        actor.require(Permission::SendBroadcast, Scope::County)?;
        return Ok(());
    }
    let villages = match targets {
        Targets::All | Targets::Towns(_) => {
            actor.require(Permission::SendBroadcast, Scope::County)?;
            return Ok(());
        }
        Targets::Villages(ids) => ids.iter().copied().collect(),
        Targets::Groups(_) | Targets::Subscribers(_) => {
            let mut conn = desk.db.acquire().await?;
            store::villages_of(&mut conn, targets).await?
        }
    };
    for village in villages {
        actor.require(Permission::SendBroadcast, Scope::Village(village))?;
    }
    Ok(())
}

pub(super) fn require_view(actor: &Actor) -> ApiResult<()> {
    // A chief's view is narrowed to what they sent (see `broadcast_list`).
    Ok(actor.require(
        Permission::ViewBroadcasts,
        actor.village_id.map_or(Scope::County, Scope::Village),
    )?)
}

/// Checks that the actor may stop what is left of a broadcast (cancel it, stop its
/// escalation): they could send to its targets, and may see it.
pub(super) async fn require_stop(desk: &Desk, actor: &Actor, id: i64) -> ApiResult<()> {
    let row = {
        let mut conn = desk.db.acquire().await?;
        report::get(&mut conn, id).await?
    };
    let targets: Targets = serde_json::from_str(&row.targets).unwrap_or(Targets::All);
    require_send(desk, actor, &targets).await?;
    may_see(actor, &row)
}

/// Whether the actor may see this broadcast: a chief only their own.
pub(super) fn may_see(actor: &Actor, b: &BroadcastRow) -> ApiResult<()> {
    if actor.role == Role::Chief && b.created_by != actor.username {
        return Err(ApiError::new(
            ErrorCode::OutOfScope,
            "다른 사람이 보낸 방송입니다",
        ));
    }
    Ok(())
}

impl Desk {
    /// With two-person approval on, a normal send waits for a second person when it is
    /// county-wide by its reach, not by how it was addressed: all villages, or towns or
    /// groups whose recipients live in more than half of the county's villages.
    pub(super) async fn needs_approval(&self, b: &NewBroadcast) -> ApiResult<bool> {
        let mut conn = self.db.acquire().await?;
        let on = super::settings::two_person_approval(&mut conn).await?;
        if !on || b.emergency {
            return Ok(false);
        }
        if matches!(b.targets, Targets::All) {
            return Ok(true);
        }
        let reached = store::villages_of(&mut conn, &b.targets).await?.len() as i64;
        let county = maeul_registry::store::villages::count(&mut conn).await?;
        Ok(reached * 2 > county)
    }

    /// Every chosen channel must be one the provider, as set up, can carry: refused while
    /// composing, saying what to fix in 설정.
    async fn require_channels_ready(&self, b: &NewBroadcast) -> ApiResult<()> {
        let Some(provider) = self.provider_settings_stored().await? else {
            return Ok(());
        };
        for channel in &b.channels {
            provider
                .ready_for(*channel)
                .map_err(|why| ApiError::invalid("channels", why))?;
        }
        Ok(())
    }

    /// Who will get what, without storing anything.
    pub async fn broadcast_preview(&self, actor: &Actor, b: NewBroadcast) -> ApiResult<Summary> {
        require_send(self, actor, &b.targets).await?;
        if let Some(r) = b.recording_id {
            self.recording_for_broadcast(actor, r).await?;
        }
        let now = Timestamp::now();
        let mut conn = self.db.acquire().await?;
        let (mut summary, _) = store::preview(&mut conn, &b, now).await?;
        let policy = Policy::load(&mut conn).await?;
        drop(conn);
        self.require_channels_ready(&b).await?;
        summary.needs_approval = self.needs_approval(&b).await?;
        if !b.emergency {
            let at = maeul_dispatch::broadcast::parse_time(b.send_at.as_deref().unwrap_or(""))
                .unwrap_or(now);
            summary.held_until = policy.quiet.hold_until(at).map(|t| t.to_string());
        }
        Ok(summary)
    }

    /// Stores the broadcast and its deliveries; the sync worker sends them. Made in a practice
    /// session, it goes to the sandbox only, and an emergency is refused there: it would reach
    /// nobody while the trainer believed it sent.
    pub async fn broadcast_send(&self, actor: &Actor, b: NewBroadcast) -> ApiResult<Created> {
        require_send(self, actor, &b.targets).await?;
        if b.emergency {
            refuse_in_practice(actor, "긴급 방송을 보낼")?;
        }
        let practice = actor.in_practice();
        let origin = Origin {
            created_by: actor.username.clone(),
            practice,
            needs_approval: self.needs_approval(&b).await?,
            parent_id: None,
            purpose: "broadcast",
        };
        self.create_broadcast(actor, &b, &origin).await
    }

    async fn create_broadcast(
        &self,
        actor: &Actor,
        b: &NewBroadcast,
        origin: &Origin,
    ) -> ApiResult<Created> {
        let mut tx = self.begin_broadcast(actor, b).await?;
        let created = self.create_broadcast_in(&mut tx, actor, b, origin).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    /// The checks before a broadcast is stored, then the write transaction to store it in
    /// (with whatever else must commit with it: the draft it was sent from).
    pub(super) async fn begin_broadcast(
        &self,
        actor: &Actor,
        b: &NewBroadcast,
    ) -> ApiResult<maeul_db::Tx<'static>> {
        self.require_channels_ready(b).await?;
        if let Some(r) = b.recording_id {
            self.recording_for_broadcast(actor, r).await?;
        }
        Ok(maeul_db::begin_write(&self.db).await?)
    }

    pub(super) async fn create_broadcast_in(
        &self,
        tx: &mut maeul_db::Tx<'static>,
        actor: &Actor,
        b: &NewBroadcast,
        origin: &Origin,
    ) -> ApiResult<Created> {
        let now = Timestamp::now();
        let (id, summary) = store::create(tx, b, origin, now).await?;
        audit::record(
            tx,
            actor,
            "broadcast.send",
            &format!("broadcast:{id}"),
            &json!({
                "title": b.title, "category": b.category.as_str(), "targets": b.targets,
                "recording_id": b.recording_id,
                "channels": b.channels, "emergency": b.emergency, "send_at": b.send_at,
                "practice": origin.practice, "purpose": origin.purpose,
                "deliveries": summary.per_channel.iter().map(|c| c.deliveries).sum::<u32>(),
            }),
        )
        .await?;
        Ok(Created { id, summary })
    }

    pub async fn broadcast_approve(&self, actor: &Actor, id: i64) -> ApiResult<BroadcastRow> {
        actor.require(Permission::ApproveBroadcast, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        if !report::get(&mut tx, id).await?.practice {
            refuse_in_practice(actor, "실제 방송을 승인할")?;
        }
        store::approve(&mut tx, id, &actor.username, Timestamp::now()).await?;
        audit::record(
            &mut tx,
            actor,
            "broadcast.approve",
            &format!("broadcast:{id}"),
            &json!({}),
        )
        .await?;
        let row = report::get(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Stops what has not left yet; returns how many deliveries were stopped.
    pub async fn broadcast_cancel(&self, actor: &Actor, id: i64) -> ApiResult<u32> {
        require_stop(self, actor, id).await?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let stopped = store::cancel(&mut tx, id, Timestamp::now()).await?;
        audit::record(
            &mut tx,
            actor,
            "broadcast.cancel",
            &format!("broadcast:{id}"),
            &json!({ "stopped": stopped }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(stopped)
    }

    /// The history, newest first; practice broadcasts only when asked for.
    pub async fn broadcast_list(
        &self,
        actor: &Actor,
        include_practice: bool,
    ) -> ApiResult<Vec<BroadcastRow>> {
        require_view(actor)?;
        let mut conn = self.db.acquire().await?;
        let rows = report::list(&mut conn, include_practice, 500).await?;
        Ok(rows
            .into_iter()
            .filter(|b| may_see(actor, b).is_ok())
            .collect())
    }

    pub async fn broadcast_detail(&self, actor: &Actor, id: i64) -> ApiResult<BroadcastDetail> {
        require_view(actor)?;
        let mut conn = self.db.acquire().await?;
        let broadcast = report::get(&mut conn, id).await?;
        may_see(actor, &broadcast)?;
        let counts = report::state_counts(&mut conn, id).await?;
        Ok(BroadcastDetail {
            channels: report::progress(&counts),
            reasons: report::reasons(&counts),
            villages: report::by_village(&mut conn, id).await?,
            not_reached: report::not_reached(&mut conn, id).await?.len() as u32,
            replies: replies::of_broadcast(&mut conn, id).await?,
            escalation: maeul_dispatch::escalation::timeline(&mut conn, id).await?,
            broadcast,
        })
    }

    /// Exact counts per channel, state and reason.
    pub async fn broadcast_report(&self, actor: &Actor, id: i64) -> ApiResult<Vec<StateCount>> {
        require_view(actor)?;
        let mut conn = self.db.acquire().await?;
        may_see(actor, &report::get(&mut conn, id).await?)?;
        Ok(report::state_counts(&mut conn, id).await?)
    }

    /// The delivery report as CSV (numbers masked for roles that do not see them in full);
    /// returns the bytes and the number of lines.
    pub async fn broadcast_csv(&self, actor: &Actor, id: i64) -> ApiResult<(Vec<u8>, u32)> {
        require_view(actor)?;
        let mut conn = self.db.acquire().await?;
        may_see(actor, &report::get(&mut conn, id).await?)?;
        let full = actor
            .require(
                Permission::ViewFullPhone,
                actor.village_id.map_or(Scope::County, Scope::Village),
            )
            .is_ok();
        let show = |e164: &str| {
            if full {
                maeul_registry::phone::display(e164)
            } else {
                maeul_registry::phone::masked(e164)
            }
        };
        Ok(maeul_dispatch::report_csv::write(&mut conn, id, &show).await?)
    }

    pub async fn broadcast_not_reached(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ApiResult<Vec<NotReached>> {
        require_view(actor)?;
        let mut conn = self.db.acquire().await?;
        may_see(actor, &report::get(&mut conn, id).await?)?;
        let all = report::not_reached(&mut conn, id).await?;
        Ok(match actor.role {
            Role::Chief => all
                .into_iter()
                .filter(|n| Some(n.village_id) == actor.village_id)
                .collect(),
            _ => all,
        })
    }

    /// The delivery report to print (a chief's copy covers their village only); the PDF and
    /// its page count.
    pub async fn broadcast_pdf(&self, actor: &Actor, id: i64) -> ApiResult<(Vec<u8>, usize)> {
        let detail = self.broadcast_detail(actor, id).await?;
        let not_reached = self.broadcast_not_reached(actor, id).await?;
        // Households to call: answered (or reached otherwise) but no key pressed. Those no
        // channel reached are in the not-reached list already, and not repeated.
        let unconfirmed = {
            let mut conn = self.db.acquire().await?;
            let all = replies::unconfirmed(&mut conn, id).await?;
            all.into_iter()
                .filter(|n| actor.role != Role::Chief || Some(n.village_id) == actor.village_id)
                .filter(|n| !not_reached.iter().any(|m| m.household_id == n.household_id))
                .collect()
        };
        let villages = match actor.role {
            Role::Chief => detail
                .villages
                .into_iter()
                .filter(|v| Some(v.village_id) == actor.village_id)
                .collect(),
            _ => detail.villages,
        };
        let r = maeul_dispatch::report_pdf::DeliveryReport {
            broadcast: detail.broadcast,
            channels: detail.channels,
            reasons: detail.reasons,
            villages,
            not_reached,
            replies: detail.replies,
            unconfirmed,
            escalation: detail.escalation,
        };
        let at = crate::printed_at();
        let (bytes, pages) =
            tokio::task::spawn_blocking(move || maeul_dispatch::report_pdf::write(&r, &at))
                .await
                .map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))??;
        Ok((bytes, pages))
    }

    /// Sends the same broadcast again, to the not-reached households' subscribers only.
    pub async fn broadcast_resend_not_reached(&self, actor: &Actor, id: i64) -> ApiResult<Created> {
        let missing = self.broadcast_not_reached(actor, id).await?;
        if missing.is_empty() {
            return Err(ApiError::invalid(
                "broadcast",
                "다시 보낼 미수신 세대가 없습니다",
            ));
        }
        let (row, poll, translations) = {
            let mut conn = self.db.acquire().await?;
            (
                report::get(&mut conn, id).await?,
                replies::poll_of(&mut conn, id).await?,
                store::translations_of(&mut conn, id).await?,
            )
        };
        if !row.practice {
            refuse_in_practice(actor, "실제 방송을 다시 보낼")?;
        }
        let ids = missing
            .iter()
            .flat_map(|n| n.subscriber_ids.iter().copied())
            .collect();
        let channels: Vec<Channel> = serde_json::from_str(&row.channels).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("저장된 방송의 채널을 읽을 수 없습니다: {e}"),
            )
        })?;
        let b = NewBroadcast {
            title: format!("[재발송] {}", row.title),
            category: row.category,
            body: row.body.clone(),
            recording_id: row.recording_id,
            targets: Targets::Subscribers(ids),
            // The calls ask the same question again (a poll needs the voice channel).
            poll: poll.filter(|_| channels.contains(&Channel::Voice)),
            channels,
            emergency: row.emergency,
            send_at: None,
            translations,
        };
        require_send(self, actor, &b.targets).await?;
        let origin = Origin {
            created_by: actor.username.clone(),
            practice: row.practice,
            needs_approval: false,
            parent_id: Some(id),
            purpose: "resend",
        };
        self.create_broadcast(actor, &b, &origin).await
    }
}
