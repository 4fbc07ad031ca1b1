//! Rate limits per token, with the `governor` crate (GCRA: a token may send a burst of up to
//! its per-minute limit, then requests at the limit's pace).
//!
//! The state lives in the server process: with several servers behind a load balancer, each
//! allows the limit on its own (documented in the README).

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};

/// Requests per minute per token unless configured: generous enough for bulk work, low enough
/// to stop a runaway client.
pub const DEFAULT_PER_MINUTE: u32 = 60_000;

/// How often (in checks) keys of idle tokens are dropped from memory.
const HOUSEKEEPING_EVERY: u64 = 65_536;

/// The limit of each token, per minute; `0` turns limits off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            per_minute: DEFAULT_PER_MINUTE,
        }
    }
}

type Keyed =
    Governor<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The per-token limiter of one server process.
pub struct RateLimiter {
    limit: u32,
    governor: Option<Keyed>,
    clock: DefaultClock,
    checks: AtomicU64,
}

/// Where a token stands after one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitState {
    /// Requests per minute.
    pub limit: u32,
    /// Requests the token may still send at once.
    pub remaining: u32,
    /// Seconds until the token may send its whole limit again.
    pub reset_secs: u64,
    /// When the request was refused: seconds until the next one is let through.
    pub retry_after: Option<u64>,
}

impl RateLimitState {
    pub fn exceeded(&self) -> bool {
        self.retry_after.is_some()
    }

    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.unwrap_or(1).max(1)
    }

    /// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
    pub fn standard_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in [
            ("ratelimit-limit", u64::from(self.limit)),
            ("ratelimit-remaining", u64::from(self.remaining)),
            ("ratelimit-reset", self.reset_secs),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
}

impl RateLimiter {
    pub fn new(config: RateLimitConfig) -> Self {
        let governor = NonZeroU32::new(config.per_minute)
            .map(|n| Governor::keyed(Quota::per_minute(n)).with_middleware());
        RateLimiter {
            limit: config.per_minute,
            governor,
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one request of `token_id`; `None` when limits are off.
    pub fn check(&self, token_id: &str) -> Option<RateLimitState> {
        let governor = self.governor.as_ref()?;
        if self.checks.fetch_add(1, Ordering::Relaxed) % HOUSEKEEPING_EVERY
            == HOUSEKEEPING_EVERY - 1
        {
            governor.retain_recent();
        }
        let per_cell_ms = 60_000 / u64::from(self.limit.max(1));
        let reset = |remaining: u32| {
            let missing = u64::from(self.limit.saturating_sub(remaining));
            (missing * per_cell_ms).div_ceil(1000)
        };
        // The key is owned only when the token is new to this process.
        Some(match governor.check_key(&token_id.to_string()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                RateLimitState {
                    limit: self.limit,
                    remaining,
                    reset_secs: reset(remaining),
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                RateLimitState {
                    limit: self.limit,
                    remaining: 0,
                    reset_secs: reset(0),
                    retry_after: Some(wait.as_millis().div_ceil(1000) as u64),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses() {
        let limiter = RateLimiter::new(RateLimitConfig { per_minute: 3 });
        let states: Vec<RateLimitState> = (0..4).filter_map(|_| limiter.check("tok_a")).collect();
        let remaining: Vec<u32> = states.iter().map(|s| s.remaining).collect();
        assert_eq!(remaining, vec![2, 1, 0, 0]);
        assert!(!states[2].exceeded() && states[3].exceeded());
        assert!((1..=20).contains(&states[3].retry_after_secs()));
        assert_eq!(states[3].reset_secs, 60);
        // Another token has its own budget.
        assert_eq!(limiter.check("tok_b").map(|s| s.remaining), Some(2));
    }

    #[test]
    fn zero_turns_limits_off() {
        let limiter = RateLimiter::new(RateLimitConfig { per_minute: 0 });
        assert!((0..100).all(|_| limiter.check("tok").is_none()));
    }
}
