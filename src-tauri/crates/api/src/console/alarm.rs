//! Disaster drafts on the villages' outdoor loudspeakers. The desk has no voice of its own
//! for a text, so the office records one standard alarm announcement ("재난문자가
//! 발령되었습니다. 휴대전화의 재난문자를 확인해 주세요 …") and chooses it in 설정; a draft's
//! loudspeaker part is that recording replayed by the console to the villages the draft
//! covers, after their zone tones. A person plays it from the banner (and "보내기" plays it
//! with the calls and texts); with `alarm.auto_critical` on, a 위급재난 from the feed plays
//! by itself at the next feed pass, without waiting for anyone.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_dispatch::broadcast::{NewBroadcast, Targets};
use maeul_dispatch::drafts::{self, Draft};

use super::{Console, OnAir};
use crate::dispatch::Created;
use crate::programs::refuse_in_practice;
use crate::{ApiError, ApiResult, Desk, ErrorCode};

/// The recording the console replays for a disaster draft (a recording's id).
pub const RECORDING: &str = "alarm.recording";
/// "on": 위급재난 from the feed go to the loudspeakers without a person.
pub const AUTO_CRITICAL: &str = "alarm.auto_critical";
/// How late a 위급재난 may still play by itself: after half an hour the alarm would
/// mislead more than it warns, and a person decides.
const AUTO_WITHIN_MINUTES: i64 = 30;
/// What the console's own recording of the play is called, before the draft's title.
const TITLE_PREFIX: &str = "재난 경보 · ";

/// 설정's view of the loudspeaker part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AlarmSettings {
    pub recording_id: Option<i64>,
    /// The chosen recording's title, or `None` when it has been deleted since.
    pub recording_title: Option<String>,
    pub auto_critical: bool,
}

/// What "보내기" on a draft did: the broadcast, and the loudspeakers (played as recording
/// `loudspeaker`, queued behind what is on air, or why not) — the loudspeakers never hold
/// back the calls and texts.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DraftSent {
    pub created: Created,
    pub loudspeaker: Option<i64>,
    /// The console was on air: the feed loop plays it when that ends (within its interval).
    pub loudspeaker_queued: bool,
    pub loudspeaker_error: Option<String>,
}

impl Desk {
    /// The recording chosen as the alarm, whatever its state.
    pub(super) async fn alarm_recording_id(&self) -> ApiResult<Option<i64>> {
        let mut conn = self.db.acquire().await?;
        Ok(maeul_db::settings::get(&mut conn, RECORDING)
            .await?
            .and_then(|v| v.trim().parse::<i64>().ok()))
    }

    /// The alarm recording that can play now, or a Korean reason naming what to set.
    async fn alarm_recording(&self) -> ApiResult<i64> {
        let id = self.alarm_recording_id().await?.ok_or_else(|| {
            ApiError::invalid(
                "recording",
                "확성기로 틀 재난 안내 녹음이 정해지지 않았습니다 (설정 → 재난문자)",
            )
        })?;
        let r = self.recording_row(id).await.map_err(|e| match e.code {
            ErrorCode::NotFound => ApiError::invalid(
                "recording",
                "정해 둔 재난 안내 녹음이 지워졌습니다 (설정 → 재난문자에서 다시 정해 주세요)",
            ),
            _ => e,
        })?;
        if !r.usable() || r.practice {
            return Err(ApiError::invalid(
                "recording",
                format!("재난 안내 녹음 '{}'은(는) 틀 수 없는 상태입니다", r.title),
            ));
        }
        Ok(id)
    }

