//! The scheduler loop of a running bot: a tick every 30 s, each tick on its own task so that a
//! tick still waiting on a slow channel does not hold up the next (the runner leaves a slot a
//! running tick works on alone).

use super::runner::{Runner, TickReport};
use crate::inflight::InFlight;
use std::sync::Arc;
use std::time::Duration;
use tracing::{debug, info};

/// How often the scheduler looks for due posts, how long an unrecorded claim is held, and the
/// first retry's wait. Each can be shortened for process-level tests only
/// (`MARQUEE_TEST_TICK_MS`, `MARQUEE_TEST_LEASE_SECONDS`, `MARQUEE_TEST_BACKOFF_MS`), as can
/// the REST deadline of the posts (`MARQUEE_TEST_REST_DEADLINE_MS`); they are not user settings.
pub struct Timing {
    pub tick: Duration,
    pub lease: chrono::Duration,
    pub backoff: chrono::Duration,
    /// `None`: the REST client's own deadline.
    pub rest_deadline: Option<Duration>,
}

impl Timing {
    pub fn from_env() -> Timing {
        let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
        let tick = Duration::from_millis(env("MARQUEE_TEST_TICK_MS").unwrap_or(30_000).max(100));
        let lease = env("MARQUEE_TEST_LEASE_SECONDS").unwrap_or(super::runner::LEASE_SECONDS as u64);
        let backoff = env("MARQUEE_TEST_BACKOFF_MS").unwrap_or(super::runner::BACKOFF_SECONDS as u64 * 1000);
        Timing {
            rest_deadline: env("MARQUEE_TEST_REST_DEADLINE_MS").map(Duration::from_millis),
            tick,
            lease: chrono::Duration::seconds(lease as i64),
            backoff: chrono::Duration::milliseconds(backoff as i64),
        }
    }
}

/// Ticks `runner` every `tick` until the process ends; each tick's report goes to `record`
/// (the process's metrics). A tick that did nothing but find slots held by another process is
/// logged at DEBUG only.
pub fn spawn(runner: Arc<Runner>, tick: Duration, inflight: InFlight, record: fn(&TickReport)) {
    info!("highlight scheduler started");
    tokio::spawn(async move {
        loop {
            let (runner, inflight) = (runner.clone(), inflight.clone());
            tokio::spawn(async move {
                let _guard = inflight.enter();
                let report = runner.tick(chrono::Utc::now()).await;
                if report.eventful() {
                    info!(?report, "highlight tick");
                } else if report != Default::default() {
                    debug!(?report, "highlight tick");
                }
                record(&report);
            });
            tokio::time::sleep(tick).await;
        }
    });
}
