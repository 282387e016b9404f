//! Broadcasts in the database: who the targets are today, the summary shown before sending,
//! creating a broadcast with its deliveries in one transaction, approval and cancelling.

use std::collections::BTreeSet;

use jiff::Timestamp;
use maeul_db::{Conn, Engine, dialect};
use maeul_registry::Language;
use maeul_registry::phone::PhoneKind;
use serde::Serialize;

use crate::DispatchError;
use crate::broadcast::{Checked, NewBroadcast, Targets, text_kind_str, validate};
use crate::fanout::{self, Channel, Plan, Recipient, Skip};
use crate::outbox;
use crate::policy::stamp;
use crate::text::TextKind;

/// (subscriber, village, household, phone, kind, consented, opted out, voice, sms, kakao,
/// text first, language); SQLite's JSON carries the flags as 0/1.
type RecipientRow = (
    i64,
    i64,
    i64,
    String,
    String,
    u8,
    u8,
    u8,
    u8,
    u8,
    u8,
    String,
);

/// Approved subscribers of the targets, with the household each belongs to.
pub async fn recipients(
    conn: &mut Conn,
    targets: &Targets,
) -> Result<Vec<(Recipient, i64)>, DispatchError> {
    let ids = serde_json::to_string(targets.ids()).unwrap_or_else(|_| "[]".into());
    // One JSON row rather than a row per subscriber: sqlx's SQLite driver hands each row
    // across threads, which for a county-wide send costs more than the query.
    let engine = conn.engine();
    let rows = dialect::json_rows(
        engine,
        &[
            "s.id",
            "s.village_id",
            "s.household_id",
            "s.phone",
            "s.phone_kind",
            "CASE WHEN s.consent_date IS NOT NULL THEN 1 ELSE 0 END",
            "CASE WHEN s.status = 'opted_out' THEN 1 ELSE 0 END",
            "CASE WHEN s.want_voice THEN 1 ELSE 0 END",
            "CASE WHEN s.want_sms THEN 1 ELSE 0 END",
            "CASE WHEN s.want_kakao THEN 1 ELSE 0 END",
            "CASE WHEN s.text_first THEN 1 ELSE 0 END",
            "s.language",
        ],
        None,
    );
    let listed = dialect::json_ints(engine, "$2");
    let (json,): (String,) = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {rows} \
         FROM subscribers s JOIN villages v ON v.id = s.village_id \
         WHERE s.enrollment = 'approved' AND ( \
             $1 = 'all' \
             OR ($1 = 'towns' AND v.town_id IN ({listed})) \
             OR ($1 = 'villages' AND s.village_id IN ({listed})) \
             OR ($1 = 'groups' AND s.id IN (SELECT m.subscriber_id FROM registry_group_members m \
                 WHERE m.group_id IN ({listed}))) \
             OR ($1 = 'subscribers' AND s.id IN ({listed})))"
    )))
    .bind(targets.kind())
    .bind(ids)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<RecipientRow> = serde_json::from_str(&json)
        .map_err(|e| DispatchError::invalid("targets", e.to_string()))?;
    rows.into_iter()
        .map(
            |(
                id,
                village,
                household,
                phone,
                kind,
                consented,
                opted_out,
                voice,
                sms,
                kakao,
                text_first,
                language,
            )| {
                let language = Language::try_from(language)
                    .map_err(|e| DispatchError::invalid("language", format!("수신자 {id}: {e}")))?;
                Ok((
                    Recipient {
                        subscriber_id: id,
                        village_id: village,
                        e164: phone,
                        kind: PhoneKind::parse(&kind).unwrap_or(PhoneKind::Mobile),
                        consented: consented != 0,
                        opted_out: opted_out != 0,
                        voice: voice != 0,
                        sms: sms != 0,
                        kakao: kakao != 0,
                        text_first: text_first != 0,
                        language,
                    },
                    household,
                ))
            },
        )
        .collect()
}

