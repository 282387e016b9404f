//! The steps of one broadcast's ladder: planned when it is created, taken by the sync worker
//! when due, stopped by staff, read back as a timeline.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use maeul_db::{Conn, dialect};
use serde::Serialize;

use super::{Action, Ladders, SETTING};
use crate::DispatchError;
use crate::broadcast::{Category, NewBroadcast, TITLE_MAX, Targets, parse_time};
use crate::chief_notice::{ListKind, notify_list};
use crate::fanout::Channel;
use crate::policy::stamp;
use crate::replies;
use crate::store::{self, Origin};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Planned,
    Done,
    Stopped,
    /// Not taken: the broadcast was cancelled, or its text could not go as a text.
    Skipped,
}

impl StepState {
    fn parse(s: &str) -> Result<StepState, DispatchError> {
        Ok(match s {
            "planned" => StepState::Planned,
            "done" => StepState::Done,
            "stopped" => StepState::Stopped,
            "skipped" => StepState::Skipped,
            _ => {
                return Err(DispatchError::invalid(
                    "escalation",
                    format!("저장된 단계 상태를 알 수 없습니다: {s}"),
                ));
            }
        })
    }
}

/// One step of a broadcast's ladder, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Step {
    pub step: u32,
    pub action: Action,
    pub after_mins: u32,
    /// When it is (or was) due: `None` while the broadcast waits for its approval.
    pub due_at: Option<String>,
    pub state: StepState,
    pub done_at: Option<String>,
    pub households: Option<u32>,
    /// The text broadcast, or the chiefs' notice, the step made.
    pub result_id: Option<i64>,
    pub stopped_by: Option<String>,
    pub note: Option<String>,
}

/// Plans the ladder of a broadcast just stored (in the caller's transaction): only real
/// broadcasts (not practice, resends or notices) that call, in a category with a ladder.
pub async fn plan(
    conn: &mut Conn,
    id: i64,
    b: &NewBroadcast,
    origin: &Origin,
) -> Result<u32, DispatchError> {
    if origin.purpose != "broadcast" || origin.practice || !b.channels.contains(&Channel::Voice) {
        return Ok(0);
    }
    let Some(json) = maeul_db::settings::get(conn, SETTING).await? else {
        return Ok(0);
    };
    // A stored value that no longer reads (edited outside the desk) must not stop a
    // broadcast, least of all an emergency: it goes without a ladder. 설정 shows the error.
    let Ok(ladders) = Ladders::parse(&json) else {
        return Ok(0);
    };
    let mut n = 0;
    for (i, r) in ladders.of(b.category).iter().enumerate() {
        maeul_db::query(
            "INSERT INTO broadcast_escalations (broadcast_id, step, action, after_mins) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(r.action.as_str())
        .bind(i64::from(r.after_mins))
        .execute(&mut *conn)
        .await?;
        n += 1;
    }
    Ok(n)
}

/// When the broadcast starts sending: its time (or now, if it had none), or its approval if
/// it waited for one; `None` while it still waits.
fn started(
    created_at: &str,
    send_at: Option<&str>,
    needs_approval: bool,
    approved_at: Option<&str>,
) -> Option<Timestamp> {
    if needs_approval && approved_at.is_none() {
        return None;
    }
    [Some(created_at), send_at, approved_at]
        .into_iter()
        .flatten()
        .filter_map(parse_time)
        .max()
}

// (step id, broadcast, step, action, after, created, send_at, needs approval, approved_at,
// cancelled_at, state, done_at, households, result, stopped_by, note)
type Row = (
    i64,
    i64,
    i64,
    String,
    i64,
    String,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

macro_rules! select_steps {
    ($tail:literal) => {
        concat!(
            "SELECT e.id, e.broadcast_id, e.step, e.action, e.after_mins, b.created_at, \
                 b.send_at, b.needs_approval, b.approved_at, b.cancelled_at, e.state, e.done_at, \
                 e.households, e.result_id, e.stopped_by, e.note \
             FROM broadcast_escalations e JOIN broadcasts b ON b.id = e.broadcast_id ",
            $tail
        )
    };
}

fn action_of(s: &str) -> Result<Action, DispatchError> {
    Action::parse(s).ok_or_else(|| {
        DispatchError::invalid("escalation", format!("저장된 단계를 알 수 없습니다: {s}"))
    })
}

fn due(r: &Row) -> Option<Timestamp> {
    started(&r.5, r.6.as_deref(), r.7, r.8.as_deref()).map(|t| t + SignedDuration::from_mins(r.4))
}

/// The broadcast's steps in order.
pub async fn timeline(conn: &mut Conn, id: i64) -> Result<Vec<Step>, DispatchError> {
    let rows: Vec<Row> =
        maeul_db::query_as(select_steps!("WHERE e.broadcast_id = $1 ORDER BY e.step"))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Step {
                step: r.2 as u32,
                action: action_of(&r.3)?,
                after_mins: r.4 as u32,
                due_at: due(&r).map(stamp),
                state: StepState::parse(&r.10)?,
                done_at: r.11.clone(),
                households: r.12.map(|n| n as u32),
                result_id: r.13,
                stopped_by: r.14.clone(),
                note: r.15.clone(),
            })
        })
        .collect()
}

