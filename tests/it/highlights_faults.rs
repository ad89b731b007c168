//! Daily highlights under Discord's faults: the real scheduler and poster, a real SQLite file,
//! the fake Discord behaving as Discord does where it matters (snowflakes of its clock, paging,
//! the nonce window, type-20 interaction answers, busy channels, scripted faults). The clock is
//! simulated; the fake's clock follows it; nonce windows and deadlines are short so each test
//! runs in seconds.

use crate::support::TempDir;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use marquee::discord::poster::HttpPoster;
use marquee::discord::rest::Rest;
use marquee::highlights::runner::{Poster, Runner, TickReport};
use marquee::store::sqlite::SqliteStore;
use marquee::store::{Database, Store};
use marquee_testkit::fake_discord::{Act, Body, FakeDiscord, BOT_ID, TOKEN};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// 09:00 UTC, when every subscription here is due.
fn at() -> DateTime<Utc> {
    utc("2026-06-01T09:00:00Z")
}

/// A call's deadline here: short, so a stalled call costs the test little.
const DEADLINE: StdDuration = StdDuration::from_millis(700);

struct Setup {
    fake: FakeDiscord,
    store: Arc<dyn Store>,
    database: Database,
    runner: Runner,
    _dir: TempDir,
}

async fn setup(tag: &str, channels: impl IntoIterator<Item = u64>) -> Setup {
    let fake = FakeDiscord::start().await;
    fake.set_clock(at());
    fake.set_nonce_window(StdDuration::from_millis(300));
    let dir = TempDir::new(tag);
    let database = Database::Sqlite(dir.0.join("m.db"));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.0.join("m.db")).unwrap());
    for c in channels {
        store
            .subscribe(1, c, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), "UTC", at() - Duration::days(1))
            .await
            .unwrap();
    }
    let runner = runner(&fake, store.clone(), "a");
    Setup { fake, store, database, runner, _dir: dir }
}

fn poster(fake: &FakeDiscord) -> Arc<dyn Poster> {
    let mut rest = Rest::new(TOKEN, Some(&fake.api_base()), Default::default());
    rest.deadline = DEADLINE;
    Arc::new(HttpPoster { rest: Arc::new(rest), me: BOT_ID })
}

fn runner(fake: &FakeDiscord, store: Arc<dyn Store>, owner: &str) -> Runner {
    let engine = Arc::new(marquee::search::SharedEngine::new(Arc::new(marquee::search::Engine::new(
        crate::support::bundled(),
    ))));
    Runner::new(store, engine, poster(fake), owner.into(), Duration::hours(6), Duration::seconds(60))
}

impl Setup {
    /// One tick at simulated `now`, the fake's clock moved there first.
    async fn tick(&self, now: DateTime<Utc>) -> TickReport {
        self.fake.set_clock(now);
        self.runner.tick(now).await
    }

    fn creates(&self, channel: u64) -> usize {
        let path = format!("/channels/{channel}/messages");
        self.fake.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with(&path)).count()
    }

    /// The bot's plain messages in `channel` (its posts), and the slot's recorded message id.
    async fn posts(&self, channel: u64) -> (Vec<u64>, Option<u64>) {
        let posts = self
            .fake
            .channel_messages(channel)
            .into_iter()
            .filter(|m| m.author == BOT_ID && m.kind == 0)
            .map(|m| m.id)
            .collect();
        let sub = self
            .store
            .subscriptions(None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.channel_id == channel)
            .unwrap();
        let today = at().date_naive();
        let slot = self
            .database
            .slots()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.subscription_id == sub.id && s.date == today);
        (posts, slot.and_then(|s| s.message_id))
    }

    /// Exactly one post in `channel`, and it is the one recorded.
    async fn assert_one_post(&self, channel: u64) {
        let (posts, recorded) = self.posts(channel).await;
        assert_eq!(posts.len(), 1, "channel {channel}: posts {posts:?}");
        assert_eq!(recorded, Some(posts[0]), "channel {channel}: the post is the one recorded");
    }
}

/// Defect 1: a member's public `/highlight` answer (type 20, same header and embed) was taken for
/// the day's post by a retry's look-up, and the channel got no highlight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_highlight_answer_is_never_taken_for_the_post() {
    let s = setup("hl-f-answer", [1001]).await;
    // The first create fails (a 500), so the second attempt looks in the channel first.
    s.fake.script("POST /api/v10/channels/1001/messages", Act::Status(500, Body::Json));
    let first = s.tick(at()).await;
    assert_eq!(first.retrying, 1, "{first:?}");
    // Meanwhile a member asks `/highlight` publicly: the same header and embed, as Discord
    // shows it in the channel (an interaction answer), by the same bot.
    let body = s.fake.requests().into_iter().find(|r| r.method == "POST").unwrap().body;
    s.fake.add_interaction_answer(1001, &body["content"], &body["embeds"]);
    let second = s.tick(at() + Duration::seconds(40)).await;
    assert_eq!(second.posted, 1, "{second:?}");
    assert_eq!(s.creates(1001), 2, "the retry posted instead of taking the answer for the post");
    s.assert_one_post(1001).await;
}

