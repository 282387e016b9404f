//! The keypad replies of answered calls: asked of the provider once a call is answered, and
//! again some minutes apart while it does not know yet.

use jiff::Timestamp;
use maeul_db::{Db, dialect};

use super::polled::Polled;
use super::{TickReport, json_rows};
use crate::DispatchError;
use crate::keypad::Reply;
use crate::outbox;
use crate::policy::{Policy, stamp};
use crate::provider::{MessageRef, Provider};

/// How often, and how many times, an answered call is asked about: Twilio keeps a call's
/// requests from about 15 minutes after it ends, so an hour of asking covers it.
const REPLY_RECHECK: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);
const REPLY_CHECKS_MAX: i64 = 12;

/// Asks the provider what was pressed on answered calls whose question is due, and records
/// it: a digit, certainly nothing, or (not known yet) another question later.
pub(super) async fn collect_replies(
    db: &Db,
    provider: &dyn Provider,
    policy: &Policy,
    now: Timestamp,
    report: &mut TickReport,
) -> Result<(), DispatchError> {
    let at = stamp(now);
    let mut polled = Polled::begin(db).await?;
    let engine = db.engine();
    let rows = dialect::json_rows(
        engine,
        &[
            "id",
            "provider_message_id",
            "provider_group_id",
            "reply_checks",
        ],
        Some("reply_due_at, id"),
    );
    let lock = dialect::skip_locked(engine, "deliveries");
    let query = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {rows} FROM ( \
         SELECT id, provider_message_id, provider_group_id, reply_checks, reply_due_at \
         FROM deliveries \
         WHERE reply_due_at IS NOT NULL AND reply_due_at <= $1 AND provider = $2 \
             AND provider_message_id IS NOT NULL ORDER BY reply_due_at, id LIMIT $3{lock}) AS due"
    )))
    .bind(&at)
    .bind(provider.name())
    .bind(i64::from(policy.batch) * 4);
    let json = polled.read(db, query).await?;
    let due: Vec<(i64, String, Option<String>, i64)> = json_rows(&json)?;
    if due.is_empty() {
        return Ok(());
    }
    let refs: Vec<MessageRef> = due
        .iter()
        .map(|(_, m, g, _)| MessageRef {
            group_id: g.clone(),
            message_id: m.clone(),
        })
        .collect();
    let replies = match provider.replies(&refs).await {
        Ok(r) => r,
        Err(e) => {
            report.stopped(e);
            return Ok(());
        }
    };
    let later = stamp(now + REPLY_RECHECK);
    // [id, checks as read, next question or null, -, digit or null] for one UPDATE over the
    // staged rows.
    let answers: Vec<serde_json::Value> = due
        .into_iter()
        .zip(replies)
        .map(|((id, _, _, checks), reply)| {
            let (digit, next) = match reply {
                Reply::Pressed(d) => (Some(i64::from(d)), None),
                Reply::Nothing => (None, None),
                Reply::NotYet if checks + 1 >= REPLY_CHECKS_MAX => (None, None),
                Reply::NotYet => (None, Some(later.as_str())),
            };
            report.replies += u32::from(digit.is_some());
            serde_json::json!([id, checks, next, null, digit])
        })
        .collect();
    let mut tx = polled.answering(db).await?;
    outbox::stage(&mut tx, answers).await?;
    // The reach ledger sees a pressed key through its trigger (0022); the row's time
    // stays when it was answered. Only rows still at the check read: two workers on one
    // file may ask about the same call, and a slower "not yet" must not undo a digit.
    maeul_db::query(
        "UPDATE deliveries SET \
             reply_digit = (SELECT d FROM staged WHERE staged.id = deliveries.id), \
             reply_due_at = (SELECT b FROM staged WHERE staged.id = deliveries.id), \
             reply_checks = reply_checks + 1 \
         WHERE id IN (SELECT id FROM staged) \
             AND reply_checks = (SELECT CAST(a AS BIGINT) FROM staged WHERE staged.id = deliveries.id)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