    pub async fn alarm_settings(&self, actor: &Actor) -> ApiResult<AlarmSettings> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let recording_id = self.alarm_recording_id().await?;
        let auto = {
            let mut conn = self.db.acquire().await?;
            maeul_db::settings::get(&mut conn, AUTO_CRITICAL).await?
        };
        let recording_title = match recording_id {
            Some(id) => self
                .recording_row(id)
                .await
                .ok()
                .filter(|r| r.usable())
                .map(|r| r.title),
            None => None,
        };
        Ok(AlarmSettings {
            recording_id,
            recording_title,
            auto_critical: auto.as_deref() == Some("on"),
        })
    }

    /// Chooses the alarm recording (`None`: no loudspeaker part) and whether 위급재난 plays
    /// by itself, which needs a recording.
    pub async fn alarm_set(
        &self,
        actor: &Actor,
        recording_id: Option<i64>,
        auto_critical: bool,
    ) -> ApiResult<()> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        refuse_in_practice(actor, "재난 경보 설정을 바꿀")?;
        if let Some(id) = recording_id {
            let r = self
                .recording_row(id)
                .await
                .map_err(|_| ApiError::invalid("recording", format!("없는 녹음입니다: {id}")))?;
            if !r.usable() || r.practice {
                return Err(ApiError::invalid(
                    "recording",
                    format!(
                        "'{}'은(는) 마무리된 실제 녹음이 아니어서 틀 수 없습니다",
                        r.title
                    ),
                ));
            }
            if r.village_id.is_some() {
                return Err(ApiError::invalid(
                    "recording",
                    "마을 녹음이 아닌 군 전체용 녹음을 골라 주세요",
                ));
            }
        } else if auto_critical {
            return Err(ApiError::invalid(
                "auto_critical",
                "자동 방송에는 확성기로 틀 재난 안내 녹음이 있어야 합니다",
            ));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let recording = recording_id.map(|i| i.to_string()).unwrap_or_default();
        maeul_db::settings::set(&mut tx, RECORDING, &recording).await?;
        maeul_db::settings::set(
            &mut tx,
            AUTO_CRITICAL,
            if auto_critical { "on" } else { "off" },
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "settings.alarm",
            "alarm",
            &json!({ "recording_id": recording_id, "auto_critical": auto_critical }),
        )
        .await?;
        self.commit(tx).await
    }

    /// The console's request for a draft: its villages that have a zone code (in an alarm,
    /// the villages that can be opened are opened; the rest are named, not a reason to
    /// stay silent everywhere).
    async fn alarm_on_air(&self, d: &Draft, replay: i64) -> ApiResult<(OnAir, Vec<String>)> {
        let title: String = format!("{TITLE_PREFIX}{}", d.title)
            .chars()
            .take(100)
            .collect();
        let all = maeul_registry::store::villages::list(&self.db, None, true).await?;
        let wanted: Vec<_> = match &d.targets {
            Targets::All => {
                return Ok((
                    OnAir {
                        title,
                        villages: Vec::new(),
                        all_villages: true,
                        replay: Some(replay),
                    },
                    Vec::new(),
                ));
            }
            Targets::Villages(ids) => all.iter().filter(|v| ids.contains(&v.id)).collect(),
            Targets::Towns(ids) => all.iter().filter(|v| ids.contains(&v.town_id)).collect(),
            Targets::Groups(_) | Targets::Subscribers(_) => {
                return Err(ApiError::invalid(
                    "villages",
                    "그룹이나 몇 사람에게 보내는 방송은 확성기로 틀지 않습니다 (마을을 고르세요)",
                ));
            }
        };
        let (open, closed): (Vec<_>, Vec<_>) = wanted
            .into_iter()
            .partition(|v| v.zone_code.as_deref().is_some_and(|z| !z.is_empty()));
        if open.is_empty() {
            return Err(ApiError::invalid(
                "villages",
                "이 초안의 마을에 구역 코드가 없어 확성기를 열 수 없습니다 (명부 → 마을)",
            ));
        }
        Ok((
            OnAir {
                title,
                villages: open.iter().map(|v| v.id).collect(),
                all_villages: false,
                replay: Some(replay),
            },
            closed.iter().map(|v| v.name.clone()).collect(),
        ))
    }
}

/// A claim older than this whose play never settled is taken as never played (the desk
/// stopped between claiming and going on air).
const STALE_CLAIM_MINUTES: i64 = 2;

impl Console {
    /// Plays the alarm recording for a draft on its villages' loudspeakers; the console's
    /// recording of the play. Starts the engine if the 방송 screen has not. Refused as a
    /// conflict when it played already or another desk is playing it.
    pub async fn draft_on_air(&self, actor: &Actor, id: i64) -> ApiResult<i64> {
        self.play_draft(actor, id, None).await
    }

