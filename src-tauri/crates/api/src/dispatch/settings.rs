//! The sending policy as staff set it (설정 and `maeul settings set`): every value checked
//! by its key before it is stored, every change audited.

use serde::{Deserialize, Serialize};
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_db::{Conn, settings};
use maeul_dispatch::policy::{self, Policy};

use crate::{ApiError, ApiResult, Desk};

pub const TWO_PERSON_APPROVAL: &str = "dispatch.two_person_approval";
/// Minutes without keyboard or mouse input before the window signs out; 0 = never.
pub const IDLE_LOCK_MINUTES: &str = "session.idle_lock_minutes";
pub const IDLE_LOCK_DEFAULT: u32 = 15;
/// Eight hours: a longer lock is no lock.
const IDLE_LOCK_MAX: u32 = 480;

/// The settings `maeul settings set` accepts.
pub const KEYS: [&str; 12] = [
    policy::RETRY_SCHEDULE,
    policy::BACKOFF_BASE,
    policy::FALLBACK,
    policy::QUIET_HOURS,
    policy::CHIEF_NOTICE,
    policy::RETENTION_DAYS,
    policy::PASS_DEADLINE,
    policy::SEND_FROM,
    TWO_PERSON_APPROVAL,
    "programs.reminder_offsets",
    IDLE_LOCK_MINUTES,
    maeul_dispatch::escalation::SETTING,
];

/// What every signed-in window needs to know about its own session.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SessionSettings {
    pub idle_lock_minutes: u32,
}

fn idle_lock_minutes(value: &str) -> ApiResult<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|m| *m <= IDLE_LOCK_MAX)
        .ok_or_else(|| {
            ApiError::invalid(
                IDLE_LOCK_MINUTES,
                format!("0(끄기)부터 {IDLE_LOCK_MAX}까지의 분입니다"),
            )
        })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct DispatchSettings {
    pub retry_schedule: String,
    pub backoff_base: String,
    pub fallback: String,
    pub quiet_hours: String,
    pub two_person_approval: bool,
    /// Chiefs get the households a settled broadcast did not reach, by text.
    pub chief_notice: bool,
    /// `all`, or the names of the desks that send ([`policy::SEND_FROM`]).
    pub send_from: String,
    /// This PC's name, as `send_from` would list it.
    pub this_desk: String,
}

pub(super) async fn two_person_approval(conn: &mut Conn) -> ApiResult<bool> {
    Ok(settings::get(conn, TWO_PERSON_APPROVAL).await?.as_deref() == Some("on"))
}

fn on_off(value: &str) -> ApiResult<()> {
    match value {
        "on" | "off" => Ok(()),
        _ => Err(ApiError::invalid(TWO_PERSON_APPROVAL, "on 또는 off 입니다")),
    }
}

impl Desk {
    /// Stores one setting after checking its value; unknown keys are refused with the list.
    pub async fn setting_set(&self, actor: &Actor, key: &str, value: &str) -> ApiResult<()> {
        // Who may be locked out of an idle desk is an account matter, the rest sending policy.
        let permission = if key == IDLE_LOCK_MINUTES {
            Permission::ManageUsers
        } else {
            Permission::ManageDispatch
        };
        actor.require(permission, Scope::County)?;
        let value = value.trim();
        match key {
            IDLE_LOCK_MINUTES => idle_lock_minutes(value).map(drop)?,
            TWO_PERSON_APPROVAL => on_off(value)?,
            maeul_dispatch::escalation::SETTING => {
                maeul_dispatch::escalation::Ladders::parse(value).map(drop)?;
            }
            "programs.reminder_offsets" => {
                maeul_programs::reminders::parse_offsets(value).map(drop)?;
            }
            k if KEYS.contains(&k) => Policy::check_setting(k, value)?,
            _ => {
                return Err(ApiError::invalid(
                    "key",
                    format!("모르는 설정입니다: {key} (가능: {})", KEYS.join(", ")),
                ));
            }
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let old = settings::get(&mut tx, key).await?;
        settings::set(&mut tx, key, value).await?;
        audit::record(
            &mut tx,
            actor,
            "settings.set",
            key,
            &json!({ "old": old, "new": value }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Read by every signed-in role: each window applies its own idle lock.
    pub async fn session_settings(&self, _actor: &Actor) -> ApiResult<SessionSettings> {
        let mut conn = self.db.acquire().await?;
        let stored = settings::get(&mut conn, IDLE_LOCK_MINUTES).await?;
        Ok(SessionSettings {
            idle_lock_minutes: stored
                .and_then(|v| idle_lock_minutes(&v).ok())
                .unwrap_or(IDLE_LOCK_DEFAULT),
        })
    }

    pub async fn dispatch_settings(&self, actor: &Actor) -> ApiResult<DispatchSettings> {
        actor.require(
            Permission::SendBroadcast,
            actor.village_id.map_or(Scope::County, Scope::Village),
        )?;
        let mut conn = self.db.acquire().await?;
        let p = Policy::load(&mut conn).await?;
        let show = |d: &jiff::SignedDuration| format!("{}m", d.as_secs() / 60);
        Ok(DispatchSettings {
            retry_schedule: settings::get(&mut conn, policy::RETRY_SCHEDULE)
                .await?
                .unwrap_or_else(|| p.waits.iter().map(show).collect::<Vec<_>>().join(",")),
            backoff_base: settings::get(&mut conn, policy::BACKOFF_BASE)
                .await?
                .unwrap_or_else(|| format!("{}s", p.backoff_base.as_secs())),
            fallback: settings::get(&mut conn, policy::FALLBACK)
                .await?
                .unwrap_or_else(|| "sms_then_kakao".into()),
            quiet_hours: settings::get(&mut conn, policy::QUIET_HOURS)
                .await?
                .unwrap_or_else(|| "21:00-07:00".into()),
            two_person_approval: two_person_approval(&mut conn).await?,
            chief_notice: p.chief_notice,
            send_from: settings::get(&mut conn, policy::SEND_FROM)
                .await?
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "all".into()),
            this_desk: policy::desk_name(),
        })
    }
}

#[cfg(test)]
mod tests {
    use maeul_accounts::Role;

    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            username: format!("t-{role}"),
            display_name: "t".into(),
            role,
            village_id: (role == Role::Chief).then_some(1),
            practice: None,
        }
    }

    #[tokio::test]
    async fn idle_lock_defaults_to_15_minutes_and_every_role_reads_it() {
        let desk = Desk::open_memory().await.unwrap();
        for role in Role::ALL {
            let s = desk.session_settings(&actor(role)).await.unwrap();
            assert_eq!(s.idle_lock_minutes, 15, "{role}");
        }
        let admin = actor(Role::Admin);
        desk.setting_set(&admin, IDLE_LOCK_MINUTES, "0")
            .await
            .unwrap();
        let s = desk.session_settings(&actor(Role::Chief)).await.unwrap();
        assert_eq!(s.idle_lock_minutes, 0);
        for bad in ["-1", "481", "soon"] {
            let e = desk
                .setting_set(&admin, IDLE_LOCK_MINUTES, bad)
                .await
                .unwrap_err();
            assert_eq!(e.field.as_deref(), Some(IDLE_LOCK_MINUTES), "{bad}");
        }
    }
}
