//! Where a broadcast stands: counts per channel and state, per village, the list of
//! broadcasts, and the households no channel reached.

use maeul_db::{Conn, dialect};
use serde::Serialize;

use crate::DispatchError;
use crate::broadcast::Category;
use crate::fanout::Channel;
use crate::outbox::DeliveryState;
use crate::provider::Reason;

/// Counts by how staff read progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct Progress {
    /// Waiting to leave (pending, or being handed over).
    pub queued: u32,
    /// With the provider, no receipt yet.
    pub sent: u32,
    /// Delivered, answered or listened to.
    pub delivered: u32,
    pub failed: u32,
    pub cancelled: u32,
}

impl Progress {
    fn add(&mut self, state: DeliveryState, n: u32) {
        use DeliveryState as S;
        match state {
            S::Pending | S::Submitting => self.queued += n,
            S::Submitted => self.sent += n,
            S::Delivered | S::Answered | S::Listened => self.delivered += n,
            S::Failed => self.failed += n,
            S::Cancelled => self.cancelled += n,
        }
    }

    /// All channels' counts together.
    pub fn sum(channels: &[ChannelProgress]) -> Progress {
        let mut t = Progress::default();
        for c in channels {
            t.queued += c.progress.queued;
            t.sent += c.progress.sent;
            t.delivered += c.progress.delivered;
            t.failed += c.progress.failed;
            t.cancelled += c.progress.cancelled;
        }
        t
    }

    pub fn total(&self) -> u32 {
        self.queued + self.sent + self.delivered + self.failed + self.cancelled
    }

    /// Nothing left to happen.
    pub fn settled(&self) -> bool {
        self.queued == 0 && self.sent == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ChannelProgress {
    pub channel: Channel,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StateCount {
    pub channel: Channel,
    pub state: DeliveryState,
    pub reason: Option<String>,
    /// The provider's own code beside the reason, where it gave one.
    pub code: Option<String>,
    /// What that code means, in Korean (Solapi's table); `None` where there is no code or
    /// the provider's codes are not explained here.
    pub explanation: Option<String>,
    pub count: u32,
}

/// A stored channel or state read back: one the code does not know is an error, never
/// counted as something else.
fn channel_of(s: &str) -> Result<Channel, DispatchError> {
    Channel::parse(s).ok_or_else(|| {
        DispatchError::invalid("channel", format!("저장된 채널을 알 수 없습니다: {s}"))
    })
}

fn state_of(s: &str) -> Result<DeliveryState, DispatchError> {
    DeliveryState::parse(s).ok_or_else(|| {
        DispatchError::invalid("state", format!("저장된 발송 상태를 알 수 없습니다: {s}"))
    })
}

/// What a provider's own failure code means, in Korean: Solapi's codes from its table; an
/// empty text for providers whose codes are shown as they are (Twilio's).
pub fn explain(provider: &str, code: &str) -> &'static str {
    match provider {
        "solapi" => crate::solapi::explain(code),
        _ => "",
    }
}

/// Exact counts per channel, state, reason and provider code (the CLI's `broadcast report
/// --json`).
pub async fn state_counts(conn: &mut Conn, id: i64) -> Result<Vec<StateCount>, DispatchError> {
    // channel, state, reason, provider code, provider, count
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = maeul_db::query_as(
        "SELECT channel, state, CASE WHEN state IN ('failed', 'pending') THEN reason END, \
                 CASE WHEN state IN ('failed', 'pending') THEN provider_code END, \
                 CASE WHEN state IN ('failed', 'pending') AND provider_code IS NOT NULL \
                     THEN provider END, COUNT(*) \
             FROM deliveries WHERE broadcast_id = $1 GROUP BY 1, 2, 3, 4, 5 \
             ORDER BY 1, 2, 3 NULLS FIRST, 4 NULLS FIRST, 5 NULLS FIRST",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(c, state, reason, code, provider, n)| {
            Ok(StateCount {
                channel: channel_of(&c)?,
                state: state_of(&state)?,
                reason,
                explanation: code
                    .as_deref()
                    .map(|code| explain(provider.as_deref().unwrap_or(""), code))
                    .filter(|e| !e.is_empty())
                    .map(str::to_string),
                code,
                count: n as u32,
            })
        })
        .collect()
}

/// Why deliveries of one channel failed, or wait to be tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReasonCount {
    pub channel: Channel,
    pub reason: Reason,
    /// Failed for good (after the last attempt, or at once for a bad number).
    pub failed: u32,
    /// Waiting for their next attempt after this.
    pub retrying: u32,
    /// The provider's own codes behind this reason, most frequent first.
    pub codes: Vec<CodeCount>,
}

/// One provider code behind a reason: failed and retrying deliveries together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CodeCount {
    pub code: String,
    /// What it means, in Korean; empty where the provider's codes are not explained here.
    pub explanation: String,
    pub count: u32,
}