    /// [`Console::draft_on_air`] to `targets` when given (the edited form's), else the
    /// draft's.
    async fn play_draft(
        &self,
        actor: &Actor,
        id: i64,
        targets: Option<&Targets>,
    ) -> ApiResult<i64> {
        actor.require(Permission::SendBroadcast, Scope::County)?;
        actor.require(Permission::GoOnAir, Scope::County)?;
        refuse_in_practice(actor, "재난 경보를 확성기로 틀")?;
        let mut d = {
            let mut conn = self.desk.db.acquire().await?;
            drafts::get(&mut conn, id).await?
        };
        if d.state == "dismissed" {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "닫힌 초안입니다: 확성기로 틀지 않았습니다",
            ));
        }
        if let Some(t) = targets {
            d.targets = t.clone();
        }
        let replay = self.desk.alarm_recording().await?;
        let (req, closed) = self.desk.alarm_on_air(&d, replay).await?;
        self.open(actor).await?;
        let now = Timestamp::now();
        let stale = now - SignedDuration::from_mins(STALE_CLAIM_MINUTES);
        let mut tx = maeul_db::begin_write(&self.desk.db).await?;
        let mine = drafts::claim_loudspeaker(&mut tx, id, &actor.username, now, stale).await?;
        self.desk.commit(tx).await?;
        if !mine {
            let d = {
                let mut conn = self.desk.db.acquire().await?;
                drafts::get(&mut conn, id).await?
            };
            let who = match d.loudspeaker_by.as_deref() {
                Some("feed") | None => "자동 방송".to_string(),
                Some(by) => format!("{by}님"),
            };
            let when = d
                .loudspeaker_at
                .as_deref()
                .and_then(|at| at.parse::<Timestamp>().ok())
                .map(|t| maeul_time::seoul_civil(t).strftime("%H:%M").to_string())
                .unwrap_or_default();
            return Err(ApiError::new(
                ErrorCode::Conflict,
                if d.loudspeaker_recording_id.is_some() {
                    format!("이미 확성기로 방송했습니다 ({when}, {who})")
                } else {
                    format!("다른 PC에서 지금 확성기로 트는 중입니다 ({when}, {who})")
                },
            ));
        }
        let played = self.go_on_air(actor, &req).await;
        let mut tx = maeul_db::begin_write(&self.desk.db).await?;
        drafts::settle_loudspeaker(
            &mut tx,
            id,
            &actor.username,
            now,
            played.as_ref().ok().copied(),
        )
        .await?;
        if let Ok(recording) = &played {
            audit::record(
                &mut tx,
                actor,
                "broadcast.draft.loudspeaker",
                &format!("broadcast_draft:{id}"),
                &json!({
                    "recording_id": recording,
                    "replay": replay,
                    "villages": req.villages.len(),
                    "all_villages": req.all_villages,
                    "without_zone_code": closed,
                }),
            )
            .await?;
        }
        self.desk.commit(tx).await?;
        played
    }

    /// "보내기" on a draft (as it stands, or `edited` in the compose form): the broadcast
    /// first, then the loudspeakers to the same villages when an alarm recording is chosen
    /// and the draft has not played yet — unless the broadcast waits (for a second person,
    /// quiet hours or its time), when they wait for a person too.
    pub async fn draft_send(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        edited: Option<NewBroadcast>,
    ) -> ApiResult<DraftSent> {
        let targets = edited.as_ref().map(|b| b.targets.clone());
        let scheduled = edited.as_ref().is_some_and(|b| b.send_at.is_some());
        let created = self.desk.draft_send_as(actor, id, version, edited).await?;
        let mut sent = DraftSent {
            created,
            loudspeaker: None,
            loudspeaker_queued: false,
            loudspeaker_error: None,
        };
        let already = {
            let mut conn = self.desk.db.acquire().await?;
            drafts::get(&mut conn, id).await?.loudspeaker_at.is_some()
        };
        // No alarm recording chosen: the office does not use the loudspeakers for drafts.
        if already || self.desk.alarm_recording_id().await?.is_none() {
            return Ok(sent);
        }
        let s = &sent.created.summary;
        if s.needs_approval || s.held_until.is_some() || scheduled {
            sent.loudspeaker_error = Some(
                "방송이 승인·조용한 시간·예약을 기다리므로 확성기는 틀지 않았습니다. 때가 되면 방송 화면에서 틀어 주세요"
                    .into(),
            );
            return Ok(sent);
        }
        match self.play_draft(actor, id, targets.as_ref()).await {
            Ok(r) => sent.loudspeaker = Some(r),
            Err(e) if e.field.as_deref() == Some("on_air") => {
                let mut tx = maeul_db::begin_write(&self.desk.db).await?;
                drafts::queue_loudspeaker(&mut tx, id).await?;
                self.desk.commit(tx).await?;
                sent.loudspeaker_queued = true;
            }
            Err(e) => sent.loudspeaker_error = Some(e.message),
        }
        Ok(sent)
    }

    /// What waits for the loudspeakers, played: drafts "보내기" queued behind another
    /// broadcast, and (when the office set it so) the feed's 위급재난 issued in the last half
    /// hour, by themselves. One per pass, since the console plays one thing at a time, and
    /// none while someone is on air (the next pass tries again); a draft that cannot play
    /// does not hold back the next. The recording that played, or the first failure.
    pub async fn auto_alarm(&self, now: Timestamp) -> ApiResult<Option<i64>> {
        if self.desk.alarm_recording_id().await?.is_none() || self.on_air().is_some() {
            return Ok(None);
        }
        let auto = {
            let mut conn = self.desk.db.acquire().await?;
            maeul_db::settings::get(&mut conn, AUTO_CRITICAL).await?
        };
        let critical_since = (auto.as_deref() == Some("on"))
            .then(|| now - SignedDuration::from_mins(AUTO_WITHIN_MINUTES));
        let stale = now - SignedDuration::from_mins(STALE_CLAIM_MINUTES);
        let waiting = {
            let mut conn = self.desk.db.acquire().await?;
            drafts::awaiting_alarm(&mut conn, now, critical_since, stale).await?
        };
        let system = Actor::system("feed");
        let mut first_error = None;
        for d in &waiting {
            match self.draft_on_air(&system, d.id).await {
                Ok(r) => return Ok(Some(r)),
                // Someone went on air meanwhile: the next pass.
                Err(e) if e.field.as_deref() == Some("on_air") => return Ok(None),
                Err(e) => {
                    log::warn!(
                        "feed: draft {} cannot play on the loudspeakers: {}",
                        d.id,
                        e.message
                    );
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(None), Err)
    }
}