/// Defect 2: in a busy channel the look-up read the oldest 100 messages of its span and never
/// saw the post; after an outage longer than the nonce window the day was posted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_busy_channel_after_an_outage_longer_than_the_nonce_window_the_post_is_found() {
    let s = setup("hl-f-busy", [1002]).await;
    // Members were talking before the post…
    s.fake.add_member_messages(1002, 150, StdDuration::from_secs(6 * 3600));
    // …the create is made but its answer never comes (the process sees a timeout)…
    s.fake.script("POST /api/v10/channels/1002/messages", Act::Unanswered);
    let first = s.tick(at()).await;
    assert_eq!((first.posted, first.retrying), (0, 1), "{first:?}");
    assert_eq!(s.fake.created_messages().len(), 1, "Discord made the message");
    // …and go on talking: 250 messages after it, more than two pages.
    s.fake.set_clock(at() + Duration::minutes(1));
    s.fake.add_member_messages(1002, 250, StdDuration::from_secs(50));
    // The retry comes after Discord forgot the nonce (300 ms here, minutes at Discord).
    tokio::time::sleep(StdDuration::from_millis(400)).await;
    let second = s.tick(at() + Duration::minutes(2)).await;
    assert_eq!(second.posted, 1, "{second:?}");
    assert_eq!(s.creates(1002), 1, "found by the look-up, not posted again");
    s.assert_one_post(1002).await;
    let pages =
        s.fake.requests().iter().filter(|r| r.method == "GET" && r.path.contains("/1002/messages")).count();
    assert!((3..=5).contains(&pages), "read from the newest side back to the post: {pages} pages");
}

/// Defect 3: a failed look-up posted anyway ("cannot check for an earlier post; posting").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_lookup_is_retried_later_never_posted_blind() {
    let s = setup("hl-f-lookup", [1003]).await;
    s.fake.script("POST /api/v10/channels/1003/messages", Act::CutBody);
    assert_eq!(s.tick(at()).await.retrying, 1);
    assert_eq!(s.fake.created_messages().len(), 1, "the cut answer's message was made");
    tokio::time::sleep(StdDuration::from_millis(400)).await; // past the nonce window
    s.fake.script("GET /api/v10/channels/1003/messages", Act::Status(503, Body::Text));
    let second = s.tick(at() + Duration::seconds(40)).await;
    assert_eq!((second.posted, second.retrying), (0, 1), "{second:?}");
    assert_eq!(s.creates(1003), 1, "no create while the look-up could not tell");
    // The next retry (1 min after that failure) can look, and finds it.
    assert_eq!(s.tick(at() + Duration::seconds(70)).await.posted, 0, "the backoff holds");
    let third = s.tick(at() + Duration::seconds(110)).await;
    assert_eq!(third.posted, 1, "{third:?}");
    assert_eq!(s.creates(1003), 1);
    s.assert_one_post(1003).await;
}

/// Defect 4: one stalled create held up every other channel's post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_channel_delays_only_itself() {
    let channels: Vec<u64> = (1100..1130).collect();
    let s = setup("hl-f-stall", channels.clone()).await;
    // The first create of the tick stalls for 30 s; five more answer after 2 s.
    s.fake.script("POST /api/v10/channels/", Act::Stall(StdDuration::from_secs(30)));
    for _ in 0..5 {
        s.fake.script("POST /api/v10/channels/", Act::Stall(StdDuration::from_secs(2)));
    }
    let started = Instant::now();
    let report = s.tick(at()).await;
    let took = started.elapsed();
    assert_eq!((report.posted, report.retrying), (24, 6), "{report:?}");
    // One at a time, six calls past their deadline would take 6 × 0.7 s.
    assert!(took < DEADLINE * 4, "the tick took {took:?}: a stalled call held it up");
    let fast: Vec<StdDuration> = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.at.duration_since(started))
        .collect();
    assert_eq!(fast.len(), 30);
    assert!(
        fast.iter().all(|t| *t < StdDuration::from_millis(1500)),
        "every channel's create went out at once: {fast:?}"
    );
}

