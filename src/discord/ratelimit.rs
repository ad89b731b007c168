//! Discord's rate limits, kept by the process for the REST calls it makes itself (the highlight
//! posts and their look-ups, the answers to interactions): at most `per_second` requests in any
//! second (Discord's global limit is 50 per bot), every bucket's `retry_after` after a 429, and a
//! global 429 stopping every call under the global limit until it has passed. Interaction
//! callbacks are not under the global limit (Discord exempts them): they wait for their own
//! bucket only.
//!
//! serenity has its own rate limiter, but it sends every request to discord.com whatever the
//! configured base URL, so it cannot run against a test server, and its error type drops the
//! 429's `retry_after`. This one runs the same way against the fake Discord and the real one.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Discord's global limit: requests per second per bot.
pub const GLOBAL_PER_SECOND: usize = 50;

pub struct RateLimiter {
    per_second: usize,
    /// The window the limit is counted over: a little over a second, so that jitter between
    /// here and Discord never makes a second look like it held one request too many.
    window: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// When the last `per_second` requests were (or will be) sent, oldest first.
    sent: VecDeque<Instant>,
    /// After a global 429: nothing is sent before this.
    global_until: Option<Instant>,
    /// After a route 429 (or a bucket with nothing remaining): that bucket waits until then.
    buckets: HashMap<String, Instant>,
}

/// Whether a request may go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// It may go at this instant: its place under the global limit is reserved.
    Until(Instant),
    /// Its bucket (or the whole bot) is limited until this instant; ask again then.
    Blocked(Instant),
    /// The limit holds longer than the caller is willing to wait: this long.
    TooLong(Duration),
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(GLOBAL_PER_SECOND)
    }
}

