//! Daily highlights end to end: the real scheduler, a real SQLite file, posts through serenity's
//! HTTP client to the fake Discord, and an injected clock — no sleeping through real days.

use crate::support::{TempDir, TestDb};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use marquee::discord::poster::HttpPoster;
use marquee::discord::rest::Rest;
use marquee::highlights::recognise::PostMarks;
use marquee::highlights::runner::{PostError, Poster, Runner, TickReport};
use marquee::highlights::schedule;
use marquee::search::Engine;
use marquee::store::sqlite::SqliteStore;
use marquee::store::{Database, SlotState, Store};
use marquee_testkit::fake_discord::{FakeDiscord, Fault, BOT_ID, TOKEN};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

fn engine() -> Arc<Engine> {
    Arc::new(Engine::new(crate::support::bundled()))
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn http_poster(fake: &FakeDiscord) -> Arc<dyn Poster> {
    let rest = Rest::new(TOKEN, Some(&fake.api_base()), Default::default());
    Arc::new(HttpPoster { rest: Arc::new(rest), me: BOT_ID })
}

fn runner(store: Arc<dyn Store>, poster: Arc<dyn Poster>, owner: &str) -> Runner {
    let engine = Arc::new(marquee::search::SharedEngine::new(engine()));
    Runner::new(store, engine, poster, owner.into(), Duration::hours(6), Duration::seconds(60))
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// Channel id → the item ids posted there, in order, read from the posted embeds.
fn posted_titles(fake: &FakeDiscord) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for r in fake.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/messages")) {
        let channel = r.path.split('/').nth(4).unwrap().to_string();
        let nonce = r.body["nonce"].as_str().unwrap().to_string();
        if seen.insert(nonce) {
            out.entry(channel).or_default().push(r.body["embeds"][0]["title"].as_str().unwrap().to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_post_per_local_day_across_midnight_and_daylight_saving_in_two_timezones() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("hl-dst");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.0.join("m.db")).unwrap());
    let database = Database::Sqlite(dir.0.join("m.db"));
    let start = utc("2026-03-05T00:00:00Z");
    // New York jumps 02:00 → 03:00 on March 8; Paris on March 29. 02:30 does not exist there.
    let ny = store.subscribe(1, 101, time(2, 30), "America/New_York", start).await.unwrap();
    let paris = store.subscribe(2, 202, time(0, 5), "Europe/Paris", start).await.unwrap();
    let r = runner(store.clone(), http_poster(&fake), "a");
    let step = Duration::minutes(10);
    let end = utc("2026-04-06T00:00:00Z");
    let mut now = start;
    let mut posted_at: HashMap<(u64, NaiveDate), DateTime<Utc>> = HashMap::new();
    while now < end {
        let before = fake.created_messages().len();
        let report = r.tick(now).await;
        assert_eq!(report.errors, 0);
        if fake.created_messages().len() > before {
            for s in database.slots().await.unwrap().into_iter().filter(|s| s.state == SlotState::Posted) {
                posted_at.entry((s.subscription_id as u64, s.date)).or_insert(now);
            }
        }
        now += step;
    }
    let slots = database.slots().await.unwrap();
    for (sub, tz) in [(&ny, chrono_tz::America::New_York), (&paris, chrono_tz::Europe::Paris)] {
        let days: Vec<NaiveDate> =
            slots.iter().filter(|s| s.subscription_id == sub.id).map(|s| s.date).collect();
        assert!(slots.iter().filter(|s| s.subscription_id == sub.id).all(|s| s.state == SlotState::Posted));
        // Every local day from the first to the last, once each, no gaps.
        let first = start.with_timezone(&tz).date_naive();
        let last = (end - Duration::minutes(1)).with_timezone(&tz).date_naive();
        let expected: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(|d| {
                schedule::scheduled(*d, sub.time, tz) >= start && schedule::scheduled(*d, sub.time, tz) < end
            })
            .collect();
        assert_eq!(days, expected, "subscription {}", sub.timezone);
        // Each post came within one tick of its scheduled instant (DST included).
        for d in &days {
            let at = schedule::scheduled(*d, sub.time, tz);
            let when = posted_at[&(sub.id as u64, *d)];
            assert!(when >= at && when - at < step, "{} {d}: scheduled {at}, posted {when}", sub.timezone);
        }
    }
    // The spring-forward day in New York: 02:30 does not exist; posted at 03:00 local (07:00Z).
    let gap_day = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
    assert_eq!(posted_at[&(ny.id as u64, gap_day)], utc("2026-03-08T07:00:00Z"));

    // One message per slot reached Discord, and no item repeats within a rotation.
    let messages = fake.created_messages();
    assert_eq!(messages.len(), slots.len());
    for (channel, titles) in posted_titles(&fake) {
        let n = engine().items().len();
        for cycle in titles.chunks(n) {
            let unique: HashSet<&String> = cycle.iter().collect();
            assert_eq!(unique.len(), cycle.len(), "a repeat before the catalog was exhausted in {channel}");
        }
    }
    // The header and the pick match `/highlight` and the offline preview for that day.
    let first = fake.requests().into_iter().find(|r| r.path.ends_with("/messages")).unwrap();
    assert!(first.body["content"].as_str().unwrap().starts_with("**Today's highlight**"));
    assert_eq!(first.body["enforce_nonce"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_claim_and_post_is_recovered_with_exactly_one_message() {
    for db in TestDb::all("hl-crash") {
        let fake = FakeDiscord::start().await;
        let created = utc("2026-06-01T00:00:00Z");
        let at = utc("2026-06-01T09:00:00Z");
        let date = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();

        for (case, posted_before_crash) in [(0u64, false), (1, true)] {
            let store: Arc<dyn Store> = db.open().await;
            let sub = store.subscribe(10 + case, 300 + case, time(9, 0), "UTC", created).await.unwrap();
            // Process A claims the slot, maybe gets its message to Discord, then dies before
            // recording it.
            let claim = store.claim(sub.id, date, "process-a", at, Duration::seconds(60)).await.unwrap();
            assert_eq!(claim, marquee::store::Claim::Mine { attempt: 1 });
            if posted_before_crash {
                let rotation = store.rotation(sub.guild_id, date).await.unwrap();
                let reply =
                    marquee::highlights::today_reply(&engine(), &rotation, date, marquee::locale::Lang::En)
                        .unwrap();
                let mut body = marquee::reply::message_body(&reply);
                body["nonce"] = Value::String(marquee::highlights::runner::nonce(sub.id, date));
                body["enforce_nonce"] = Value::Bool(true);
                http_poster(&fake).post(sub.channel_id, &body).await.unwrap();
            }
            drop(store);

            // Process B starts on the same database file.
            let store: Arc<dyn Store> = db.open().await;
            let b = runner(store.clone(), http_poster(&fake), "process-b");
            assert_eq!(b.tick(at + Duration::seconds(30)).await.held, 1, "A's claim is still leased");
            let report = b.tick(at + Duration::seconds(90)).await;
            assert_eq!(report.posted, 1, "{report:?}");
            assert_eq!(b.tick(at + Duration::minutes(10)).await, TickReport::default());
            let channel = sub.channel_id.to_string();
            let n = fake.created_messages().iter().filter(|m| m.channel == channel).count();
            assert_eq!(
                n,
                1,
                "{}: exactly one message (posted before the crash: {posted_before_crash})",
                db.name()
            );
            let slot = db.slots().await.into_iter().find(|s| s.subscription_id == sub.id).unwrap();
            assert_eq!(slot.state, SlotState::Posted);
            assert!(slot.message_id.is_some());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_access_pauses_and_server_errors_are_retried_with_backoff() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("hl-faults");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.0.join("m.db")).unwrap());
    let created = utc("2026-06-01T00:00:00Z");
    let forbidden = store.subscribe(1, 401, time(9, 0), "UTC", created).await.unwrap();
    let flaky = store.subscribe(2, 402, time(9, 0), "UTC", created).await.unwrap();
    fake.fault(Fault {
        path_part: "/channels/401/messages".into(),
        status: 403,
        delay: std::time::Duration::ZERO,
    });
    fake.fault(Fault {
        path_part: "/channels/402/messages".into(),
        status: 500,
        delay: std::time::Duration::ZERO,
    });
    let r = runner(store.clone(), http_poster(&fake), "a");
    let at = utc("2026-06-01T09:00:00Z");

    let report = r.tick(at).await;
    assert_eq!((report.paused, report.retrying, report.posted), (1, 1, 0), "{report:?}");
    let subs = store.subscriptions(None).await.unwrap();
    let paused = subs.iter().find(|s| s.id == forbidden.id).unwrap();
    assert!(paused.paused.as_deref().unwrap().contains("403"), "{paused:?}");

    // Before the backoff: nothing; after it: posted. The paused channel is never tried again.
    assert_eq!(r.tick(at + Duration::seconds(30)).await.posted, 0);
    assert_eq!(r.tick(at + Duration::minutes(2)).await.posted, 1);
    for day in 1..4 {
        r.tick(at + Duration::days(day)).await;
    }
    let to_401 = fake.requests().iter().filter(|r| r.path.contains("/channels/401/messages")).count();
    assert_eq!(to_401, 1, "a paused subscription is not retried");
    let posts_402 =
        fake.created_messages().iter().filter(|m| m.channel == flaky.channel_id.to_string()).count();
    assert_eq!(posts_402, 4);

    // /highlights list shows the state.
    let list = marquee::highlights::commands::respond(
        store.as_ref(),
        &engine(),
        &marquee::highlights::commands::HighlightRequest::List { guild_id: 1 },
        at,
        marquee::locale::Lang::En,
    )
    .await;
    let body = marquee::reply::callback_body(&list);
    assert!(body["data"]["content"].as_str().unwrap().contains("paused: the bot lost access"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_post_once_per_slot() {
    for db in TestDb::all("hl-two") {
        let fake = FakeDiscord::start().await;
        let (a_store, b_store) = (db.open().await, db.open().await);
        let start = utc("2026-01-01T00:00:00Z");
        for i in 0..5u64 {
            a_store
                .subscribe(
                    i,
                    500 + i,
                    time(8, 0),
                    ["UTC", "Asia/Tokyo", "America/Los_Angeles"][i as usize % 3],
                    start,
                )
                .await
                .unwrap();
        }
        let a = runner(a_store, http_poster(&fake), "a");
        let b = runner(b_store.clone(), http_poster(&fake), "b");
        let mut now = start;
        while now < start + Duration::days(10) {
            let (ra, rb) = tokio::join!(a.tick(now), b.tick(now));
            assert_eq!(ra.errors + rb.errors, 0);
            now += Duration::minutes(20);
        }
        let slots = db.slots().await;
        assert!(slots.iter().all(|s| s.state == SlotState::Posted));
        let mut per_slot: HashMap<(String, Option<String>), usize> = HashMap::new();
        for m in fake.created_messages() {
            *per_slot.entry((m.channel, m.nonce)).or_default() += 1;
        }
        assert!(per_slot.values().all(|&n| n == 1));
        assert_eq!(per_slot.len(), slots.len());
        // Every post request was distinct: the claim, not Discord's nonce, prevented doubles.
        let posts = fake.requests().iter().filter(|r| r.path.ends_with("/messages")).count();
        assert_eq!(posts, slots.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_delays_posts_without_losing_anything() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("hl-locked");
    let path = dir.0.join("m.db");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    store.subscribe(1, 601, time(9, 0), "UTC", utc("2026-06-01T00:00:00Z")).await.unwrap();
    let r = runner(store.clone(), http_poster(&fake), "a");
    // Another process holds the write lock.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let report = r.tick(utc("2026-06-01T09:00:00Z")).await;
    assert!(report.errors >= 1 && report.posted == 0, "{report:?}");
    blocker.execute_batch("COMMIT").unwrap();
    drop(blocker);
    let report = r.tick(utc("2026-06-01T09:10:00Z")).await;
    assert_eq!(report.posted, 1, "{report:?}");
    assert_eq!(store.subscriptions(None).await.unwrap().len(), 1);
}

#[test]
fn a_corrupt_database_is_a_clear_error_and_is_left_untouched() {
    let dir = TempDir::new("hl-corrupt");
    let path = dir.write("marquee.db", &"this is not a database\n".repeat(200));
    let before = std::fs::read(&path).unwrap();
    let Err(e) = SqliteStore::open(&path) else { panic!("a corrupt file was opened") };
    let message = e.to_string();
    assert!(message.starts_with(&format!("database {}:", path.display())), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file was changed");

    // The bot refuses to start with it: one clear line, exit 1, nothing retried in a loop.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("run")
        .current_dir(&dir.0)
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("DATABASE_URL", &path)
        .env("MARQUEE_DISCORD_API", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("database") && err.contains("marquee.db"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn highlights_preview_prints_the_coming_picks_offline() {
    let dir = TempDir::new("hl-preview");
    let db = dir.0.join("m.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
            .args(args)
            .env("DATABASE_URL", &db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let first: Value =
        serde_json::from_str(&run(&["highlights", "preview", "--guild", "42", "--days", "30", "--json"]))
            .unwrap();
    let again: Value =
        serde_json::from_str(&run(&["highlights", "preview", "--guild", "42", "--days", "30", "--json"]))
            .unwrap();
    assert_eq!(first, again, "the rotation is stored: the same picks every time");
    let picks = first.as_array().unwrap();
    assert_eq!(picks.len(), 30);
    let first_25: HashSet<&str> = picks[..25].iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(first_25.len(), 25, "no repeats until the catalog is exhausted");
    let today = Utc::now().date_naive().format("%Y-%m-%d").to_string();
    assert_eq!(picks[0]["date"], today.as_str());
    let other: Value =
        serde_json::from_str(&run(&["highlights", "preview", "--guild", "43", "--json"])).unwrap();
    assert_ne!(other.as_array().unwrap()[..7], picks[..7], "each server has its own order");
}

/// Discord as the simulation sees it, on the simulated clock: a create with a nonce seen in
/// the last few minutes returns the earlier message (`enforce_nonce`); after that it would
/// create a second one — a duplicate, which the scheduler must avoid on its own.
#[derive(Default)]
struct SimDiscord {
    now: Mutex<DateTime<Utc>>,
    messages: Mutex<Vec<SimMessage>>,
    requests: Mutex<usize>,
}

const NONCE_WINDOW_MINUTES: i64 = 5;

#[derive(Clone)]
struct SimMessage {
    channel: u64,
    nonce: String,
    content: String,
    at: DateTime<Utc>,
    id: u64,
}

#[serenity::async_trait]
impl Poster for SimDiscord {
    async fn post(&self, channel_id: u64, body: &Value) -> Result<u64, PostError> {
        *self.requests.lock().unwrap() += 1;
        let now = *self.now.lock().unwrap();
        let nonce = body["nonce"].as_str().unwrap().to_string();
        let mut m = self.messages.lock().unwrap();
        if let Some(existing) = m.iter().find(|x| {
            x.channel == channel_id
                && x.nonce == nonce
                && now - x.at <= Duration::minutes(NONCE_WINDOW_MINUTES)
        }) {
            return Ok(existing.id);
        }
        let id = m.len() as u64 + 1;
        let content = body["content"].as_str().unwrap_or("").to_string();
        m.push(SimMessage { channel: channel_id, nonce, content, at: now, id });
        Ok(id)
    }

    async fn find_post(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
        marks: &PostMarks,
    ) -> Result<Option<u64>, PostError> {
        let m = self.messages.lock().unwrap();
        Ok(m.iter()
            .rev()
            .find(|x| x.channel == channel_id && x.at >= since && x.content == marks.content)
            .map(|x| x.id))
    }
}

/// A poster that dies after Discord created the message, before the runner records it.
struct CrashAfterPost(Arc<SimDiscord>);

#[serenity::async_trait]
impl Poster for CrashAfterPost {
    async fn post(&self, channel_id: u64, body: &Value) -> Result<u64, PostError> {
        self.0.post(channel_id, body).await?;
        Err(PostError::retry("process crashed"))
    }

    async fn find_post(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
        marks: &PostMarks,
    ) -> Result<Option<u64>, PostError> {
        self.0.find_post(channel_id, since, marks).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulation_of_a_year_with_crashes() {
    for db in TestDb::all("hl-sim") {
        simulate_a_year(&db).await;
    }
}

async fn simulate_a_year(db: &TestDb) {
    let discord = Arc::new(SimDiscord::default());
    let start = utc("2026-01-01T00:00:00Z");
    let days = 365;
    let zones = [
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Asia/Tokyo",
        "Australia/Sydney",
        "America/Los_Angeles",
        "Asia/Kolkata",
    ];
    let store: Arc<dyn Store> = db.open().await;
    let mut subs = Vec::new();
    for i in 0..50u64 {
        let t = time((i * 7 % 24) as u32, (i * 13 % 60) as u32);
        subs.push(
            store.subscribe(i % 20, 1000 + i, t, zones[i as usize % zones.len()], start).await.unwrap(),
        );
    }
    drop(store);

    // The bot runs with a tick every 15 minutes; now and then it crashes (at a random point of
    // a tick, possibly between claim and record) and stays down for 0 to 10 hours.
    let mut rng = marquee::synthetic::Rng::new(2026);
    let step = Duration::minutes(15);
    let end = start + Duration::days(days);
    // Every instant a healthy tick ran: a slot may be missed only if none ran in its window.
    let mut ticks: Vec<DateTime<Utc>> = Vec::new();
    let mut now = start;
    let mut crashes = 0;
    let mut generation = 0;
    while now < end {
        generation += 1;
        let store: Arc<dyn Store> = db.open().await;
        let healthy = runner(store.clone(), discord.clone(), &format!("gen{generation}"));
        let crashing =
            runner(store.clone(), Arc::new(CrashAfterPost(discord.clone())), &format!("gen{generation}"));
        loop {
            if now >= end {
                break;
            }
            // About one crash every 4 days.
            *discord.now.lock().unwrap() = now;
            if rng.below(384) == 0 {
                crashes += 1;
                if rng.below(2) == 0 {
                    crashing.tick(now).await;
                }
                let outage = Duration::minutes(rng.below(600) as i64);
                now += outage + step;
                break;
            }
            healthy.tick(now).await;
            ticks.push(now);
            now += step;
        }
    }
    let store = db.open().await;
    let slots = db.slots().await;
    let mut expected = 0;
    let mut missed_in_window = 0;
    let mut missed = 0;
    for sub in &subs {
        let tz = schedule::parse_timezone(&sub.timezone).unwrap();
        let mut d = start.with_timezone(&tz).date_naive();
        loop {
            let at = schedule::scheduled(d, sub.time, tz);
            if at >= end - Duration::hours(6) {
                break;
            }
            if at >= start {
                expected += 1;
                let slot = slots.iter().find(|s| s.subscription_id == sub.id && s.date == d);
                if slot.is_none_or(|s| s.state != SlotState::Posted) {
                    missed += 1;
                    // A miss is allowed only if the bot did not run during the whole window.
                    let window_end = at + Duration::hours(6);
                    let i = ticks.partition_point(|t| *t < at);
                    if ticks.get(i).is_some_and(|t| *t < window_end) {
                        missed_in_window += 1;
                        println!("missed while running: subscription {} {d} at {at}", sub.id);
                    }
                }
            }
            d = d.succ_opt().unwrap();
        }
    }
    let messages = discord.messages.lock().unwrap().clone();
    let unique: HashSet<(u64, &String)> = messages.iter().map(|m| (m.channel, &m.nonce)).collect();
    let made = unique.len();
    let duplicated = messages.len() - unique.len();

    // Repeats before exhaustion: per server, its picks in date order, in cycles of the catalog.
    let engine = engine();
    let n = engine.items().len();
    let mut repeats = 0;
    let mut guilds: BTreeMap<u64, Vec<NaiveDate>> = BTreeMap::new();
    for s in slots.iter().filter(|s| s.state == SlotState::Posted) {
        let sub = subs.iter().find(|x| x.id == s.subscription_id).unwrap();
        guilds.entry(sub.guild_id).or_default().push(s.date);
    }
    for (guild, mut dates) in guilds {
        dates.sort();
        dates.dedup();
        let rotation = store.rotation(guild, start.date_naive()).await.unwrap();
        let epoch = rotation.epoch;
        let mut by_cycle: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for d in dates {
            let cycle = (d - epoch).num_days().div_euclid(n as i64);
            by_cycle
                .entry(cycle)
                .or_default()
                .push(marquee::highlights::pick(&engine, &rotation, d).unwrap().id.clone());
        }
        for picks in by_cycle.values() {
            repeats += picks.len() - picks.iter().collect::<HashSet<_>>().len();
        }
    }
    println!(
        "simulation ({}): {days} days x {} subscriptions in {} timezones, {crashes} crashes: posts expected {expected}, \
         made {made}, duplicated {duplicated}, missed {missed} (inside the catch-up window: {missed_in_window}; \
         of the missed, made by an attempt that crashed before recording it: {}), repeats before exhaustion \
         {repeats}, post requests {}",
        db.name(),
        subs.len(),
        zones.len(),
        (made + missed).saturating_sub(expected),
        discord.requests.lock().unwrap()
    );
    assert_eq!(duplicated, 0);
    assert_eq!(repeats, 0);
    assert_eq!(missed_in_window, 0, "a slot was missed while the bot was up within its window");
    // A message of a crashed attempt whose slot then ran out of window counts as made, not missed.
    assert!(
        made + missed >= expected && made <= expected,
        "made {made} + missed {missed} vs expected {expected}"
    );
    let _ = Utc.timestamp_opt(0, 0);
}

/// A daily post is written in the language of its server (kept from `guild_locale` when the
/// channel was subscribed): header and date, field names, button prefixes; English without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_posts_speak_their_servers_language() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("hl-locale");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.0.join("m.db")).unwrap());
    let created = utc("2026-11-26T00:00:00Z");
    let servers = [(1, Some("de"), "**Highlight des Tages** · Freitag, 27. November 2026", "Art")];
    let servers = servers.into_iter().chain([
        (2, Some("ja"), "**今日のハイライト** · 2026年11月27日（金曜日）", "種類"),
        (3, Some("es-419"), "**Destacado del día** · viernes, 27 de noviembre de 2026", "Tipo"),
        (4, None, "**Today's highlight** · Friday 27 November 2026", "Kind"),
    ]);
    let mut expected = HashMap::new();
    for (guild, locale, header, field) in servers {
        store.subscribe_with_locale(guild, 800 + guild, time(9, 0), "UTC", locale, created).await.unwrap();
        expected.insert((800 + guild).to_string(), (header, field));
    }
    let report = runner(store, http_poster(&fake), "a").tick(utc("2026-11-27T09:00:30Z")).await;
    assert_eq!(report.posted, 4, "{report:?}");
    for message in fake.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/messages")) {
        let channel = message.path.split('/').nth(4).unwrap();
        let (header, field) = expected[channel];
        assert_eq!(message.body["content"], header);
        assert_eq!(message.body["embeds"][0]["fields"][0]["name"], field);
    }
}