/// The villages a broadcast reaches: what a chief's scope is checked against.
pub async fn villages_of(
    conn: &mut Conn,
    targets: &Targets,
) -> Result<BTreeSet<i64>, DispatchError> {
    Ok(recipients(conn, targets)
        .await?
        .into_iter()
        .map(|(r, _)| r.village_id)
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ChannelCount {
    pub channel: Channel,
    pub deliveries: u32,
}

/// Subscribers who read another language best and get a text of this broadcast; whether
/// the office wrote the translation they get instead of the Korean text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LanguageCount {
    pub language: Language,
    pub subscribers: u32,
    pub translated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SkipCount {
    pub channel: Channel,
    pub reason: Skip,
    pub subscribers: u32,
}

/// Who will get what, shown before sending and returned after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Summary {
    pub villages: u32,
    pub households: u32,
    pub subscribers: u32,
    pub per_channel: Vec<ChannelCount>,
    pub skipped: Vec<SkipCount>,
    /// How the text goes (SMS up to 90 bytes, else LMS); `None` for voice only.
    pub text_kind: Option<TextKind>,
    pub text_bytes: Option<u32>,
    /// Set when now is inside quiet hours and the broadcast is not an emergency: the time
    /// (RFC 3339) sending starts.
    pub held_until: Option<String>,
    pub needs_approval: bool,
    /// Subscribers who take voice broadcasts as text and get an SMS of this one for it.
    pub text_first: u32,
    pub languages: Vec<LanguageCount>,
}

fn summarise(
    found: &[(Recipient, i64)],
    plan: &Plan,
    channels: &[Channel],
    checked: &Checked,
) -> Summary {
    let villages: BTreeSet<i64> = found.iter().map(|(r, _)| r.village_id).collect();
    let households: BTreeSet<i64> = found.iter().map(|(_, h)| *h).collect();
    let per_channel = channels
        .iter()
        .map(|&channel| ChannelCount {
            channel,
            deliveries: plan
                .deliveries
                .iter()
                .filter(|d| d.channel == channel)
                .count() as u32,
        })
        .collect();
    let mut skipped: Vec<SkipCount> = Vec::new();
    for &(_, channel, reason) in &plan.skipped {
        match skipped
            .iter_mut()
            .find(|s| s.channel == channel && s.reason == reason)
        {
            Some(s) => s.subscribers += 1,
            None => skipped.push(SkipCount {
                channel,
                reason,
                subscribers: 1,
            }),
        }
    }
    Summary {
        villages: villages.len() as u32,
        households: households.len() as u32,
        subscribers: found.len() as u32,
        per_channel,
        skipped,
        text_kind: checked.text.map(|t| t.kind),
        text_bytes: checked.text.map(|t| t.bytes),
        held_until: None,
        needs_approval: false,
        text_first: plan.text_first.len() as u32,
        languages: languages(found, plan, checked),
    }
}

/// Who gets a text and reads another language, per language.
fn languages(found: &[(Recipient, i64)], plan: &Plan, checked: &Checked) -> Vec<LanguageCount> {
    let language: std::collections::HashMap<i64, Language> = found
        .iter()
        .filter(|(r, _)| r.language != Language::Ko)
        .map(|(r, _)| (r.subscriber_id, r.language))
        .collect();
    if language.is_empty() {
        return Vec::new();
    }
    let mut texted: BTreeSet<(Language, i64)> = BTreeSet::new();
    for d in plan
        .deliveries
        .iter()
        .filter(|d| d.channel != Channel::Voice)
    {
        for id in &d.subscriber_ids {
            if let Some(&l) = language.get(id) {
                texted.insert((l, *id));
            }
        }
    }
    Language::ALL
        .into_iter()
        .filter(|&l| l != Language::Ko)
        .filter_map(|l| {
            let n = texted.iter().filter(|(x, _)| *x == l).count() as u32;
            (n > 0).then(|| LanguageCount {
                language: l,
                subscribers: n,
                translated: checked.translations.iter().any(|(x, ..)| *x == l),
            })
        })
        .collect()
}

fn dedup_channels(channels: &[Channel]) -> Vec<Channel> {
    let set: BTreeSet<Channel> = channels.iter().copied().collect();
    set.into_iter().collect()
}

/// Plans without storing: the summary the compose screen shows.
pub async fn preview(
    conn: &mut Conn,
    b: &NewBroadcast,
    now: Timestamp,
) -> Result<(Summary, Plan), DispatchError> {
    let checked = validate(b, now)?;
    plan_checked(conn, b, &checked).await
}

/// The fan-out of a broadcast that has passed [`validate`].
async fn plan_checked(
    conn: &mut Conn,
    b: &NewBroadcast,
    checked: &Checked,
) -> Result<(Summary, Plan), DispatchError> {
    let channels = dedup_channels(&b.channels);
    let found = recipients(conn, &b.targets).await?;
    if found.is_empty() {
        return Err(DispatchError::invalid(
            "targets",
            "고른 대상에 승인된 수신자가 없습니다",
        ));
    }
    let plan = fanout::plan(found.iter().map(|(r, _)| r), &channels);
    // A voice-only broadcast still sends its text to those who take voice as text: the
    // text must then be sendable, and the summary says how it goes.
    let mut checked = checked.clone();
    if checked.text.is_none() && !plan.text_first.is_empty() {
        let info = crate::text::classify(&b.body).map_err(|e| {
            DispatchError::invalid(
                "body",
                format!(
                    "'문자로 받기 우선' 수신자 {}명에게는 문자로도 나갑니다: {e}",
                    plan.text_first.len()
                ),
            )
        })?;
        checked.text = Some(info);
    }
    Ok((summarise(&found, &plan, &channels, &checked), plan))
}

/// How a broadcast is stored besides what staff composed.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub created_by: String,
    /// Made in practice mode: the sandbox only, and out of real reports.
    pub practice: bool,
    /// Waits for a second person's approval before anything is sent.
    pub needs_approval: bool,
    pub parent_id: Option<i64>,
    /// "broadcast", "resend" or "chief_notice".
    pub purpose: &'static str,
}

