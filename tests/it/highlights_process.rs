//! Daily highlights with real bot processes, on a SQLite file and on PostgreSQL: killed between
//! claim and record, two at once on one database, and a sharded deployment (two processes, each
//! with its own shard range, one PostgreSQL database). The scheduler ticks fast here (test-only
//! timing variables).

use crate::support::{payloads, TempDir, TestDb};
use chrono::{Duration, Timelike, Utc};
use marquee::store::SlotState;
use marquee_testkit::fake_discord::{FakeDiscord, Fault, TOKEN};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

/// `marquee run` against `fake` on `db`, in `cwd`, with a fast scheduler (a tick every 200 ms, a
/// claim's lease 1 s); its log is thrown away.
fn spawn_bot(fake: &FakeDiscord, db: &TestDb, cwd: &TempDir, args: &[&str]) -> Child {
    bot_command(fake, db, cwd).args(args).stderr(Stdio::null()).spawn().unwrap()
}

pub(crate) fn bot_command(fake: &FakeDiscord, db: &TestDb, cwd: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marquee"));
    command
        .arg("run")
        .current_dir(&cwd.0)
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("MARQUEE_DISCORD_API", fake.api_base())
        .env("DATABASE_URL", db.url())
        .env("MARQUEE_TEST_TICK_MS", "200")
        .env("MARQUEE_TEST_LEASE_SECONDS", "1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    command
}

pub(crate) fn kill(child: &mut Child, signal: &str) {
    let _ = Command::new("kill").args(["-s", signal, &child.id().to_string()]).status();
    let _ = child.wait();
}

/// Subscribes `channels` (of `guild`) with a post time two minutes ago (UTC): due at once.
pub(crate) async fn subscribe_due(db: &TestDb, guild: u64, channels: &[u64]) {
    let store = db.open().await;
    let now = Utc::now();
    let at = (now - Duration::minutes(2)).time().with_second(0).unwrap().with_nanosecond(0).unwrap();
    for &c in channels {
        store.subscribe(guild, c, at, "UTC", now - Duration::minutes(30)).await.unwrap();
    }
}

pub(crate) async fn wait_posted(db: &TestDb, n: usize) {
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    loop {
        let posted = db.slots().await.iter().filter(|s| s.state == SlotState::Posted).count();
        if posted >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{}: only {posted} of {n} slots posted: {:?}",
            db.name(),
            db.slots().await
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_claim_and_record_then_restarted_posts_exactly_once() {
    for db in TestDb::all("hl-kill") {
        let fake = FakeDiscord::start().await;
        let dir = TempDir::new("hl-kill");
        subscribe_due(&db, 77, &[901]).await;
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
        let slot = db.slots().await;
        assert_eq!(slot[0].state, SlotState::Claimed, "the kill came between claim and record");

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
        let slot = db.slots().await;
        assert_eq!(slot[0].message_id, Some(fake.created_messages()[0].id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bot_processes_on_one_database_post_each_slot_once() {
    for db in TestDb::all("hl-two-procs") {
        let fake = FakeDiscord::start().await;
        let dir = TempDir::new("hl-two-procs");
        let channels = [911, 912, 913, 914];
        subscribe_due(&db, 77, &channels).await;
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
    subscribe_due(&db, 2 << 22, &[921, 922]).await;
    subscribe_due(&db, 3 << 22, &[931, 932]).await;
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
