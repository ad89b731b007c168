//! Counts replies being worked on, so shutdown can let them finish (within a bound).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long shutdown lets the replies in flight finish before abandoning them: a gateway
/// reply or an endpoint's deferred edit, each one REST call retried once. (The HTTP listeners'
/// own bound on their requests is `http_server::CONNECTION_DRAIN`.)
pub const REPLY_DRAIN: Duration = Duration::from_secs(5);

#[derive(Clone, Default)]
pub struct InFlight(Arc<(AtomicUsize, Notify)>);

pub struct Guard(InFlight);

impl InFlight {
    pub fn enter(&self) -> Guard {
        self.0 .0.fetch_add(1, Ordering::SeqCst);
        Guard(self.clone())
    }

    pub fn count(&self) -> usize {
        self.0 .0.load(Ordering::SeqCst)
    }

    /// At shutdown: waits for the replies in flight, for at most `REPLY_DRAIN`, and says how
    /// many were abandoned, if any.
    pub async fn drain(&self) {
        let left = self.wait_idle(REPLY_DRAIN).await;
        if left > 0 {
            tracing::warn!(left, "shutdown: replies still in flight after {REPLY_DRAIN:?}; abandoning them");
        }
    }

    /// Waits until nothing is in flight or `limit` passes; returns how many were left.
    pub async fn wait_idle(&self, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.0 .1.notified();
            if self.count() == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.count();
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.0 .0 .0.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0 .0 .1.notify_waiters();
        }
    }
}
