//! Broadcast drafts proposed by another system: a CAP alert imported from a file, or a
//! 재난문자 taken from the national feed. One draft per source message (unique per source,
//! so taking the same message twice finds the draft already made); staff send it with one
//! press or dismiss it. Several desks see the same drafts: a send or dismiss names the
//! version it saw, and the second press is refused as a conflict rather than sent twice.

use jiff::Timestamp;
use maeul_db::Conn;
use maeul_db::versions::{self, Versioned};
use serde::Serialize;

use crate::DispatchError;
use crate::broadcast::{Category, Targets};
use crate::fanout::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DraftSource {
    Cap,
    Feed,
}

impl DraftSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftSource::Cap => "cap",
            DraftSource::Feed => "feed",
        }
    }

    pub fn parse(s: &str) -> Option<DraftSource> {
        [DraftSource::Cap, DraftSource::Feed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    pub source: DraftSource,
    /// CAP: "sender,identifier,sent"; feed: the message's SN.
    pub source_ref: String,
    pub event: String,
    pub event_code: Option<String>,
    pub issuer: String,
    pub title: String,
    pub category: Category,
    pub body: String,
    pub targets: Targets,
    pub channels: Vec<Channel>,
    pub emergency: bool,
    /// The feed's 위급재난, 긴급재난 or 안전안내; a CAP alert has none.
    pub step: Option<String>,
    /// When the source issued it.
    pub issued_at: Option<Timestamp>,
}

/// The feed's highest step: a setting may send it to the loudspeakers without a person.
pub const CRITICAL_STEP: &str = "위급재난";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Draft {
    pub id: i64,
    pub source: DraftSource,
    pub source_ref: String,
    pub event: String,
    pub event_code: Option<String>,
    pub issuer: String,
    pub title: String,
    pub category: Category,
    pub body: String,
    pub targets: Targets,
    pub channels: Vec<Channel>,
    pub emergency: bool,
    pub step: Option<String>,
    /// open, sent or dismissed.
    pub state: String,
    pub broadcast_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    pub version: i64,
    /// When the console played the office's alarm recording for it on the loudspeakers, who
    /// had it played ("feed" when it went by itself), and that on-air recording.
    pub loudspeaker_at: Option<String>,
    pub loudspeaker_by: Option<String>,
    pub loudspeaker_recording_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    source: String,
    source_ref: String,
    event: String,
    event_code: Option<String>,
    issuer: String,
    title: String,
    category: String,
    body: String,
    targets: String,
    channels: String,
    emergency: bool,
    step: Option<String>,
    state: String,
    broadcast_id: Option<i64>,
    created_at: String,
    updated_at: String,
    updated_by: String,
    version: i64,
    loudspeaker_at: Option<String>,
    loudspeaker_by: Option<String>,
    loudspeaker_recording_id: Option<i64>,
}

macro_rules! select_drafts {
    ($tail:literal) => {
        concat!(
            "SELECT id, source, source_ref, event, event_code, issuer, title, category, body, \
                 targets, channels, emergency, step, state, broadcast_id, created_at, \
                 updated_at, updated_by, version, loudspeaker_at, loudspeaker_by, \
                 loudspeaker_recording_id FROM broadcast_drafts ",
            $tail
        )
    };
}

fn decode(r: Row) -> Result<Draft, DispatchError> {
    let bad = |field: &str, e: &dyn std::fmt::Display| {
        DispatchError::invalid(
            format!("broadcast_drafts.{field}"),
            format!("저장된 값을 읽을 수 없습니다: {e}"),
        )
    };
    Ok(Draft {
        id: r.id,
        source: DraftSource::parse(&r.source)
            .ok_or_else(|| bad("source", &format!("알 수 없는 값 {}", r.source)))?,
        source_ref: r.source_ref,
        event: r.event,
        event_code: r.event_code,
        issuer: r.issuer,
        title: r.title,
        category: Category::try_from(r.category).map_err(|e| bad("category", &e))?,
        body: r.body,
        targets: serde_json::from_str(&r.targets).map_err(|e| bad("targets", &e))?,
        channels: serde_json::from_str(&r.channels).map_err(|e| bad("channels", &e))?,
        emergency: r.emergency,
        step: r.step,
        state: r.state,
        broadcast_id: r.broadcast_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
        updated_by: r.updated_by,
        version: r.version,
        loudspeaker_at: r.loudspeaker_at,
        loudspeaker_by: r.loudspeaker_by,
        loudspeaker_recording_id: r.loudspeaker_recording_id,
    })
}

/// A source's text made sendable as one message, so that the one press cannot fail on it:
/// dashes and bullets that KS X 1001 lacks become theirs, other such characters (emoji) are
/// left out, and a text over the LMS limit is cut with "…".
pub fn fit_text(body: &str) -> String {
    let mut out = String::new();
    let mut bytes = 0;
    for c in body.chars() {
        let c = match c {
            '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            '\u{2022}' | '\u{25CF}' => '·',
            c => c,
        };
        let Some(n) = crate::text::euc_kr_len(c) else {
            continue;
        };
        // Room for the "…" (2 bytes) if the rest does not fit.
        if bytes + n > crate::text::LMS_MAX - 2 {
            out.push('…');
            return out;
        }
        bytes += n;
        out.push(c);
    }
    out
}

/// Stores a draft unless its source message already made one; returns the draft's id and
/// whether this call made it.
pub async fn insert(
    conn: &mut Conn,
    d: &NewDraft,
    by: &str,
    now: Timestamp,
) -> Result<(i64, bool), DispatchError> {
    let at = crate::policy::stamp(now);
    let made: Option<(i64,)> = maeul_db::query_as(
        "INSERT INTO broadcast_drafts (source, source_ref, event, event_code, issuer, title, \
             category, body, targets, channels, emergency, created_at, created_by, updated_at, \
             updated_by, step, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $13, $14, $15) \
         ON CONFLICT (source, source_ref) DO NOTHING RETURNING id",
    )
    .bind(d.source.as_str())
    .bind(&d.source_ref)
    .bind(&d.event)
    .bind(&d.event_code)
    .bind(&d.issuer)
    .bind(&d.title)
    .bind(d.category.as_str())
    .bind(fit_text(&d.body))
    .bind(serde_json::to_string(&d.targets).unwrap_or_default())
    .bind(serde_json::to_string(&d.channels).unwrap_or_default())
    .bind(d.emergency)
    .bind(&at)
    .bind(by)
    .bind(&d.step)
    .bind(d.issued_at.map(crate::policy::stamp))
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = made {
        return Ok((id, true));
    }
    let (id,): (i64,) =
        maeul_db::query_as("SELECT id FROM broadcast_drafts WHERE source = $1 AND source_ref = $2")
            .bind(d.source.as_str())
            .bind(&d.source_ref)
            .fetch_one(&mut *conn)
            .await?;
    Ok((id, false))
}

/// Whether a source message has made a draft already (whatever became of it).
pub async fn exists(
    conn: &mut Conn,
    source: DraftSource,
    source_ref: &str,
) -> Result<bool, DispatchError> {
    let row: Option<(i64,)> =
        maeul_db::query_as("SELECT id FROM broadcast_drafts WHERE source = $1 AND source_ref = $2")
            .bind(source.as_str())
            .bind(source_ref)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Draft, DispatchError> {
    let row: Option<Row> = maeul_db::query_as(select_drafts!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    decode(row.ok_or(DispatchError::NotFound("방송 초안"))?)
}

/// Drafts waiting for a person, newest first.
pub async fn open(conn: &mut Conn) -> Result<Vec<Draft>, DispatchError> {
    let rows: Vec<Row> = maeul_db::query_as(select_drafts!(
        "WHERE state = 'open' ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(decode).collect()
}

/// How long a draft queued behind another broadcast still plays when the console frees:
/// long enough for any live broadcast, short of a stale alarm the next day.
pub const QUEUED_HOURS: i64 = 3;

/// Drafts waiting for the loudspeakers, oldest first: those "보내기" queued behind another
/// broadcast (for [`QUEUED_HOURS`]), and, with `critical_since`, the feed's 위급재난 issued
/// since then and not dismissed (one a person already sent by voice and SMS still plays).
/// A claim older than `stale_claim` whose play never settled (a crash between claiming and
/// going on air) is taken as not played.
pub async fn awaiting_alarm(
    conn: &mut Conn,
    now: Timestamp,
    critical_since: Option<Timestamp>,
    stale_claim: Timestamp,
) -> Result<Vec<Draft>, DispatchError> {
    let rows: Vec<Row> = maeul_db::query_as(select_drafts!(
        "WHERE (loudspeaker_at IS NULL \
                OR (loudspeaker_recording_id IS NULL AND loudspeaker_at < $4)) \
             AND state <> 'dismissed' \
             AND ((loudspeaker_queued AND updated_at >= $1) \
                  OR ($2 AND source = 'feed' AND step = $3 \
                      AND COALESCE(issued_at, created_at) >= $5)) \
         ORDER BY created_at, id"
    ))
    .bind(crate::policy::stamp(
        now - jiff::SignedDuration::from_hours(QUEUED_HOURS),
    ))
    .bind(critical_since.is_some())
    .bind(CRITICAL_STEP)
    .bind(crate::policy::stamp(stale_claim))
    .bind(critical_since.map(crate::policy::stamp).unwrap_or_default())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(decode).collect()
}

/// "보내기" found the console on air: the loudspeaker part waits for it.
pub async fn queue_loudspeaker(conn: &mut Conn, id: i64) -> Result<(), DispatchError> {
    maeul_db::query("UPDATE broadcast_drafts SET loudspeaker_queued = TRUE WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Claims a draft's loudspeaker play for `by` before the console goes on air, so that two
/// desks (or a desk's loop and a person) never both play it: false when it played, or
/// another claim younger than `stale_claim` holds it. Not a change to what the draft says:
/// its version stays, so a person about to press "보내기" is not refused because the
/// loudspeakers went first.
pub async fn claim_loudspeaker(
    conn: &mut Conn,
    id: i64,
    by: &str,
    now: Timestamp,
    stale_claim: Timestamp,
) -> Result<bool, DispatchError> {
    let moved = maeul_db::query(
        "UPDATE broadcast_drafts SET loudspeaker_at = $1, loudspeaker_by = $2 \
         WHERE id = $3 AND (loudspeaker_at IS NULL \
             OR (loudspeaker_recording_id IS NULL AND loudspeaker_at < $4))",
    )
    .bind(crate::policy::stamp(now))
    .bind(by)
    .bind(id)
    .bind(crate::policy::stamp(stale_claim))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

/// After its own claim (`by` at `claimed`): the console's on-air recording that played it,
/// or (`None`) the claim given back because the console could not go on air.
pub async fn settle_loudspeaker(
    conn: &mut Conn,
    id: i64,
    by: &str,
    claimed: Timestamp,
    recording_id: Option<i64>,
) -> Result<(), DispatchError> {
    let q = match recording_id {
        Some(r) => maeul_db::query(
            "UPDATE broadcast_drafts SET loudspeaker_recording_id = $1, loudspeaker_queued = FALSE \
             WHERE id = $2 AND loudspeaker_by = $3 AND loudspeaker_at = $4",
        )
        .bind(r),
        None => maeul_db::query(
            "UPDATE broadcast_drafts SET loudspeaker_at = NULL, loudspeaker_by = NULL \
             WHERE id = $1 AND loudspeaker_by = $2 AND loudspeaker_at = $3 \
                 AND loudspeaker_recording_id IS NULL",
        ),
    };
    q.bind(id)
        .bind(by)
        .bind(crate::policy::stamp(claimed))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The draft a broadcast was sent from, if any (its CAP export names the same event).
pub async fn of_broadcast(
    conn: &mut Conn,
    broadcast_id: i64,
) -> Result<Option<Draft>, DispatchError> {
    let row: Option<Row> = maeul_db::query_as(select_drafts!("WHERE broadcast_id = $1"))
        .bind(broadcast_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(decode).transpose()
}

/// Closes an open draft as sent (with the broadcast it became) or dismissed, guarded by
/// the version the person saw: a draft another desk sent or dismissed first is a conflict.
pub async fn close(
    conn: &mut Conn,
    id: i64,
    version: i64,
    broadcast_id: Option<i64>,
    by: &str,
    now: Timestamp,
) -> Result<(), DispatchError> {
    let state = if broadcast_id.is_some() {
        "sent"
    } else {
        "dismissed"
    };
    let moved = maeul_db::query(
        "UPDATE broadcast_drafts SET state = $1, broadcast_id = $2, updated_by = $3, \
             updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6 AND state = 'open'",
    )
    .bind(state)
    .bind(broadcast_id)
    .bind(by)
    .bind(crate::policy::stamp(now))
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if moved == 1 {
        return Ok(());
    }
    // Not the registry's "changed first" message: the draft is gone from every banner, and
    // the person must know it went out (or was closed) rather than send it again by hand.
    let Some(changed) = versions::last_change(conn, Versioned::Drafts, id).await? else {
        return Err(DispatchError::NotFound("방송 초안"));
    };
    let d = get(conn, id).await?;
    let who = if changed.by == "feed" || changed.by.is_empty() {
        "다른 PC".to_string()
    } else {
        format!("{}님", changed.by)
    };
    let when = changed
        .at
        .parse::<Timestamp>()
        .map(|t| maeul_time::seoul_civil(t).strftime(" %H:%M에").to_string())
        .unwrap_or_default();
    Err(DispatchError::Conflict(
        match (d.state.as_str(), d.broadcast_id) {
            ("sent", Some(b)) => format!("{who}이{when} 이 초안을 이미 보냈습니다 (방송 {b}번)"),
            ("dismissed", _) => format!("{who}이{when} 이 초안을 이미 닫았습니다"),
            _ => format!("{who}이{when} 이 초안을 먼저 바꿨습니다: 다시 확인하세요"),
        },
    ))
}

/// Dismisses the open drafts made from the given source messages (a CAP Update or Cancel
/// naming them in `<references>`); returns how many.
pub async fn dismiss_refs(
    conn: &mut Conn,
    source: DraftSource,
    refs: &[String],
    by: &str,
    now: Timestamp,
) -> Result<u32, DispatchError> {
    let mut n = 0;
    for r in refs {
        n += maeul_db::query(
            "UPDATE broadcast_drafts SET state = 'dismissed', updated_by = $1, updated_at = $2, \
                 version = version + 1 \
             WHERE source = $3 AND source_ref = $4 AND state = 'open'",
        )
        .bind(by)
        .bind(crate::policy::stamp(now))
        .bind(source.as_str())
        .bind(r)
        .execute(&mut *conn)
        .await?
        .rows_affected() as u32;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::fit_text;

    #[test]
    fn a_source_text_is_made_sendable_and_cut_to_one_message() {
        assert_eq!(
            fit_text("대피 – 즉시 • 마을회관 🙏"),
            "대피 - 즉시 · 마을회관 "
        );
        let long = "가".repeat(1500);
        let fitted = fit_text(&long);
        assert_eq!(crate::text::classify(&fitted).unwrap().bytes, 2000);
        assert!(fitted.ends_with('…'));
    }
}