/// Defect 5: retries ignored their backoff (the lease retook the slot every 60 s) and the
/// schedule was not the documented 30 s, 1 min, 2 min, 4 min.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_the_documented_backoff_from_the_failure() {
    let s = setup("hl-f-backoff", [1004]).await;
    for _ in 0..4 {
        s.fake.script("POST /api/v10/channels/1004/messages", Act::Status(503, Body::Text));
    }
    let mut attempts = Vec::new();
    let mut now = at();
    while now < at() + Duration::minutes(10) {
        let before = s.creates(1004);
        s.tick(now).await;
        if s.creates(1004) > before {
            attempts.push((now - at()).num_seconds());
        }
        now += Duration::seconds(5);
    }
    // Failures at 0, 30, 90, 210 s; the retry after each is the first 5-second tick after
    // 30 s, 60 s, 120 s, 240 s (the failure time is a few ms after its tick).
    assert_eq!(attempts, [0, 35, 100, 225, 470], "the create attempts, in seconds");
    s.assert_one_post(1004).await;
}

/// Defect 5: a route 429's `retry_after` (75 s) is obeyed by the scheduler, beyond the backoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_429_is_retried_no_sooner_than_its_retry_after() {
    let mut s = setup("hl-f-429", [1005]).await;
    s.fake
        .script("POST /api/v10/channels/1005/messages", Act::RateLimit { retry_after: 75.0, global: false });
    assert_eq!(s.tick(at()).await.retrying, 1);
    for secs in [30, 60, 70, 75] {
        assert_eq!(
            s.tick(at() + Duration::seconds(secs)).await,
            TickReport { held: 1, ..Default::default() },
            "{secs} s"
        );
    }
    // The clock here is simulated; the rate limiter's is real and would still hold the
    // channel's bucket for 74 s: the retry goes through a fresh client (a restarted process
    // would have one), so this checks that the store's retry time alone held the slot.
    s.runner.poster = poster(&s.fake);
    assert_eq!(s.tick(at() + Duration::seconds(80)).await.posted, 1);
    assert_eq!(s.creates(1005), 2);
    s.assert_one_post(1005).await;
}

/// Defect 5: after a global 429 nothing is sent until its `retry_after` has passed; short ones
/// are waited out inside the call. And the process's own limit keeps to Discord's 50/s, which
/// the fake enforces with global 429s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_429_stops_every_channel_and_the_global_limit_is_kept() {
    let channels: Vec<u64> = (2000..2120).collect();
    let s = setup("hl-f-global", channels.clone()).await;
    s.fake.enforce_global_limit(50);
    s.fake.script_rule("POST /api/v10/channels/", Act::RateLimit { retry_after: 1.0, global: true }, 20, 1);
    let report = s.tick(at()).await;
    assert_eq!(report.posted, channels.len(), "{report:?}");
    let requests = s.fake.requests();
    let posts: Vec<Instant> = requests.iter().filter(|r| r.method == "POST").map(|r| r.at).collect();
    let limited = s.fake.acted()[0].0;
    let inside: Vec<StdDuration> = posts
        .iter()
        .filter(|t| {
            **t > limited + StdDuration::from_millis(50) && **t < limited + StdDuration::from_millis(990)
        })
        .map(|t| t.duration_since(limited))
        .collect();
    assert!(inside.is_empty(), "requests inside the global retry_after: {inside:?}");
    assert_eq!(s.fake.global_429s(), 0, "the process kept to the limit on its own");
    assert!(s.fake.max_per_second("/channels/") <= 50, "{} per second", s.fake.max_per_second("/channels/"));
    for c in channels {
        s.assert_one_post(c).await;
    }
}

/// Defect 6: a failure names the HTTP status and Discord's error code, not a JSON decode error,
/// whatever the body (JSON, an HTML 502, a text 503).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_name_the_status_and_discords_code() {
    let fake = FakeDiscord::start().await;
    let poster = poster(&fake);
    let body = json!({ "content": "x" });
    for (act, expect) in [
        (Act::Status(502, Body::Html), "HTTP 502: <html>"),
        (Act::Status(503, Body::Text), "HTTP 503: upstream connect error"),
        (Act::Status(500, Body::Json), "HTTP 500, Discord error code 0: injected failure"),
        (Act::Reset, "connection failed"),
        (Act::Unanswered, "no answer within"),
        (Act::CutBody, "connection failed"),
        // Last: the channel's bucket then waits 30 s.
        (
            Act::RateLimit { retry_after: 30.0, global: false },
            "HTTP 429: You are being rate limited. (retry after 30.000 s)",
        ),
    ] {
        fake.script("POST /api/v10/channels/7/messages", act);
        let e = poster.post(7, &body).await.unwrap_err();
        let text = format!("{e:?}");
        assert!(text.contains(expect), "{text}");
    }
    assert!(
        !TickReport { held: 3, ..Default::default() }.eventful(),
        "a tick that only saw held slots is quiet"
    );
}

