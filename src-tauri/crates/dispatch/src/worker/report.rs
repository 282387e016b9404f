//! What one pass of the worker did, and how long the loops around it wait before the next.

use jiff::SignedDuration;

use crate::policy::Policy;
use crate::provider::ProviderError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub reconciled: u32,
    pub requeued: u32,
    pub submitted: u32,
    pub settled: u32,
    pub retries: u32,
    pub failed: u32,
    /// Stand-in deliveries added on the fallback channel.
    pub fallbacks: u32,
    /// Answered calls whose resident's keypad reply was learned.
    pub replies: u32,
    /// Escalation steps taken (texts or chiefs' call lists queued).
    pub escalations: u32,
    /// The provider could not be reached; nothing is lost, the next pass carries on.
    pub offline: bool,
    /// The provider asked us to slow down (and for how long, if it said).
    pub rate_limited: Option<Option<SignedDuration>>,
    /// The provider refused the desk itself (credentials, sender): staff must act.
    pub refused: Option<String>,
    /// Normal broadcasts are waiting for the end of quiet hours.
    pub quiet: bool,
    /// Texts queued to chiefs with the households a settled broadcast did not reach.
    pub chief_notices: u32,
    /// Programme reminders taken into the outbox before the pass (set by the caller).
    pub reminders: u32,
    /// The outbox is paused (after a restore), and why: the pass did nothing.
    pub paused: Option<String>,
    /// The pass ran past the policy's deadline and was cut short (the provider stalled).
    pub deadline: bool,
}

impl TickReport {
    pub(super) fn stopped(&mut self, e: ProviderError) {
        match e {
            ProviderError::Unreachable(_) => self.offline = true,
            ProviderError::RateLimited { retry_after } => self.rate_limited = Some(retry_after),
            ProviderError::Refused(why) => self.refused = Some(why),
        }
    }

    /// Adds what another part of the same pass did; the first interruption seen is kept.
    pub fn absorb(&mut self, other: TickReport) {
        self.reconciled += other.reconciled;
        self.requeued += other.requeued;
        self.submitted += other.submitted;
        self.settled += other.settled;
        self.retries += other.retries;
        self.failed += other.failed;
        self.fallbacks += other.fallbacks;
        self.replies += other.replies;
        self.escalations += other.escalations;
        self.offline |= other.offline;
        self.rate_limited = self.rate_limited.or(other.rate_limited);
        self.refused = self.refused.take().or(other.refused);
        self.quiet |= other.quiet;
        self.chief_notices += other.chief_notices;
        self.reminders += other.reminders;
        self.paused = self.paused.take().or(other.paused);
        self.deadline |= other.deadline;
    }

    /// Whether a step of the pass was cut short by the provider.
    pub fn interrupted(&self) -> bool {
        self.offline || self.deadline || self.rate_limited.is_some() || self.refused.is_some()
    }

    /// Whether the pass moved anything: a pass that did should be followed at once, even
    /// if one of its calls failed; only a pass that did nothing backs off.
    pub fn progressed(&self) -> bool {
        self.reconciled
            + self.requeued
            + self.submitted
            + self.settled
            + self.retries
            + self.failed
            + self.chief_notices
            + self.reminders
            > 0
    }

    /// How long to wait before the next pass. The provider's Retry-After always holds; a pass
    /// the provider cut short without progress backs off by the policy (`streak` counts such
    /// passes, and a pass that did work resets it); a pass that did work is followed at once;
    /// otherwise `idle`.
    pub fn next_wait(
        &self,
        policy: &Policy,
        streak: &mut u32,
        idle: SignedDuration,
    ) -> SignedDuration {
        if let Some(Some(after)) = self.rate_limited {
            *streak += 1;
            return after;
        }
        if self.progressed() {
            *streak = 0;
            return SignedDuration::ZERO;
        }
        if self.interrupted() {
            *streak += 1;
            let jitter = fastrand::f64();
            return policy.backoff(*streak, jitter);
        }
        *streak = 0;
        idle
    }
}
