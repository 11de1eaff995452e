//! GCRA: a token bucket of `burst` tokens refilled at `per_minute`, kept as one number.
//!
//! With `T` the emission interval (60 s / per_minute) and `τ = (burst − 1)·T` the
//! tolerance, a request at `now` is allowed iff `TAT ≤ now + τ`, and then
//! `TAT' = max(TAT, now) + T`. An absent bucket behaves as `TAT = now` (full). Times are
//! epoch milliseconds.

const MINUTE_MS: i64 = 60_000;

/// Burst size and refill rate of one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    burst: u32,
    per_minute: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("burst must be between 1 and 1000000")]
    Burst,
    #[error("refill per minute must be between 1 and 60000")]
    Refill,
}

/// The outcome of one take, before it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Let through; the bucket's TAT becomes `new_tat`.
    Allowed { new_tat: i64 },
    /// Refused; the bucket keeps `tat`.
    Denied { tat: i64 },
}

/// What the HTTP layer reports about a take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The burst size (`X-RateLimit-Limit`).
    pub limit: u32,
    /// Requests that would still be let through right now (`X-RateLimit-Remaining`).
    pub remaining: u32,
    /// Until the bucket is full again.
    pub reset_after_ms: i64,
    /// Until the next request would be let through (0 when allowed).
    pub retry_after_ms: i64,
}

impl Decision {
    /// `X-RateLimit-Reset`: whole seconds until the bucket is full (rounded up).
    pub fn reset_after_secs(&self) -> u64 {
        ceil_secs(self.reset_after_ms)
    }

    /// `Retry-After` / `retry_after`: whole seconds, rounded up, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        ceil_secs(self.retry_after_ms).max(1)
    }
}

fn ceil_secs(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).div_ceil(1000)
}

impl Limit {
    /// One request per minute, no burst: what a broken configuration falls back to.
    pub const MIN: Limit = Limit {
        burst: 1,
        per_minute: 1,
    };

    pub fn new(burst: u32, per_minute: u32) -> Result<Self, LimitError> {
        if !(1..=1_000_000).contains(&burst) {
            return Err(LimitError::Burst);
        }
        if !(1..=60_000).contains(&per_minute) {
            return Err(LimitError::Refill);
        }
        Ok(Self { burst, per_minute })
    }

    pub fn burst(self) -> u32 {
        self.burst
    }

    pub fn per_minute(self) -> u32 {
        self.per_minute
    }

    /// `T`: one token comes back every `T` ms (rounded up: never more generous).
    pub fn interval_ms(self) -> i64 {
        let per = i64::from(self.per_minute);
        (MINUTE_MS + per - 1) / per
    }

    /// `τ = (burst − 1)·T`.
    pub fn tolerance_ms(self) -> i64 {
        i64::from(self.burst - 1) * self.interval_ms()
    }

    /// The largest stored TAT that still lets a request at `now` through.
    pub fn admit_limit(self, now: i64) -> i64 {
        now + self.tolerance_ms()
    }

    /// The decision for a bucket whose stored TAT is `tat` (None: no bucket yet).
    pub fn take(self, tat: Option<i64>, now: i64) -> Take {
        match tat {
            Some(tat) if tat > self.admit_limit(now) => Take::Denied { tat },
            Some(tat) => Take::Allowed {
                new_tat: tat.max(now) + self.interval_ms(),
            },
            None => Take::Allowed {
                new_tat: now + self.interval_ms(),
            },
        }
    }

    /// The report for a take that was allowed and left the bucket at `new_tat`.
    pub fn allowed(self, new_tat: i64, now: i64) -> Decision {
        let t = self.interval_ms();
        let room = now + i64::from(self.burst) * t - new_tat;
        Decision {
            allowed: true,
            limit: self.burst,
            remaining: u32::try_from((room / t).clamp(0, i64::from(self.burst))).unwrap_or(0),
            reset_after_ms: (new_tat - now).max(0),
            retry_after_ms: 0,
        }
    }

    /// The report for a take that was refused while the bucket stood at `tat`.
    pub fn denied(self, tat: i64, now: i64) -> Decision {
        Decision {
            allowed: false,
            limit: self.burst,
            remaining: 0,
            reset_after_ms: (tat - now).max(0),
            retry_after_ms: (tat - self.admit_limit(now)).max(1),
        }
    }