/// Stops the broadcast's steps not yet taken; how many.
pub async fn stop(conn: &mut Conn, id: i64, who: &str) -> Result<u32, DispatchError> {
    let done = maeul_db::query(
        "UPDATE broadcast_escalations SET state = 'stopped', stopped_by = $2 \
         WHERE broadcast_id = $1 AND state = 'planned'",
    )
    .bind(id)
    .bind(who)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// How long a due step waits for the broadcast's calls to end and their keypad replies to be
/// known (Twilio tells them from about 15 minutes after a call) before it goes anyway.
const SETTLE_GRACE: SignedDuration = SignedDuration::from_mins(30);
/// A step this late (the desk was off) is skipped: a "재안내" hours after the event helps
/// nobody.
const TOO_LATE: SignedDuration = SignedDuration::from_hours(6);

/// Whether the broadcast's calls have all ended and every answered one's keypad reply is
/// known: before that, "not confirmed" is not yet known either.
async fn calls_settled(conn: &mut Conn, id: i64) -> Result<bool, DispatchError> {
    let (busy,): (bool,) = maeul_db::query_as(
        "SELECT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = $1 AND channel = 'voice' \
             AND (state IN ('pending', 'submitting', 'submitted') OR reply_due_at IS NOT NULL))",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(!busy)
}

/// Takes the steps that are due (in the caller's transaction), each broadcast's in order and
/// at most one per broadcast a pass: a step waits while an earlier one of its broadcast
/// does, and while the broadcast's calls and their replies are still coming in (up to
/// [`SETTLE_GRACE`] past its time). How many were taken.
pub async fn run(conn: &mut Conn, now: Timestamp) -> Result<u32, DispatchError> {
    let at = stamp(now);
    let rows: Vec<Row> = maeul_db::query_as(select_steps!(
        "WHERE e.state = 'planned' ORDER BY e.broadcast_id, e.step"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut waiting: HashSet<i64> = HashSet::new();
    let mut taken = 0;
    for r in rows {
        let (step_id, broadcast) = (r.0, r.1);
        if waiting.contains(&broadcast) {
            continue;
        }
        if r.9.is_some() {
            finish(
                conn,
                step_id,
                "skipped",
                None,
                None,
                Some("방송이 취소되었습니다"),
                &at,
            )
            .await?;
            continue;
        }
        // Whatever happens to this step, the broadcast's next one waits for another pass.
        waiting.insert(broadcast);
        let Some(due) = due(&r).filter(|d| *d <= now) else {
            continue;
        };
        if now > due + TOO_LATE {
            let note =
                "예정 시각에서 6시간 넘게 지나 건너뛰었습니다 (그동안 발송 PC가 꺼져 있었습니다)";
            finish(conn, step_id, "skipped", None, None, Some(note), &at).await?;
            continue;
        }
        if now < due + SETTLE_GRACE && !calls_settled(conn, broadcast).await? {
            continue;
        }
        take(conn, step_id, broadcast, action_of(&r.3)?, now).await?;
        taken += 1;
    }
    Ok(taken)
}

async fn finish(
    conn: &mut Conn,
    step_id: i64,
    state: &str,
    households: Option<u32>,
    result: Option<i64>,
    note: Option<&str>,
    at: &str,
) -> Result<(), DispatchError> {
    maeul_db::query(
        "UPDATE broadcast_escalations SET state = $2, households = $3, result_id = $4, \
             note = $5, done_at = $6 WHERE id = $1 AND state = 'planned'",
    )
    .bind(step_id)
    .bind(state)
    .bind(households.map(i64::from))
    .bind(result)
    .bind(note)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn take(
    conn: &mut Conn,
    step_id: i64,
    id: i64,
    action: Action,
    now: Timestamp,
) -> Result<(), DispatchError> {
    let at = stamp(now);
    let (title, category, body, emergency, practice): (String, String, String, bool, bool) =
        maeul_db::query_as(
            "SELECT title, category, body, emergency, practice FROM broadcasts WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let mut missing = replies::unconfirmed(conn, id).await?;
    if action == Action::Chief {
        let (_, notice) = notify_list(
            conn,
            id,
            ListKind::Unconfirmed,
            &title,
            &missing,
            practice,
            &at,
        )
        .await?;
        let note = (notice.is_none() && !missing.is_empty())
            .then_some("이장님 번호가 없어 명단은 결과 PDF로만 남습니다");
        return finish(
            conn,
            step_id,
            "done",
            Some(missing.len() as u32),
            notice,
            note,
            &at,
        )
        .await;
    }
    // A household whose text arrived with the broadcast, or is on its way or arrived from
    // an earlier step or resend, is not texted again.
    let members = dialect::json_each_as(conn.engine(), "d.subscribers", "j");
    let texted: HashSet<i64> = maeul_db::query_as::<(i64,)>(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT s.household_id FROM deliveries d CROSS JOIN {members} \
         JOIN subscribers s ON s.id = CAST(j.value AS BIGINT) \
         WHERE d.channel IN ('sms', 'kakao') AND ( \
             (d.broadcast_id = $1 AND d.state = 'delivered') \
             OR (d.broadcast_id IN (SELECT id FROM broadcasts WHERE parent_id = $1 \
                     AND purpose = 'resend') \
                 AND d.state IN ('pending', 'submitting', 'submitted', 'delivered')))"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(h,)| h)
    .collect();
    missing.retain(|m| !texted.contains(&m.household_id));
    if missing.is_empty() {
        return finish(conn, step_id, "done", Some(0), None, None, &at).await;
    }
    let subscribers: Vec<i64> = missing
        .iter()
        .flat_map(|m| m.subscriber_ids.iter().copied())
        .collect();
    let b = NewBroadcast {
        title: format!("[재안내] {title}")
            .chars()
            .take(TITLE_MAX)
            .collect(),
        category: Category::parse(&category).unwrap_or(Category::Admin),
        body,
        recording_id: None,
        targets: Targets::Subscribers(subscribers),
        channels: vec![match action {
            Action::Kakao => Channel::Kakao,
            _ => Channel::Sms,
        }],
        emergency,
        send_at: None,
        poll: None,
        translations: crate::store::translations_of(conn, id).await?,
    };
    let origin = Origin {
        created_by: "system".into(),
        practice,
        needs_approval: false,
        parent_id: Some(id),
        purpose: "resend",
    };
    match store::create(conn, &b, &origin, now).await {
        Ok((child, _)) => {
            // Its own misses are this ladder's next step, not a notice of their own.
            maeul_db::query("UPDATE broadcasts SET chiefs_notified_at = $2 WHERE id = $1")
                .bind(child)
                .bind(&at)
                .execute(&mut *conn)
                .await?;
            finish(
                conn,
                step_id,
                "done",
                Some(missing.len() as u32),
                Some(child),
                None,
                &at,
            )
            .await
        }
        // The broadcast's text cannot go as a text (too long, characters EUC-KR lacks): the
        // step is skipped with the reason, and the ladder goes on.
        Err(DispatchError::Invalid { reason, .. }) => {
            finish(conn, step_id, "skipped", None, None, Some(&reason), &at).await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ladder_starts_with_the_send_or_its_approval() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let created = "2026-12-07T01:00:00Z";
        assert_eq!(started(created, None, false, None), Some(t(created)));
        assert_eq!(
            started(created, Some("2026-12-07T03:00:00Z"), false, None),
            Some(t("2026-12-07T03:00:00Z"))
        );
        assert_eq!(
            started(created, None, true, None),
            None,
            "waits for approval"
        );
        assert_eq!(
            started(created, None, true, Some("2026-12-07T01:30:00Z")),
            Some(t("2026-12-07T01:30:00Z"))
        );
    }
}