/// Stores a broadcast and its deliveries (pending) in the caller's transaction.
pub async fn create(
    conn: &mut Conn,
    b: &NewBroadcast,
    origin: &Origin,
    now: Timestamp,
) -> Result<(i64, Summary), DispatchError> {
    let checked = validate(b, now)?;
    let (mut summary, plan) = plan_checked(conn, b, &checked).await?;
    let stamp = stamp(now);
    let channels = dedup_channels(&b.channels);
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, recording, recording_id, emergency, practice, \
             send_at, created_by, created_at, channels, targets, text_kind, needs_approval, parent_id, \
             purpose, poll, translations) \
         VALUES ($1, $2, $3, (SELECT telephony_path FROM recordings WHERE id = $4), $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(b.title.trim())
    .bind(b.category.as_str())
    .bind(b.body.trim_end())
    .bind(b.recording_id)
    .bind(b.emergency)
    .bind(origin.practice)
    .bind(checked.send_at.map(crate::policy::stamp))
    .bind(&origin.created_by)
    .bind(&stamp)
    .bind(serde_json::to_string(&channels).unwrap_or_default())
    .bind(serde_json::to_string(&b.targets).unwrap_or_default())
    .bind(summary.text_kind.map(text_kind_str))
    .bind(origin.needs_approval)
    .bind(origin.parent_id)
    .bind(if origin.purpose.is_empty() { "broadcast" } else { origin.purpose })
    .bind(
        checked
            .poll
            .as_ref()
            .map(|p| serde_json::to_string(p).unwrap_or_default()),
    )
    .bind(
        (!b.translations.is_empty())
            .then(|| serde_json::to_string(&b.translations).unwrap_or_default()),
    )
    .fetch_one(&mut *conn)
    .await?;
    let bodies: Vec<(Language, String)> = checked
        .translations
        .iter()
        .map(|(l, body, _)| (*l, body.clone()))
        .collect();
    outbox::insert_planned(conn, id, &plan.deliveries, &bodies, &stamp).await?;
    crate::escalation::plan(conn, id, b, origin).await?;
    summary.needs_approval = origin.needs_approval;
    Ok((id, summary))
}

/// The translations a stored broadcast was sent with: a resend carries them again.
pub async fn translations_of(
    conn: &mut Conn,
    id: i64,
) -> Result<Vec<crate::broadcast::Translation>, DispatchError> {
    let stored: Option<(Option<String>,)> =
        maeul_db::query_as("SELECT translations FROM broadcasts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match stored.and_then(|(t,)| t) {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            DispatchError::invalid(
                "translations",
                format!("방송 {id}의 번역을 읽을 수 없습니다: {e}"),
            )
        }),
    }
}