    /// [`Self::take`] and its report in one step (for stores that hold a lock).
    pub fn decide(self, tat: Option<i64>, now: i64) -> (Decision, Option<i64>) {
        match self.take(tat, now) {
            Take::Allowed { new_tat } => (self.allowed(new_tat, now), Some(new_tat)),
            Take::Denied { tat } => (self.denied(tat, now), None),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    fn limit(burst: u32, per_minute: u32) -> Limit {
        Limit::new(burst, per_minute).unwrap()
    }

    /// Runs requests at `times` (ms, any order is sorted) through one bucket.
    fn run(l: Limit, times: &[i64]) -> Vec<(i64, Decision)> {
        let mut tat = None;
        let mut out = Vec::new();
        for &now in times {
            let (d, new_tat) = l.decide(tat, now);
            if new_tat.is_some() {
                tat = new_tat;
            }
            out.push((now, d));
        }
        out
    }

    #[test]
    fn a_full_bucket_lets_burst_requests_through_then_refuses() {
        let l = limit(5, 5);
        let out = run(l, &[0; 6]);
        let remaining: Vec<u32> = out.iter().map(|(_, d)| d.remaining).collect();
        assert_eq!(remaining, [4, 3, 2, 1, 0, 0]);
        assert!(out[..5].iter().all(|(_, d)| d.allowed));
        let denied = out[5].1;
        assert!(!denied.allowed);
        // One token every 12 s.
        assert_eq!(denied.retry_after_ms, 12_000);
        assert_eq!(denied.retry_after_secs(), 12);
        assert_eq!(denied.reset_after_secs(), 60);
        assert_eq!(denied.limit, 5);
    }

    #[test]
    fn a_token_comes_back_every_interval() {
        let l = limit(3, 1);
        assert_eq!(l.interval_ms(), 60_000);
        let out = run(l, &[0, 0, 0, 0, 59_999, 60_000, 60_000]);
        let allowed: Vec<bool> = out.iter().map(|(_, d)| d.allowed).collect();
        assert_eq!(allowed, [true, true, true, false, false, true, false]);
        assert_eq!(out[4].1.retry_after_ms, 1);
        assert_eq!(out[4].1.retry_after_secs(), 1);
    }

    #[test]
    fn an_idle_bucket_is_full_again_and_reset_counts_down() {
        let l = limit(100, 100);
        assert_eq!(l.interval_ms(), 600);
        let d = l.allowed(600, 0);
        assert_eq!((d.remaining, d.reset_after_secs()), (99, 1));
        // Long after, the stored TAT is in the past: as good as absent.
        assert_eq!(l.take(Some(600), 1_000_000), l.take(None, 1_000_000));
    }

    #[test]
    fn limits_are_validated() {
        assert_eq!(Limit::new(0, 5), Err(LimitError::Burst));
        assert_eq!(Limit::new(5, 0), Err(LimitError::Refill));
        assert_eq!(Limit::new(5, 60_001), Err(LimitError::Refill));
        assert_eq!(limit(1, 7).interval_ms(), 8_572); // rounded up
    }

    proptest! {
        /// Never more than `burst + t/T` requests in any window of length t.
        #[test]
        fn never_more_than_burst_plus_rate_times_t(
            burst in 1u32..20,
            per_minute in 1u32..600,
            mut times in proptest::collection::vec(0i64..600_000, 1..200),
        ) {
            let l = limit(burst, per_minute);
            times.sort_unstable();
            let allowed: Vec<i64> = run(l, &times)
                .into_iter()
                .filter(|(_, d)| d.allowed)
                .map(|(t, _)| t)
                .collect();
            for (i, &start) in allowed.iter().enumerate() {
                for (j, &end) in allowed.iter().enumerate().skip(i) {
                    let count = (j - i + 1) as i64;
                    let bound = i64::from(burst) + (end - start) / l.interval_ms();
                    prop_assert!(count <= bound, "{count} allowed in [{start}, {end}], bound {bound}");
                }
            }
        }

        /// A client that waits `retry_after` is let through, and not a millisecond earlier.
        #[test]
        fn retry_after_is_exact(
            burst in 1u32..20,
            per_minute in 1u32..600,
            extra in 1usize..5,
            start in 0i64..1_000_000,
        ) {
            let l = limit(burst, per_minute);
            let times = vec![start; burst as usize + extra];
            let out = run(l, &times);
            let mut tat = None;
            for &now in &times {
                if let (_, Some(t)) = l.decide(tat, now) { tat = Some(t); }
            }
            let denied = out.last().unwrap().1;
            prop_assert!(!denied.allowed);
            prop_assert!(denied.retry_after_secs() >= 1);
            let wait = denied.retry_after_ms;
            prop_assert!(!l.decide(tat, start + wait - 1).0.allowed);
            prop_assert!(l.decide(tat, start + wait).0.allowed);
        }

        /// Requests spaced at least T apart are never refused, and remaining stays in range.
        #[test]
        fn a_patient_client_is_never_refused(
            burst in 1u32..20,
            per_minute in 1u32..600,
            gaps in proptest::collection::vec(0i64..10, 1..50),
        ) {
            let l = limit(burst, per_minute);
            let mut now = 0;
            let mut times = Vec::new();
            for g in gaps {
                now += l.interval_ms() + g;
                times.push(now);
            }
            for (_, d) in run(l, &times) {
                prop_assert!(d.allowed);
                prop_assert!(d.remaining < burst);
                prop_assert_eq!(d.remaining, burst - 1);
            }
        }
    }
}