/// The reasons behind a broadcast's failures and retries (from [`state_counts`]), by
/// channel, most frequent first.
pub fn reasons(counts: &[StateCount]) -> Vec<ReasonCount> {
    let mut out: Vec<ReasonCount> = Vec::new();
    for s in counts {
        let Some(reason) = s.reason.as_deref().and_then(Reason::parse) else {
            continue;
        };
        let i = match out
            .iter()
            .position(|r| r.channel == s.channel && r.reason == reason)
        {
            Some(i) => i,
            None => {
                out.push(ReasonCount {
                    channel: s.channel,
                    reason,
                    failed: 0,
                    retrying: 0,
                    codes: Vec::new(),
                });
                out.len() - 1
            }
        };
        match s.state {
            DeliveryState::Failed => out[i].failed += s.count,
            _ => out[i].retrying += s.count,
        }
        if let Some(code) = &s.code {
            let codes = &mut out[i].codes;
            match codes.iter_mut().find(|c| c.code == *code) {
                Some(c) => c.count += s.count,
                None => codes.push(CodeCount {
                    code: code.clone(),
                    explanation: s.explanation.clone().unwrap_or_default(),
                    count: s.count,
                }),
            }
        }
    }
    out.sort_by(|a, b| (a.channel, b.failed + b.retrying).cmp(&(b.channel, a.failed + a.retrying)));
    for r in &mut out {
        r.codes
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    }
    out
}