/// A second person approves a broadcast that waits for it; the creator cannot.
pub async fn approve(
    conn: &mut Conn,
    id: i64,
    approver: &str,
    now: Timestamp,
) -> Result<(), DispatchError> {
    let row: Option<(String, bool, Option<String>, Option<String>)> = maeul_db::query_as(
        "SELECT created_by, needs_approval, approved_by, cancelled_at FROM broadcasts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((creator, needs, approved, cancelled)) = row else {
        return Err(DispatchError::NotFound("방송"));
    };
    if cancelled.is_some() {
        return Err(DispatchError::invalid("broadcast", "취소된 방송입니다"));
    }
    if !needs || approved.is_some() {
        return Err(DispatchError::invalid(
            "broadcast",
            "승인을 기다리는 방송이 아닙니다",
        ));
    }
    if creator == approver {
        return Err(DispatchError::invalid(
            "approver",
            "작성한 사람은 승인할 수 없습니다: 다른 담당자가 승인해야 합니다",
        ));
    }
    maeul_db::query("UPDATE broadcasts SET approved_by = $2, approved_at = $3 WHERE id = $1")
        .bind(id)
        .bind(approver)
        .bind(stamp(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Cancels what has not left yet; returns how many deliveries were stopped. What a provider
/// already holds is left to finish.
pub async fn cancel(conn: &mut Conn, id: i64, now: Timestamp) -> Result<u32, DispatchError> {
    let stamp = stamp(now);
    let done = maeul_db::query(
        "UPDATE broadcasts SET cancelled_at = $2 WHERE id = $1 AND cancelled_at IS NULL",
    )
    .bind(id)
    .bind(&stamp)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DispatchError::NotFound("취소할 수 있는 방송"));
    }
    let stopped = maeul_db::query(
        "UPDATE deliveries SET state = 'cancelled', updated_at = $2 WHERE broadcast_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(&stamp)
    .execute(&mut *conn)
    .await?;
    Ok(stopped.rows_affected() as u32)
}

/// How many voice calls that play a recording have not finished yet (a recording in use
/// cannot be deleted).
pub async fn open_playing(conn: &mut Conn, recording_id: i64) -> Result<i64, DispatchError> {
    let (open,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id \
         WHERE b.recording_id = $1 AND d.state IN ('pending', 'submitting', 'submitted')",
    )
    .bind(recording_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(open)
}

/// Takes a subscriber out of what has not left yet on `channels` (all of them after an
/// opt-out or a deletion; the ones switched off after a change of preferences): a pending
/// delivery (new or waiting to retry) to them alone is cancelled as `opted_out`; one shared
/// with others at the same number goes on without them. Returns how many were cancelled.
pub async fn withdraw(
    conn: &mut Conn,
    subscriber_id: i64,
    channels: &[Channel],
    now: Timestamp,
) -> Result<u32, DispatchError> {
    let channels = serde_json::to_string(channels).unwrap_or_else(|_| "[]".into());
    let engine = conn.engine();
    let mine = format!(
        "state = 'pending' AND channel IN ({}) AND {}",
        dialect::json_texts(engine, "$2"),
        dialect::json_array_has(engine, "subscribers", "$1"),
    );
    let alone = dialect::json_array_length(engine, "subscribers");
    let cancelled = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = 'cancelled', reason = 'opted_out', updated_at = $3 \
         WHERE {mine} AND {alone} = 1"
    )))
    .bind(subscriber_id)
    .bind(&channels)
    .bind(stamp(now))
    .execute(&mut *conn)
    .await?;
    maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET updated_at = $3, subscribers = {} WHERE {mine}",
        dialect::json_array_without(engine, "subscribers", "$1"),
    )))
    .bind(subscriber_id)
    .bind(&channels)
    .bind(stamp(now))
    .execute(&mut *conn)
    .await?;
    Ok(cancelled.rows_affected() as u32)
}

/// What a purged delivery's number starts with (the row's id follows, keeping it unique).
pub const PURGED: &str = "purged:";

