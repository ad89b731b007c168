//! Daily highlights at scale against the fake Discord: `cargo bench --bench highlights`.
//!
//! 1 000 channels due at the same minute, one tick of the real scheduler (SQLite store, the real
//! poster and its rate limiter) against the fake Discord enforcing Discord's global limit of 50
//! requests per second with global 429s, with 1 % of creates stalling for 120 s (made but not
//! answered). Reports the rate of the posts that were answered, the tick's length, the most
//! requests in any one second, and the global 429s the fake had to give. Channels and the stall
//! can be changed with MARQUEE_BENCH_CHANNELS and MARQUEE_BENCH_STALL_SECONDS.
//!
//! MARQUEE_BENCH_OLD=1 runs the scheduler as it was before posts ran concurrently: one slot at a
//! time, no deadline on a call, no rate limiter of its own (for the before/after comparison).

use marquee_testkit::fake_discord;

use chrono::{Duration, NaiveTime, Utc};
use fake_discord::{Act, FakeDiscord, BOT_ID, TOKEN};
use marquee::discord::poster::HttpPoster;
use marquee::discord::ratelimit::RateLimiter;
use marquee::discord::rest::Rest;
use marquee::highlights::runner::Runner;
use marquee::store::sqlite::SqliteStore;
use marquee::store::{Database, SlotState, Store};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let channels = env("MARQUEE_BENCH_CHANNELS", 1000);
    let stall = StdDuration::from_secs(env("MARQUEE_BENCH_STALL_SECONDS", 120));
    let fake = FakeDiscord::start().await;
    fake.enforce_global_limit(50);
    // 1 % of creates: made, then no answer for `stall`.
    fake.script_rule("POST /api/v10/channels/", Act::Stall(stall), 100, usize::MAX);

    let dir = std::env::temp_dir().join(format!("marquee-bench-hl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("m.db")).unwrap());
    let now = Utc::now();
    let at: NaiveTime = (now - Duration::seconds(30)).time();
    for c in 0..channels {
        store.subscribe(c % 50, 10_000 + c, at, "UTC", now - Duration::hours(1)).await.unwrap();
    }
    let engine = Arc::new(marquee::search::SharedEngine::new(Arc::new(marquee::search::Engine::new(
        marquee::catalog::Catalog::bundled().unwrap(),
    ))));
    let old = env("MARQUEE_BENCH_OLD", 0) == 1;
    let limiter = if old { RateLimiter::new(usize::MAX / 2) } else { RateLimiter::default() };
    let mut rest = Rest::new(TOKEN, Some(&fake.api_base()), Arc::new(limiter));
    if old {
        rest.deadline = StdDuration::from_secs(3600);
    }
    let poster = Arc::new(HttpPoster { rest: Arc::new(rest), me: BOT_ID });
    let mut runner =
        Runner::new(store.clone(), engine, poster, "bench".into(), Duration::hours(6), Duration::seconds(60));
    if old {
        runner.concurrency = 1;
    }

    let started = Instant::now();
    let report = runner.tick(Utc::now()).await;
    let tick = started.elapsed();
    let requests = fake.requests();
    let creates: Vec<StdDuration> =
        requests.iter().filter(|r| r.method == "POST").map(|r| r.at.duration_since(started)).collect();
    let answered = report.posted;
    let last_answered = Database::Sqlite(dir.join("m.db"))
        .slots()
        .await
        .unwrap()
        .iter()
        .filter(|s| s.state == SlotState::Posted)
        .count();
    let span = creates.iter().max().copied().unwrap_or_default();
    println!(
        "highlights{}: {channels} channels due at once, 1 % of creates stalled {stall:?}: posted {answered} \
         (recorded {last_answered}), retrying {}, in a tick of {:.2} s; {} creates sent over {:.2} s = \
         {:.1} posts/s; most requests in one second {}; global 429s from the fake {}",
        if old { " (old scheduler)" } else { "" },
        report.retrying,
        tick.as_secs_f64(),
        creates.len(),
        span.as_secs_f64(),
        answered as f64 / span.as_secs_f64().max(1e-9),
        fake.max_per_second("/api/v10/"),
        fake.global_429s(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