/// The fake itself pages as Discord does, so the look-up's tests mean something.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_pages_and_forgets_nonces_as_discord_does() {
    let fake = FakeDiscord::start().await;
    fake.add_member_messages(5, 250, StdDuration::from_secs(3600));
    let ids: Vec<u64> = fake.channel_messages(5).iter().map(|m| m.id).collect();
    let http = reqwest::Client::new();
    let base = fake.api_base();
    let get = |q: String| {
        let (http, url) = (http.clone(), format!("{base}/api/v10/channels/5/messages?{q}"));
        async move {
            let bytes = http.get(url).send().await.unwrap().bytes().await.unwrap();
            let list: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
            list.iter().map(|m| m["id"].as_str().unwrap().parse::<u64>().unwrap()).collect::<Vec<u64>>()
        }
    };
    let newest = get("limit=100".into()).await;
    assert_eq!(newest, ids[150..].iter().rev().copied().collect::<Vec<_>>(), "the newest 100, newest first");
    let before = get(format!("limit=100&before={}", ids[150])).await;
    assert_eq!(before, ids[50..150].iter().rev().copied().collect::<Vec<_>>());
    let after = get(format!("limit=100&after={}", ids[10])).await;
    assert_eq!(
        after,
        ids[11..111].iter().rev().copied().collect::<Vec<_>>(),
        "the 100 right after, newest first"
    );
    // The nonce: the same message within the window, a new one after it.
    fake.set_nonce_window(StdDuration::from_millis(200));
    let create = json!({ "content": "x", "nonce": "n1", "enforce_nonce": true }).to_string();
    let url = format!("{base}/api/v10/channels/6/messages");
    let post = || {
        let (http, url, create) = (http.clone(), url.clone(), create.clone());
        async move {
            let r =
                http.post(url).header("content-type", "application/json").body(create).send().await.unwrap();
            let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
            v["id"].as_str().unwrap().to_string()
        }
    };
    let (a, b) = (post().await, post().await);
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let c = post().await;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

/// Every fault at once, the first create meeting a global 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_at_once_is_retried_to_one_post_each() {
    let channels: Vec<u64> = (3001..3011).collect();
    let s = setup("hl-f-mixed", channels.clone()).await;
    s.fake.enforce_global_limit(50);
    let acts = Act::one_of_each(StdDuration::from_secs(10), StdDuration::from_secs(120));
    for (c, act) in channels.iter().zip(acts) {
        s.fake.script(&format!("POST /api/v10/channels/{c}/messages"), act);
    }
    let first = tokio::time::timeout(StdDuration::from_secs(8), s.tick(at())).await.expect("the tick ends");
    assert_eq!(first.posted + first.retrying, channels.len(), "{first:?}");
    let second = s.tick(at() + Duration::seconds(40)).await;
    assert_eq!(first.posted + second.posted, channels.len(), "{first:?} {second:?}");
    for c in channels {
        s.assert_one_post(c).await;
    }
}

/// Ticks overlap in a running bot (one every 30 s, a slow channel may take longer): a tick
/// leaves the slots another is working on alone (the runner's busy set), even once the first
/// tick has outlasted its claim's lease (the second comes 61 s later on the simulated clock, so
/// the store would hand the slot out again), and neither waits on the other. The ticks run on a
/// runtime and thread of their own, so that a deadlock between them fails this test by its
/// timeout instead of hanging it.
///
/// Seen failing (2026-12-06) with each guard taken out: without the busy set, the second tick
/// takes the stalled slot over and posts it again (3 creates); with the busy guard built under
/// the set's lock again (as before 0b70edc), the second tick deadlocks (the timeout fires).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_ticks_leave_each_others_slots_alone() {
    let s = Arc::new(setup("hl-f-overlap", [4001, 4002]).await);
    s.fake.script("POST /api/v10/channels/4001/messages", Act::Stall(StdDuration::from_secs(5)));
    let (done, reports) = tokio::sync::oneshot::channel();
    let ticks = s.clone();
    std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let _ = done.send(runtime.block_on(async {
            tokio::join!(ticks.runner.tick(at()), async {
                tokio::time::sleep(StdDuration::from_millis(200)).await;
                ticks.runner.tick(at() + Duration::seconds(61)).await
            })
        }));
    });
    let (a, b) = tokio::time::timeout(StdDuration::from_secs(5), reports)
        .await
        .expect("neither tick waits on the other")
        .unwrap();
    assert_eq!(a.posted + b.posted, 1, "{a:?} {b:?}");
    assert_eq!(s.creates(4001) + s.creates(4002), 2, "each slot posted by one tick only");
}
