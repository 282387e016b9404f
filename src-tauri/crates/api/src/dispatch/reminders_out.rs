//! Programme reminders leave through the outbox: before each pass of the sync worker, the
//! reminders that have come due are taken (marked queued in the same transaction) and queued
//! as one broadcast per event, each delivery with its person's text. A reminder whose number
//! cannot be dialled is cancelled rather than taken and lost.

use std::collections::BTreeMap;

use jiff::Timestamp;
use maeul_dispatch::broadcast::Category;
use maeul_dispatch::store::{self, OwnText};
use maeul_programs::calendar::EventKind;
use maeul_programs::store::reminders::{ReminderRow, cancel, take_due};

use crate::{ApiResult, Desk};

/// The broadcast a batch of reminders goes out as is named for its event.
fn broadcast_title(event_title: &str) -> String {
    format!(
        "[일정 알림] {}",
        event_title.chars().take(40).collect::<String>()
    )
}

impl Desk {
    /// Queues the reminders due now; how many texts were queued. Those made in practice mode
    /// become practice broadcasts, which only ever reach the sandbox.
    pub(crate) async fn queue_due_reminders(&self, now: Timestamp) -> ApiResult<u32> {
        let at = maeul_dispatch::policy::stamp(now);
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let due = take_due(&mut tx, &at).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let mut events: BTreeMap<(i64, i64, bool), Vec<&ReminderRow>> = BTreeMap::new();
        for r in &due {
            let kind = i64::from(r.event_kind == EventKind::Training);
            events
                .entry((kind, r.event_id, r.practice))
                .or_default()
                .push(r);
        }
        let mut queued = 0;
        let mut undiallable = Vec::new();
        for ((_, _, practice), rows) in events {
            let mut texts = Vec::new();
            for r in &rows {
                match maeul_registry::phone::normalize(&r.phone) {
                    Ok(p) => texts.push(OwnText {
                        e164: p.e164,
                        body: r.body.clone(),
                    }),
                    Err(_) => undiallable.push(r.id),
                }
            }
            let title = broadcast_title(&rows[0].event_title);
            if let Some((_, n)) = store::enqueue_texts(
                &mut tx,
                &title,
                Category::EducationEvent,
                practice,
                &texts,
                now,
            )
            .await?
            {
                queued += n;
            }
        }
        cancel(&mut tx, &undiallable).await?;
        self.commit(tx).await?;
        Ok(queued)
    }
}

#[cfg(test)]
mod tests {
    use super::broadcast_title;

    #[test]
    fn the_broadcast_is_named_for_the_event_and_kept_short() {
        assert_eq!(
            broadcast_title("마을리더 교육"),
            "[일정 알림] 마을리더 교육"
        );
        let long = "가".repeat(60);
        assert_eq!(
            broadcast_title(&long).chars().count(),
            "[일정 알림] ".chars().count() + 40
        );
    }
}
