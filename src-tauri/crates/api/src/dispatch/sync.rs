//! Passes of the sync worker over the outbox. No actor: sending is the desk's own work, and
//! only what a permitted user put in the outbox is ever sent.

use std::time::Duration;

use jiff::Timestamp;
use maeul_dispatch::policy::Policy;
use maeul_dispatch::provider::Provider;
use maeul_dispatch::worker::{self, TickReport};

use crate::{ApiResult, Desk};

/// What a drain did: passes, what they added up to, and what is still open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drained {
    pub passes: u32,
    pub submitted: u32,
    pub settled: u32,
    pub retries: u32,
    pub failed: u32,
    pub fallbacks: u32,
    pub interruptions: u32,
    pub open: u32,
    pub last: TickReport,
}

impl Desk {
    /// The provider the stored configuration names; the built-in sandbox when none is set.
    pub async fn provider(&self) -> ApiResult<Box<dyn Provider>> {
        Ok(Box::new(maeul_dispatch::sandbox::Sandbox::new()))
    }

    /// One pass with the stored policy.
    pub async fn sync_once(&self, provider: &dyn Provider) -> ApiResult<TickReport> {
        let policy = {
            let mut conn = self.db.acquire().await?;
            Policy::load(&mut conn).await?
        };
        Ok(worker::tick(&self.db, provider, &policy, Timestamp::now()).await?)
    }

    /// Deliveries not yet terminal.
    pub async fn sync_open(&self) -> ApiResult<u32> {
        Ok(worker::open_count(&self.db).await?)
    }

    /// Passes until every delivery is terminal or `timeout` has passed. Between passes it
    /// waits briefly, or — when the provider was unreachable or asked us to slow down —
    /// for the backoff (the provider's Retry-After when it gave one).
    pub async fn sync_drain(
        &self,
        provider: &dyn Provider,
        timeout: Duration,
        // After each pass: its report, and whether anything is still open (1) or not (0).
        on_pass: &(dyn Fn(&TickReport, u32) + Sync),
    ) -> ApiResult<Drained> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut d = Drained::default();
        let mut streak = 0u32;
        loop {
            let policy = {
                let mut conn = self.db.acquire().await?;
                Policy::load(&mut conn).await?
            };
            let r = worker::tick(&self.db, provider, &policy, Timestamp::now()).await?;
            d.passes += 1;
            d.submitted += r.submitted;
            d.settled += r.settled;
            d.retries += r.retries;
            d.failed += r.failed;
            d.fallbacks += r.fallbacks;
            let open = worker::any_open(&self.db).await?;
            on_pass(&r, u32::from(open));
            let wait = if r.interrupted() {
                d.interruptions += 1;
                streak += 1;
                let jitter = f64::from(Timestamp::now().subsec_nanosecond() % 1000) / 1000.0;
                match r.rate_limited {
                    Some(Some(after)) => after,
                    _ => policy.backoff(streak, jitter),
                }
            } else {
                streak = 0;
                jiff::SignedDuration::from_millis(if r.submitted + r.settled > 0 {
                    50
                } else {
                    250
                })
            };
            d.last = r;
            if !open || tokio::time::Instant::now() >= deadline {
                d.open = self.sync_open().await?;
                return Ok(d);
            }
            let wait = Duration::try_from(wait).unwrap_or(Duration::from_secs(1));
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(wait.min(left)).await;
        }
    }
}
