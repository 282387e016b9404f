//! Client-side request rate per provider (governor's GCRA), so that a county-wide send stays
//! under what the account allows instead of learning it from 429s. The provider's own 429
//! and Retry-After still win when they come.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub struct Limiter(Option<DefaultDirectRateLimiter>);

impl Limiter {
    /// `None` or 0: no limit (the sandbox, tests that want the provider's 429s).
    pub fn per_second(rate: Option<u32>) -> Limiter {
        Limiter(rate.and_then(NonZeroU32::new).map(|r| {
            // A small burst: any one-second window then holds at most rate + burst
            // requests, which is what a provider counting per second sees.
            let burst = NonZeroU32::new((r.get() / 10).max(1)).unwrap_or(r);
            RateLimiter::direct(Quota::per_second(r).allow_burst(burst))
        }))
    }

    /// Waits until one more request fits in the rate.
    pub async fn wait(&self) {
        if let Some(l) = &self.0 {
            l.until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn holds_requests_to_the_rate() {
        let l = Limiter::per_second(Some(20));
        let start = Instant::now();
        // A burst of 20 passes at once; the next 10 are spread over half a second.
        for _ in 0..30 {
            l.wait().await;
        }
        let took = start.elapsed().as_millis();
        assert!(
            (400..2000).contains(&took),
            "30 requests at 20/s took {took} ms"
        );
    }

    #[tokio::test]
    async fn no_rate_is_no_wait() {
        let l = Limiter::per_second(None);
        let start = Instant::now();
        for _ in 0..10_000 {
            l.wait().await;
        }
        assert!(start.elapsed().as_millis() < 500);
    }
}