/// Counts per channel, from [`state_counts`].
pub fn progress(counts: &[StateCount]) -> Vec<ChannelProgress> {
    let mut out: Vec<ChannelProgress> = Vec::new();
    for s in counts {
        let i = match out.iter().position(|c| c.channel == s.channel) {
            Some(i) => i,
            None => {
                out.push(ChannelProgress {
                    channel: s.channel,
                    progress: Progress::default(),
                });
                out.len() - 1
            }
        };
        out[i].progress.add(s.state, s.count);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct VillageProgress {
    pub village_id: i64,
    pub village: String,
    pub town: String,
    pub channels: Vec<ChannelProgress>,
}

/// The per-village drill-down.
pub async fn by_village(conn: &mut Conn, id: i64) -> Result<Vec<VillageProgress>, DispatchError> {
    let rows: Vec<(i64, String, String, String, String, i64)> = maeul_db::query_as(
        "SELECT v.id, v.name, t.name, d.channel, d.state, COUNT(*) FROM deliveries d \
         JOIN villages v ON v.id = d.village_id JOIN towns t ON t.id = v.town_id \
         WHERE d.broadcast_id = $1 GROUP BY v.id, t.id, d.channel, d.state ORDER BY t.code, v.code, d.channel",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<VillageProgress> = Vec::new();
    for (vid, village, town, channel, state, n) in rows {
        if out.last().is_none_or(|v| v.village_id != vid) {
            out.push(VillageProgress {
                village_id: vid,
                village,
                town,
                channels: Vec::new(),
            });
        }
        let v = out.last_mut().expect("pushed above");
        let channel = channel_of(&channel)?;
        if v.channels.last().is_none_or(|c| c.channel != channel) {
            v.channels.push(ChannelProgress {
                channel,
                progress: Progress::default(),
            });
        }
        let c = v.channels.last_mut().expect("pushed above");
        c.progress.add(state_of(&state)?, n as u32);
    }
    Ok(out)
}

/// A household none of whose numbers was reached on any channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct NotReached {
    pub village_id: i64,
    pub village: String,
    pub household_id: i64,
    pub head_name: String,
    pub address: String,
    /// The household's subscribers (for a resend to them alone).
    pub subscriber_ids: Vec<i64>,
}

/// Households the broadcast tried and did not reach, by village. Only settled deliveries
/// count against a household: one still on its way may yet arrive.
pub async fn not_reached(conn: &mut Conn, id: i64) -> Result<Vec<NotReached>, DispatchError> {
    let engine = conn.engine();
    let members = dialect::json_each_as(engine, "d.subscribers", "j");
    let sids = dialect::json_agg_distinct(engine, "s.id");
    let rows: Vec<(i64, String, i64, String, String, String)> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "WITH tried AS ( \
             SELECT CAST(j.value AS BIGINT) AS sid, d.state FROM deliveries d, {members} \
             WHERE d.broadcast_id = $1), \
         per_household AS ( \
             SELECT s.household_id AS hid, \
                    MAX(CASE WHEN t.state IN ('delivered', 'answered', 'listened') THEN 1 ELSE 0 END) AS reached, \
                    MAX(CASE WHEN t.state IN ('pending', 'submitting', 'submitted') THEN 1 ELSE 0 END) AS open, \
                    {sids} AS sids \
             FROM tried t JOIN subscribers s ON s.id = t.sid GROUP BY s.household_id) \
         SELECT v.id, v.name, h.id, h.head_name, h.address, p.sids FROM per_household p \
         JOIN households h ON h.id = p.hid JOIN villages v ON v.id = h.village_id \
         WHERE p.reached = 0 AND p.open = 0 ORDER BY v.code, h.id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    households(rows)
}

/// (village id, village, household id, head, address, subscriber ids as JSON) rows as
/// households to list: the not-reached list, and the unconfirmed one (`replies`).
pub(crate) fn households(
    rows: Vec<(i64, String, i64, String, String, String)>,
) -> Result<Vec<NotReached>, DispatchError> {
    rows.into_iter()
        .map(|(vid, village, hid, head, address, sids)| {
            // A list that does not parse would hide the household from the chief's call
            // list: an error, never an empty list.
            let subscriber_ids = serde_json::from_str(&sids).map_err(|e| {
                DispatchError::invalid(
                    "subscribers",
                    format!("가입자 목록을 읽을 수 없습니다: {e}"),
                )
            })?;
            Ok(NotReached {
                village_id: vid,
                village,
                household_id: hid,
                head_name: head,
                address,
                subscriber_ids,
            })
        })
        .collect()
}

/// One line of the broadcast history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, sqlx::FromRow)]
pub struct BroadcastRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub body: String,
    /// The telephone rendition voice calls play, and the console recording it came from.
    pub recording: Option<String>,
    pub recording_id: Option<i64>,
    pub emergency: bool,
    pub practice: bool,
    pub purpose: String,
    pub created_by: String,
    pub created_at: String,
    pub send_at: Option<String>,
    pub needs_approval: bool,
    pub approved_by: Option<String>,
    pub cancelled_at: Option<String>,
    pub channels: String,
    pub targets: String,
    pub text_kind: Option<String>,
    #[sqlx(try_from = "i64")]
    pub deliveries: u32,
    #[sqlx(try_from = "i64")]
    pub open: u32,
    #[sqlx(try_from = "i64")]
    pub reached: u32,
    #[sqlx(try_from = "i64")]
    pub failed: u32,
}

macro_rules! select_broadcasts {
    ($tail:literal) => {
        concat!(
            "SELECT b.id, b.title, b.category, b.body, b.recording, b.recording_id, b.emergency, b.practice, b.purpose, b.created_by, \
                b.created_at, b.send_at, b.needs_approval, b.approved_by, b.cancelled_at, b.channels, b.targets, \
                b.text_kind, COUNT(d.id) AS deliveries, \
                COUNT(CASE WHEN d.state IN ('pending', 'submitting', 'submitted') THEN 1 END) AS open, \
                COUNT(CASE WHEN d.state IN ('delivered', 'answered', 'listened') THEN 1 END) AS reached, \
                COUNT(CASE WHEN d.state = 'failed' THEN 1 END) AS failed \
             FROM broadcasts b LEFT JOIN deliveries d ON d.broadcast_id = b.id ",
            $tail
        )
    };
}

/// The history, newest first. Practice broadcasts only when asked for: they are not part
/// of any real report.
pub async fn list(
    conn: &mut Conn,
    include_practice: bool,
    limit: u32,
) -> Result<Vec<BroadcastRow>, DispatchError> {
    Ok(maeul_db::query_as(select_broadcasts!(
        "WHERE ($1 OR NOT b.practice) GROUP BY b.id ORDER BY b.id DESC LIMIT $2"
    ))
    .bind(include_practice)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<BroadcastRow, DispatchError> {
    let row: Option<BroadcastRow> =
        maeul_db::query_as(select_broadcasts!("WHERE b.id = $1 GROUP BY b.id"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.ok_or(DispatchError::NotFound("방송"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(channel: Channel, state: &str, reason: Option<&str>, n: u32) -> StateCount {
        StateCount {
            channel,
            state: DeliveryState::parse(state).unwrap(),
            reason: reason.map(Into::into),
            code: None,
            explanation: None,
            count: n,
        }
    }

    fn coded(state: &str, reason: &str, code: &str, n: u32) -> StateCount {
        StateCount {
            code: Some(code.into()),
            explanation: Some(crate::solapi::explain(code).into()),
            ..count(Channel::Sms, state, Some(reason), n)
        }
    }

    /// Failures and retries of one reason add up per channel; reasons that are none of ours
    /// and rows without one are left out; the most frequent reason of a channel comes first.
    #[test]
    fn reasons_count_failures_and_retries_per_channel() {
        let counts = [
            count(Channel::Voice, "failed", Some("busy"), 2),
            count(Channel::Voice, "failed", Some("no_answer"), 5),
            count(Channel::Voice, "listened", None, 40),
            count(Channel::Voice, "pending", Some("busy"), 1),
            count(Channel::Voice, "pending", None, 9),
            count(Channel::Sms, "failed", Some("bad_number"), 3),
            count(Channel::Sms, "failed", Some("what"), 4),
        ];
        let r = |channel, reason, failed, retrying| ReasonCount {
            channel,
            reason,
            failed,
            retrying,
            codes: Vec::new(),
        };
        assert_eq!(
            reasons(&counts),
            vec![
                r(Channel::Voice, Reason::NoAnswer, 5, 0),
                r(Channel::Voice, Reason::Busy, 2, 1),
                r(Channel::Sms, Reason::BadNumber, 3, 0),
            ]
        );
        let p = progress(&counts);
        assert_eq!(
            (p[0].channel, p[0].progress.failed, p[0].progress.queued),
            (Channel::Voice, 7, 10)
        );
        assert_eq!((p[1].channel, p[1].progress.failed), (Channel::Sms, 7));
    }

    /// The provider's codes behind a reason add up across failed and retrying deliveries,
    /// each with what it means.
    #[test]
    fn reasons_carry_the_providers_codes_with_their_explanations() {
        let counts = [
            coded("failed", "power_off", "3042", 1),
            coded("failed", "power_off", "3043", 2),
            coded("pending", "power_off", "3043", 4),
            coded("failed", "spoofed_sender", "3059", 3),
        ];
        let r = reasons(&counts);
        assert_eq!(
            (r[0].reason, r[0].failed, r[0].retrying),
            (Reason::PowerOff, 3, 4)
        );
        let codes: Vec<(&str, u32)> = r[0]
            .codes
            .iter()
            .map(|c| (c.code.as_str(), c.count))
            .collect();
        assert_eq!(codes, [("3043", 6), ("3042", 1)]);
        assert_eq!(r[0].codes[0].explanation, "단말기 전원 꺼짐");
        assert_eq!(r[1].reason, Reason::SpoofedSender);
        assert!(r[1].codes[0].explanation.contains("변작된 발신번호"));
    }

    #[test]
    fn every_reason_reads_back_and_has_a_korean_name() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
            assert!(!r.label_ko().is_empty());
        }
        assert_eq!(Reason::parse("nope"), None);
    }
}