/// Forgets whom settled deliveries went to once they are older than `keep`: the number
/// becomes a placeholder unique to the row, the own text and the subscriber list go; the
/// channel, state, reason, attempts and village stay, so every count and report still adds
/// up. Open deliveries are never touched. Returns how many rows were purged.
pub async fn purge_personal(
    conn: &mut Conn,
    keep: jiff::SignedDuration,
    now: Timestamp,
) -> Result<u32, DispatchError> {
    let cutoff = stamp(now - keep);
    let done = maeul_db::query(
        "UPDATE deliveries SET e164 = 'purged:' || id, body = NULL, subscribers = '[]' \
         WHERE updated_at < $1 AND e164 NOT LIKE 'purged:%' \
             AND state <> 'pending' AND state <> 'submitting' AND state <> 'submitted'",
    )
    .bind(cutoff)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// Adds the stand-in deliveries when texts failed for good and the policy names another
/// channel: (failed delivery, channel), for deliveries that are failed now (a late answer
/// that failed nothing adds nothing). Nothing for a number that already has a delivery on
/// that channel, and nothing unless one of its subscribers still wants that channel (active,
/// approved, consented: preferences may have changed since the broadcast was planned).
/// CROSS JOIN keeps the row's few subscribers outside: SQLite otherwise walks every approved
/// subscriber of the county for each failed row (a county-wide sync went from 2 s to 20 s).
/// Returns how many were added.
pub async fn add_fallbacks(
    conn: &mut Conn,
    rows: &[(i64, Channel)],
    now: &str,
) -> Result<u32, DispatchError> {
    if rows.is_empty() {
        return Ok(0);
    }
    outbox::stage(
        conn,
        rows.iter()
            .map(|(id, c)| serde_json::json!([id, c.as_str()]))
            .collect(),
    )
    .await?;
    // The row's few subscribers are looked up by id: the planners otherwise walk every
    // approved subscriber for each row (SQLite keeps the order with CROSS JOIN; PostgreSQL,
    // guessing 100 members in a JSON list, hashed the whole table, per row, unless given
    // the ids as an array).
    let (from, on) = match conn.engine() {
        Engine::Sqlite => (
            "json_each(d.subscribers) j CROSS JOIN subscribers sub".to_string(),
            "sub.id = CAST(j.value AS BIGINT)".to_string(),
        ),
        Engine::Postgres => (
            "subscribers sub".to_string(),
            format!(
                "sub.id = ANY (ARRAY(SELECT CAST(j.value AS BIGINT) FROM {}))",
                dialect::json_each_as(Engine::Postgres, "d.subscribers", "j")
            ),
        ),
    };
    // On PostgreSQL the outbox writes this without the desk-wide lock (`begin_rows`): the
    // subscriber rows read are share-locked, so an opt-out committing meanwhile is either
    // seen here or waits for this row and then withdraws it.
    let share = dialect::share_locked(conn.engine(), "sub");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, village_id, fallback_of, body, updated_at) \
         SELECT d.broadcast_id, s.a, d.e164, d.subscribers, d.village_id, d.id, d.body, $1 \
         FROM staged s JOIN deliveries d ON d.id = s.id \
         WHERE d.state = 'failed' AND EXISTS (SELECT 1 FROM {from} \
             WHERE {on} AND sub.status = 'active' AND sub.enrollment = 'approved' \
                 AND sub.consent_date IS NOT NULL \
                 AND (CASE s.a WHEN 'kakao' THEN sub.want_kakao WHEN 'sms' THEN sub.want_sms \
                     ELSE sub.want_voice END){share}) \
         ON CONFLICT DO NOTHING"
    )))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// One text the desk sends on its own behalf (a programme reminder), to one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnText {
    pub e164: String,
    pub body: String,
}

/// Queues texts the desk writes itself as one broadcast (shown in the history, created by
/// "system"), each delivery carrying its own body, made sendable and cut to one LMS.
/// Returns the broadcast and how many deliveries it holds.
pub async fn enqueue_texts(
    conn: &mut Conn,
    title: &str,
    category: crate::broadcast::Category,
    practice: bool,
    texts: &[OwnText],
    now: Timestamp,
) -> Result<Option<(i64, u32)>, DispatchError> {
    if texts.is_empty() {
        return Ok(None);
    }
    let at = stamp(now);
    let rows: Vec<serde_json::Value> = texts
        .iter()
        .map(|t| {
            let mut body = crate::text::sendable(t.body.trim());
            while crate::text::bytes(&body) > crate::text::LMS_MAX {
                body.pop();
            }
            serde_json::json!([t.e164, body])
        })
        .collect();
    let kind = if rows
        .iter()
        .all(|r| crate::text::bytes(r[1].as_str().unwrap_or("")) <= crate::text::SMS_MAX)
    {
        "sms"
    } else {
        "lms"
    };
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, practice, created_by, created_at, channels, \
             targets, text_kind) \
         VALUES ($1, $2, $3, $4, 'system', $5, '[\"sms\"]', '{\"kind\":\"subscribers\",\"ids\":[]}', $6) \
         RETURNING id",
    )
    .bind(title)
    .bind(category.as_str())
    .bind(texts[0].body.trim())
    .bind(practice)
    .bind(&at)
    .bind(kind)
    .fetch_one(&mut *conn)
    .await?;
    let rows_in = dialect::json_rows_as(conn.engine(), "$2", "j");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, body, updated_at) \
         SELECT $1, 'sms', j.value ->> 0, '[]', j.value ->> 1, $3 FROM {rows_in} \
         WHERE true ON CONFLICT DO NOTHING"
    )))
    .bind(id)
    .bind(serde_json::Value::Array(rows).to_string())
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    Ok(Some((id, done.rows_affected() as u32)))
}
