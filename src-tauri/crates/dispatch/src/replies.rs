//! What residents answered by keypad: which households confirmed they heard a call, and a
//! poll's tallies per village.

use maeul_db::{Conn, dialect};
use serde::Serialize;

use crate::DispatchError;
use crate::keypad::Poll;
use crate::report::{self, NotReached};

/// Households whose call was answered, by what they pressed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct Confirmation {
    /// Households with at least one answered call.
    pub answered: u32,
    /// Pressed a digit on one of them ("확인").
    pub confirmed: u32,
    /// Answered, nothing pressed, and the provider is still to be asked.
    pub waiting: u32,
    /// Answered and certainly nothing pressed: "받았으나 확인 안 함".
    pub unconfirmed: u32,
}

/// One answer of a poll and the calls that chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AnswerCount {
    pub digit: u8,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct VillageTally {
    pub village_id: i64,
    pub village: String,
    pub town: String,
    /// Calls per answer, in the poll's order.
    pub counts: Vec<u32>,
    /// A key pressed that the provider did not name (or outside the answers).
    pub unknown: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PollTally {
    pub question: String,
    pub answers: Vec<AnswerCount>,
    pub unknown: u32,
    pub villages: Vec<VillageTally>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct Replies {
    pub confirmation: Confirmation,
    /// The tallies, when the broadcast carries a poll.
    pub poll: Option<PollTally>,
}

/// The broadcast's poll as stored, if it has one.
pub async fn poll_of(conn: &mut Conn, id: i64) -> Result<Option<Poll>, DispatchError> {
    let row: Option<(Option<String>,)> =
        maeul_db::query_as("SELECT poll FROM broadcasts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((poll,)) = row else {
        return Err(DispatchError::NotFound("방송"));
    };
    poll.map(|p| {
        serde_json::from_str(&p).map_err(|e| {
            DispatchError::invalid("poll", format!("방송 {id}: 설문을 읽을 수 없습니다 ({e})"))
        })
    })
    .transpose()
}

/// Confirmation per household (a household confirms when any of its numbers pressed), and
/// the poll's tallies per village (one answer per call: each number answers for itself).
pub async fn of_broadcast(conn: &mut Conn, id: i64) -> Result<Replies, DispatchError> {
    let poll = poll_of(conn, id).await?;
    let members = dialect::json_each_as(conn.engine(), "d.subscribers", "j");
    let (answered, confirmed, waiting, unconfirmed): (i64, i64, i64, i64) =
        maeul_db::query_as(sqlx::AssertSqlSafe(format!(
            "WITH calls AS ( \
             SELECT CAST(j.value AS BIGINT) AS sid, d.reply_digit, d.reply_due_at \
             FROM deliveries d, {members} \
             WHERE d.broadcast_id = $1 AND d.channel = 'voice' \
                 AND d.state IN ('answered', 'listened')), \
         per_household AS ( \
             SELECT s.household_id, \
                 MAX(CASE WHEN c.reply_digit IS NOT NULL THEN 1 ELSE 0 END) AS confirmed, \
                 MAX(CASE WHEN c.reply_due_at IS NOT NULL THEN 1 ELSE 0 END) AS waiting \
             FROM calls c JOIN subscribers s ON s.id = c.sid GROUP BY s.household_id) \
         SELECT COUNT(*), COUNT(CASE WHEN confirmed = 1 THEN 1 END), \
             COUNT(CASE WHEN confirmed = 0 AND waiting = 1 THEN 1 END), \
             COUNT(CASE WHEN confirmed = 0 AND waiting = 0 THEN 1 END) FROM per_household"
        )))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let confirmation = Confirmation {
        answered: answered as u32,
        confirmed: confirmed as u32,
        waiting: waiting as u32,
        unconfirmed: unconfirmed as u32,
    };
    let Some(poll) = poll else {
        return Ok(Replies {
            confirmation,
            poll: None,
        });
    };
    let rows: Vec<(i64, String, String, i64, i64)> = maeul_db::query_as(
        "SELECT v.id, v.name, t.name, d.reply_digit, COUNT(*) FROM deliveries d \
         JOIN villages v ON v.id = d.village_id JOIN towns t ON t.id = v.town_id \
         WHERE d.broadcast_id = $1 AND d.channel = 'voice' AND d.reply_digit IS NOT NULL \
         GROUP BY v.id, t.id, d.reply_digit ORDER BY t.code, v.code, d.reply_digit",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Replies {
        confirmation,
        poll: Some(tally(&poll, rows)),
    })
}

/// Households whose calls for this broadcast (and its resends) are all over with no key
/// pressed: what an escalation step texts, and what a chief is asked to call. Households
/// still being called are not among them (they may yet press), nor those with no voice
/// number (never asked).
pub async fn unconfirmed(conn: &mut Conn, id: i64) -> Result<Vec<NotReached>, DispatchError> {
    let engine = conn.engine();
    let members = dialect::json_each_as(engine, "d.subscribers", "j");
    let sids = dialect::json_agg_distinct(engine, "s.id");
    let rows: Vec<(i64, String, i64, String, String, String)> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "WITH calls AS ( \
             SELECT CAST(j.value AS BIGINT) AS sid, d.state, d.reply_digit \
             FROM deliveries d, {members} \
             WHERE d.channel = 'voice' AND d.broadcast_id IN ( \
                 SELECT $1 UNION SELECT id FROM broadcasts WHERE parent_id = $1 \
                     AND purpose = 'resend')), \
         per_household AS ( \
             SELECT s.household_id AS hid, \
                 MAX(CASE WHEN c.reply_digit IS NOT NULL THEN 1 ELSE 0 END) AS confirmed, \
                 MAX(CASE WHEN c.state IN ('pending', 'submitting', 'submitted') THEN 1 ELSE 0 END) AS open \
             FROM calls c JOIN subscribers s ON s.id = c.sid GROUP BY s.household_id) \
         SELECT v.id, v.name, h.id, h.head_name, h.address, \
             (SELECT {sids} FROM subscribers s WHERE s.household_id = h.id) \
         FROM per_household p JOIN households h ON h.id = p.hid \
         JOIN villages v ON v.id = h.village_id \
         WHERE p.confirmed = 0 AND p.open = 0 ORDER BY v.code, h.id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    report::households(rows)
}

/// (village id, village, town, digit, calls) rows, ordered by village, into the tallies.
fn tally(poll: &Poll, rows: Vec<(i64, String, String, i64, i64)>) -> PollTally {
    let n = poll.answers.len();
    let mut villages: Vec<VillageTally> = Vec::new();
    for (vid, village, town, digit, count) in rows {
        if villages.last().is_none_or(|v| v.village_id != vid) {
            villages.push(VillageTally {
                village_id: vid,
                village,
                town,
                counts: vec![0; n],
                unknown: 0,
            });
        }
        let v = villages.last_mut().expect("pushed above");
        match usize::try_from(digit).ok().filter(|d| (1..=n).contains(d)) {
            Some(d) => v.counts[d - 1] += count as u32,
            None => v.unknown += count as u32,
        }
    }
    let answers = poll
        .answers
        .iter()
        .enumerate()
        .map(|(i, label)| AnswerCount {
            digit: i as u8 + 1,
            label: label.clone(),
            count: villages.iter().map(|v| v.counts[i]).sum(),
        })
        .collect();
    PollTally {
        question: poll.question.clone(),
        answers,
        unknown: villages.iter().map(|v| v.unknown).sum(),
        villages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_add_up_per_village_and_keep_unnamed_keys_apart() {
        let poll = Poll {
            question: "총회에 오시나요?".into(),
            answers: vec!["참석".into(), "불참".into()],
        };
        let row =
            |vid: i64, digit: i64, n: i64| (vid, format!("마을{vid}"), "증평읍".into(), digit, n);
        let t = tally(
            &poll,
            vec![
                row(1, 1, 5),
                row(1, 2, 2),
                row(2, 0, 1),
                row(2, 2, 3),
                row(2, 7, 1),
            ],
        );
        assert_eq!(t.villages.len(), 2);
        assert_eq!(t.villages[0].counts, [5, 2]);
        assert_eq!(
            (t.villages[1].counts.clone(), t.villages[1].unknown),
            (vec![0, 3], 2)
        );
        let totals: Vec<(u8, &str, u32)> = t
            .answers
            .iter()
            .map(|a| (a.digit, a.label.as_str(), a.count))
            .collect();
        assert_eq!(totals, [(1, "참석", 5), (2, "불참", 5)]);
        assert_eq!(t.unknown, 2);
    }
}
