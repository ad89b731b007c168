//! Daily highlights with real bot processes, on a SQLite file and on PostgreSQL: killed between
//! claim and record, two at once on one database, and a sharded deployment (two processes, each
//! with its own shard range, one PostgreSQL database). The scheduler ticks fast here (test-only
//! timing variables).

use crate::support::{payloads, TempDir, TestDb};
use chrono::{Duration, Timelike, Utc};
use marquee_testkit::fake_discord::{FakeDiscord, Fault, TOKEN};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

fn spawn_bot(fake: &FakeDiscord, db: &TestDb, cwd: &TempDir, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("run")
        .args(args)
        .current_dir(&cwd.0)
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("MARQUEE_DISCORD_API", fake.api_base())
        .env("DATABASE_URL", db.url())
        .env("MARQUEE_TEST_TICK_MS", "200")
        .env("MARQUEE_TEST_LEASE_SECONDS", "1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn kill(child: &mut Child, signal: &str) {
    let _ = Command::new("kill").args(["-s", signal, &child.id().to_string()]).status();
    let _ = child.wait();
}

/// Subscribes `channels` (of `guild`) with a post time two minutes ago (UTC): due at once.
fn subscribe_due(db: &TestDb, guild: u64, channels: &[u64]) {
    let store = db.open();
    let now = Utc::now();
    let at = (now - Duration::minutes(2)).time().with_second(0).unwrap().with_nanosecond(0).unwrap();
    for &c in channels {
        store.subscribe(guild, c, at, "UTC", now - Duration::minutes(30)).unwrap();
    }
}

async fn wait_posted(db: &TestDb, n: usize) {
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    let store = db.open();
    loop {
        let posted = store.slots().unwrap().iter().filter(|s| s.state == "posted").count();
        if posted >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{}: only {posted} of {n} slots posted: {:?}",
            db.name(),
            store.slots()
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_claim_and_record_then_restarted_posts_exactly_once() {
    for db in TestDb::all("hl-kill") {
        let fake = FakeDiscord::start().await;
        let dir = TempDir::new("hl-kill");
        subscribe_due(&db, 77, &[901]);
        // Discord accepts the create but answers slowly; the bot is killed before the answer.
        fake.fault(Fault {
            path_part: "/channels/901/messages".into(),
            status: 0,
            delay: StdDuration::from_secs(2),
        });
        let mut a = spawn_bot(&fake, &db, &dir, &[]);
        fake.wait_request("/channels/901/messages", 0).await;
        kill(&mut a, "KILL");
        tokio::time::sleep(StdDuration::from_millis(2500)).await;
        assert_eq!(fake.created_messages().len(), 1, "Discord created the message");
        let slot = db.open().slots().unwrap();
        assert_eq!(slot[0].state, "claimed", "the kill came between claim and record");

        let posts_before = fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/channels/901/messages"))
            .count();
        let mut b = spawn_bot(&fake, &db, &dir, &[]);
        wait_posted(&db, 1).await;
        kill(&mut b, "TERM");
        let posts_after = fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/channels/901/messages"))
            .count();
        assert_eq!(fake.created_messages().len(), 1, "{}: exactly one message", db.name());
        assert_eq!(posts_after, posts_before, "the restarted bot found the message instead of posting again");
        let slot = db.open().slots().unwrap();
        assert_eq!(slot[0].message_id, Some(fake.created_messages()[0].id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bot_processes_on_one_database_post_each_slot_once() {
    for db in TestDb::all("hl-two-procs") {
        let fake = FakeDiscord::start().await;
        let dir = TempDir::new("hl-two-procs");
        let channels = [911, 912, 913, 914];
        subscribe_due(&db, 77, &channels);
        let mut a = spawn_bot(&fake, &db, &dir, &[]);
        let mut b = spawn_bot(&fake, &db, &dir, &[]);
        wait_posted(&db, channels.len()).await;
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        kill(&mut a, "TERM");
        kill(&mut b, "TERM");
        for c in channels {
            let posts = fake
                .requests()
                .iter()
                .filter(|r| r.method == "POST" && r.path.ends_with(&format!("/channels/{c}/messages")))
                .count();
            assert_eq!(posts, 1, "{}: channel {c} got {posts} create requests", db.name());
        }
        assert_eq!(fake.created_messages().len(), channels.len());
    }
}

/// A large bot's deployment in miniature: two processes, shards 0-0 and 1-1 of 2, one
/// PostgreSQL database. Each runs its own shard; only shard 0's process registers commands;
/// each answers the interactions of its shard; highlights are posted once across both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shard_processes_on_one_postgres_database() {
    let Some(pg) = marquee_testkit::pg::database("shards") else { return };
    let db = TestDb::Postgres(pg);
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("shards");
    // Servers on either shard ((guild_id >> 22) % 2), with highlights due now.
    subscribe_due(&db, 2 << 22, &[921, 922]);
    subscribe_due(&db, 3 << 22, &[931, 932]);
    let mut a = spawn_bot(&fake, &db, &dir, &["--shards", "0-0", "--total-shards", "2"]);
    let mut b = spawn_bot(&fake, &db, &dir, &["--shards", "1-1", "--total-shards", "2"]);
    fake.wait_for("both shards identified", StdDuration::from_secs(20), |f| {
        (f.identified_shards().len() >= 2).then_some(())
    })
    .await;
    let mut shards = fake.identified_shards();
    shards.sort();
    assert_eq!(shards, [[0, 2], [1, 2]], "each process identified as its own shard of 2");

    // Each shard's process answers what Discord sends it.
    let callbacks = |id: u64| {
        let path = format!("/interactions/{id}/");
        move |f: &FakeDiscord| f.requests().iter().any(|r| r.path.contains(&path)).then_some(())
    };
    fake.dispatch_to_shard(
        0,
        "INTERACTION_CREATE",
        payloads::command(9100, "search", &[("query", json!("crown"))]),
    );
    fake.dispatch_to_shard(
        1,
        "INTERACTION_CREATE",
        payloads::command(9101, "search", &[("query", json!("crown"))]),
    );
    fake.wait_for("shard 0 answered", StdDuration::from_secs(10), callbacks(9100)).await;
    fake.wait_for("shard 1 answered", StdDuration::from_secs(10), callbacks(9101)).await;

    wait_posted(&db, 4).await;
    tokio::time::sleep(StdDuration::from_millis(600)).await;
    kill(&mut a, "TERM");
    kill(&mut b, "TERM");
    assert_eq!(a.wait().unwrap().code(), Some(0));
    assert_eq!(b.wait().unwrap().code(), Some(0));
    let registrations =
        fake.requests().iter().filter(|r| r.method == "PUT" && r.path.ends_with("/commands")).count();
    assert_eq!(registrations, 1, "only the process running shard 0 registers the commands");
    for c in [921, 922, 931, 932] {
        let posts = fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(&format!("/channels/{c}/messages")))
            .count();
        assert_eq!(posts, 1, "channel {c} got {posts} create requests");
    }
}

/// One row of the scenario table: posts expected, seen (the bot's plain messages with the
/// slot's content), duplicates, missing.
struct Row {
    name: &'static str,
    expected: usize,
    seen: usize,
    duplicates: usize,
    missing: usize,
}

fn count(fake: &FakeDiscord, name: &'static str, channels: &[u64]) -> Row {
    let mut row = Row { name, expected: channels.len(), seen: 0, duplicates: 0, missing: 0 };
    for &c in channels {
        let posts = fake
            .channel_messages(c)
            .iter()
            .filter(|m| m.author == marquee_testkit::fake_discord::BOT_ID && m.kind == 0 && m.created)
            .count();
        row.seen += posts;
        row.duplicates += posts.saturating_sub(1);
        row.missing += usize::from(posts == 0);
    }
    row
}

fn spawn_fast(fake: &FakeDiscord, db: &TestDb, cwd: &TempDir) -> Child {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("run")
        .current_dir(&cwd.0)
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("MARQUEE_DISCORD_API", fake.api_base())
        .env("DATABASE_URL", db.url())
        .env("MARQUEE_TEST_TICK_MS", "200")
        .env("MARQUEE_TEST_LEASE_SECONDS", "1")
        .env("MARQUEE_TEST_BACKOFF_MS", "300")
        .env("MARQUEE_TEST_REST_DEADLINE_MS", "1000")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // Kept beside the database: what a failing scenario's bot said.
        .stderr(std::fs::File::create(cwd.0.join("bot.log")).unwrap())
        .spawn()
        .unwrap()
}

/// The scenarios with real processes, `kill -9` at chosen moments and an outage longer
/// than Discord's nonce window (1 s here): each subscribed channel gets exactly one post. Prints
/// the table (posts expected / seen / duplicates / missing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_with_faults_kills_and_outages_post_each_day_exactly_once() {
    use marquee_testkit::fake_discord::{Act, Body};
    let mut rows = Vec::new();

    // 1. A busy channel; the create is made but never answered; killed; members go on talking
    // (250 messages, more than two pages); the restart comes after the nonce window.
    {
        let db = TestDb::sqlite("hl-sc-busy");
        let (fake, dir) = (FakeDiscord::start().await, TempDir::new("hl-sc-busy"));
        fake.set_nonce_window(StdDuration::from_secs(1));
        let channels = [951];
        subscribe_due(&db, 77, &channels);
        fake.add_member_messages(951, 150, StdDuration::from_secs(6 * 3600));
        fake.script("POST /api/v10/channels/951/messages", Act::Unanswered);
        let mut a = spawn_fast(&fake, &db, &dir);
        fake.wait_request("/channels/951/messages", 0).await;
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        kill(&mut a, "KILL");
        fake.add_member_messages(951, 250, StdDuration::from_millis(10));
        tokio::time::sleep(StdDuration::from_millis(1500)).await;
        let mut b = spawn_fast(&fake, &db, &dir);
        wait_posted(&db, 1).await;
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        kill(&mut b, "TERM");
        rows.push(count(
            &fake,
            "busy channel, create unanswered, kill -9, 1.5 s outage > nonce window",
            &channels,
        ));
    }

    // 2. A member's public `/highlight` answer (a real interaction) in the channel; the first
    // two creates fail (500, 502 HTML); killed after the second; the restart must not take the
    // answer for the post.
    {
        let db = TestDb::sqlite("hl-sc-answer");
        let (fake, dir) = (FakeDiscord::start().await, TempDir::new("hl-sc-answer"));
        fake.set_nonce_window(StdDuration::from_secs(1));
        let channel = marquee_testkit::fake_discord::CHANNEL_ID;
        subscribe_due(&db, marquee_testkit::fake_discord::GUILD_ID, &[channel]);
        let create = format!("POST /api/v10/channels/{channel}/messages");
        fake.script(&create, Act::Status(500, Body::Json));
        fake.script(&create, Act::Status(502, Body::Html));
        let mut a = spawn_fast(&fake, &db, &dir);
        fake.wait_ready().await;
        fake.dispatch("INTERACTION_CREATE", payloads::command(9300, "highlight", &[]));
        fake.wait_request("/interactions/9300/", 0).await;
        fake.wait_for("the second create", StdDuration::from_secs(10), |f| {
            (f.requests()
                .iter()
                .filter(|r| r.method == "POST" && r.path.ends_with(&format!("/{channel}/messages")))
                .count()
                >= 2)
                .then_some(())
        })
        .await;
        kill(&mut a, "KILL");
        assert!(fake.channel_messages(channel).iter().any(|m| m.kind == 20), "the answer is in the channel");
        let mut b = spawn_fast(&fake, &db, &dir);
        wait_posted(&db, 1).await;
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        kill(&mut b, "TERM");
        rows.push(count(
            &fake,
            "public /highlight answer in the channel, 500 + 502 HTML, kill -9",
            &[channel],
        ));
    }

    // 3. Every fault at once across ten channels, a kill -9 in the middle, a restart after the
    // nonce window.
    {
        let db = TestDb::sqlite("hl-sc-mixed");
        let (fake, dir) = (FakeDiscord::start().await, TempDir::new("hl-sc-mixed"));
        fake.set_nonce_window(StdDuration::from_secs(1));
        fake.enforce_global_limit(50);
        let channels: Vec<u64> = (961..971).collect();
        subscribe_due(&db, 77, &channels);
        let acts = [
            Act::RateLimit { retry_after: 2.0, global: false },
            Act::RateLimit { retry_after: 0.5, global: true },
            Act::Status(500, Body::Json),
            Act::Status(502, Body::Html),
            Act::Status(503, Body::Text),
            Act::Reset,
            Act::CutBody,
            Act::Unanswered,
            Act::Stall(StdDuration::from_secs(120)),
            Act::Stall(StdDuration::from_secs(10)),
        ];
        for (c, act) in channels.iter().zip(acts) {
            fake.script(&format!("POST /api/v10/channels/{c}/messages"), act);
        }
        let mut a = spawn_fast(&fake, &db, &dir);
        fake.wait_for("every channel's first create", StdDuration::from_secs(10), |f| {
            (f.requests().iter().filter(|r| r.method == "POST").count() >= channels.len()).then_some(())
        })
        .await;
        tokio::time::sleep(StdDuration::from_millis(300)).await;
        kill(&mut a, "KILL");
        tokio::time::sleep(StdDuration::from_millis(1500)).await;
        let mut b = spawn_fast(&fake, &db, &dir);
        wait_posted(&db, channels.len()).await;
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        kill(&mut b, "TERM");
        rows.push(count(
            &fake,
            "10 channels: 429 route/global, 500, 502, 503, reset, cut, unanswered, stalls; kill -9",
            &channels,
        ));
    }

    // 4. Thirty channels, one create stalled 120 s, six answered after 10 s: the others are
    // posted at once, the slow ones after their deadline and retry.
    {
        let db = TestDb::sqlite("hl-sc-stall");
        let (fake, dir) = (FakeDiscord::start().await, TempDir::new("hl-sc-stall"));
        let channels: Vec<u64> = (1001..1031).collect();
        subscribe_due(&db, 77, &channels);
        fake.script("POST /api/v10/channels/", Act::Stall(StdDuration::from_secs(120)));
        for _ in 0..6 {
            fake.script("POST /api/v10/channels/", Act::Stall(StdDuration::from_secs(10)));
        }
        let started = std::time::Instant::now();
        let mut a = spawn_fast(&fake, &db, &dir);
        wait_posted(&db, channels.len() - 7).await;
        let others = started.elapsed();
        wait_posted(&db, channels.len()).await;
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        kill(&mut a, "TERM");
        println!("stall scenario: the 23 unaffected channels were posted {others:?} after the start");
        rows.push(count(&fake, "30 channels, one 120 s stall, six 10 s answers", &channels));
    }

    println!("| scenario | posts expected | seen | duplicates | missing |\n|---|---|---|---|---|");
    for r in &rows {
        println!("| {} | {} | {} | {} | {} |", r.name, r.expected, r.seen, r.duplicates, r.missing);
    }
    for r in &rows {
        assert_eq!((r.duplicates, r.missing), (0, 0), "{}", r.name);
    }
}