impl RateLimiter {
    pub fn new(per_second: usize) -> RateLimiter {
        RateLimiter {
            per_second: per_second.max(1),
            window: Duration::from_millis(1050),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves a place for one request on `bucket`, waiting at most `patience` in all;
    /// returns when the request may be sent, or how long the limit still holds. `global`: the
    /// request counts against the bot's global limit (all but interaction callbacks do).
    pub async fn acquire(&self, bucket: &str, patience: Duration, global: bool) -> Result<(), Duration> {
        let deadline = Instant::now() + patience;
        loop {
            let now = Instant::now();
            match self.reserve_as(bucket, now, deadline.saturating_duration_since(now), global) {
                Wait::Until(at) => {
                    // Not `sleep_until` a moment already here: tokio's timer wakes on its next
                    // millisecond tick, which added about a millisecond to every interaction
                    // answer (bench `discord`: p50 0.3 ms → 1.5 ms).
                    if at > Instant::now() {
                        tokio::time::sleep_until(at).await;
                    }
                    // A 429 that came in while this one waited for its place stops it too.
                    if self.until(bucket, global).is_none_or(|u| u <= Instant::now()) {
                        return Ok(());
                    }
                }
                // Waiting out a 429 reserves nothing, so other buckets are not held behind it.
                Wait::Blocked(until) => tokio::time::sleep_until(until).await,
                Wait::TooLong(left) => return Err(left),
            }
        }
    }

    /// Until when a 429 holds `bucket` (and, for a request under the global limit, every
    /// bucket).
    fn until(&self, bucket: &str, global: bool) -> Option<Instant> {
        let s = self.state();
        [s.global_until.filter(|_| global), s.buckets.get(bucket).copied()].into_iter().flatten().max()
    }

    /// The bookkeeping of `acquire`, at `now`, for a request under the global limit.
    pub fn reserve(&self, bucket: &str, now: Instant, patience: Duration) -> Wait {
        self.reserve_as(bucket, now, patience, true)
    }

    fn reserve_as(&self, bucket: &str, now: Instant, patience: Duration, global: bool) -> Wait {
        if let Some(until) = self.until(bucket, global).filter(|u| *u > now) {
            return if until - now > patience { Wait::TooLong(until - now) } else { Wait::Blocked(until) };
        }
        if !global {
            return Wait::Until(now);
        }
        let mut s = self.state();
        // The global limit: places are handed out in order, evenly spaced (a burst of 50 that
        // reaches Discord a little late would meet the next second's 50 there), and one is free
        // once the request `per_second` places back is a window old.
        let spacing = self.window / self.per_second as u32;
        let mut at = s.sent.back().map_or(now, |last| now.max(*last + spacing));
        if s.sent.len() >= self.per_second {
            at = at.max(s.sent[s.sent.len() - self.per_second] + self.window);
        }
        if at - now > patience {
            return Wait::TooLong(at - now);
        }
        s.sent.push_back(at);
        while s.sent.len() > self.per_second {
            s.sent.pop_front();
        }
        Wait::Until(at)
    }

    /// Records a 429: `bucket` (or every request, when `global`) waits `retry_after`.
    pub fn limited(&self, bucket: &str, retry_after: Duration, global: bool) {
        let until = Instant::now() + retry_after;
        let mut s = self.state();
        if global {
            s.global_until = Some(s.global_until.map_or(until, |u| u.max(until)));
        } else {
            let entry = s.buckets.entry(bucket.to_string()).or_insert(until);
            *entry = (*entry).max(until);
        }
        if s.buckets.len() > 10_000 {
            let now = Instant::now();
            s.buckets.retain(|_, u| *u > now);
        }
    }

    /// Records a bucket's own headers after a success: with nothing remaining, it waits until
    /// its reset (Discord would answer 429 before then).
    pub fn exhausted(&self, bucket: &str, reset_after: Duration) {
        self.limited(bucket, reset_after, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A free place is taken at once, without a trip through the timer (which would add up to
    /// a millisecond to every interaction answer): the first poll is ready.
    #[tokio::test]
    async fn a_free_place_is_taken_without_waiting_for_the_timer() {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let limiter = RateLimiter::new(50);
        for global in [false, true] {
            let acquire =
                std::pin::pin!(limiter.acquire(if global { "g" } else { "b" }, Duration::ZERO, global));
            let polled = acquire.poll(&mut Context::from_waker(Waker::noop()));
            assert!(matches!(polled, Poll::Ready(Ok(()))), "global {global}: {polled:?}");
        }
    }

    #[test]
    fn never_more_than_the_limit_in_any_window() {
        let limiter = RateLimiter::new(50);
        let start = Instant::now();
        let times: Vec<Instant> = (0..500)
            .map(|_| match limiter.reserve("b", start, Duration::from_secs(60)) {
                Wait::Until(at) => at,
                other => panic!("patient enough: {other:?}"),
            })
            .collect();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..].iter().take_while(|u| **u < *t + Duration::from_secs(1)).count();
            assert!(in_window <= 50, "{in_window} requests in one second from request {i}");
        }
        // And not much slower than the limit either: evenly spaced, 500 requests in 10 windows.
        let span = *times.last().unwrap() - start;
        assert!(span < Duration::from_millis(10 * 1050), "{span:?}");
    }

    #[test]
    fn a_429_holds_its_bucket_or_everything() {
        let limiter = RateLimiter::new(50);
        let now = Instant::now();
        limiter.limited("a", Duration::from_secs(75), false);
        let long = limiter.reserve("a", now, Duration::from_secs(5));
        assert!(matches!(long, Wait::TooLong(d) if d > Duration::from_secs(70)), "{long:?}");
        assert_eq!(limiter.reserve("b", now, Duration::from_secs(5)), Wait::Until(now));
        limiter.limited("x", Duration::from_millis(300), true);
        match limiter.reserve("b", now, Duration::from_secs(5)) {
            Wait::Blocked(until) => assert!(until >= now + Duration::from_millis(290), "global 429 obeyed"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_outside_the_global_limit_waits_for_its_own_bucket_only() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        // The one place of this second is taken, and a global 429 holds every counted request.
        assert_eq!(limiter.reserve("post", now, Duration::from_secs(5)), Wait::Until(now));
        limiter.limited("post", Duration::from_secs(2), true);
        assert!(matches!(limiter.reserve("post", now, Duration::from_secs(5)), Wait::Blocked(_)));
        // An interaction callback goes at once, and takes no place from the others…
        assert_eq!(limiter.reserve_as("callback", now, Duration::from_secs(5), false), Wait::Until(now));
        // …but obeys a 429 on its own bucket.
        limiter.limited("callback", Duration::from_millis(800), false);
        match limiter.reserve_as("callback", now, Duration::from_secs(5), false) {
            Wait::Blocked(until) => assert!(until >= now + Duration::from_millis(790)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            limiter.reserve_as("callback", now, Duration::from_millis(100), false),
            Wait::TooLong(_)
        ));
    }
}
