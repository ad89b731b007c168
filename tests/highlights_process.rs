//! Daily highlights with real bot processes: killed between claim and record, and two at once
//! on one database. The scheduler ticks fast here (test-only timing variables).

mod support;

use chrono::{Duration, Timelike, Utc};
use marquee::store::sqlite::SqliteStore;
use marquee::store::Store;
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;
use support::fake_discord::{FakeDiscord, Fault, TOKEN};
use support::TempDir;

fn spawn_bot(fake: &FakeDiscord, db: &std::path::Path, cwd: &TempDir) -> Child {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("run")
        .current_dir(&cwd.0)
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("MARQUEE_DISCORD_API", fake.api_base())
        .env("DATABASE_URL", db)
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

/// Subscribes `channels` with a post time two minutes ago (UTC): due at once.
fn subscribe_due(db: &std::path::Path, channels: &[u64]) {
    let store = SqliteStore::open(db).unwrap();
    let now = Utc::now();
    let at = (now - Duration::minutes(2)).time().with_second(0).unwrap().with_nanosecond(0).unwrap();
    for &c in channels {
        store.subscribe(77, c, at, "UTC", now - Duration::minutes(30)).unwrap();
    }
}

async fn wait_posted(db: &std::path::Path, n: usize) {
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    loop {
        let store = SqliteStore::open(db).unwrap();
        let posted = store.slots().unwrap().iter().filter(|s| s.state == "posted").count();
        if posted >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {posted} of {n} slots posted: {:?}",
            store.slots()
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_claim_and_record_then_restarted_posts_exactly_once() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("hl-kill");
    let db = dir.0.join("marquee.db");
    subscribe_due(&db, &[901]);
    // Discord accepts the create but answers slowly; the bot is killed before the answer.
    fake.fault(Fault {
        path_part: "/channels/901/messages".into(),
        status: 0,
        delay: StdDuration::from_secs(2),
    });
    let mut a = spawn_bot(&fake, &db, &dir);
    fake.wait_request("/channels/901/messages", 0).await;
    kill(&mut a, "KILL");
    tokio::time::sleep(StdDuration::from_millis(2500)).await;
    assert_eq!(fake.created_messages().len(), 1, "Discord created the message");
    let slot = SqliteStore::open(&db).unwrap().slots().unwrap();
    assert_eq!(slot[0].state, "claimed", "the kill came between claim and record");

    let posts_before = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/channels/901/messages"))
        .count();
    let mut b = spawn_bot(&fake, &db, &dir);
    wait_posted(&db, 1).await;
    kill(&mut b, "TERM");
    let posts_after = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/channels/901/messages"))
        .count();
    assert_eq!(fake.created_messages().len(), 1, "exactly one message");
    assert_eq!(posts_after, posts_before, "the restarted bot found the message instead of posting again");
    let slot = SqliteStore::open(&db).unwrap().slots().unwrap();
    assert_eq!(slot[0].message_id, Some(fake.created_messages()[0].id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bot_processes_on_one_database_post_each_slot_once() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("hl-two-procs");
    let db = dir.0.join("marquee.db");
    let channels = [911, 912, 913, 914];
    subscribe_due(&db, &channels);
    let mut a = spawn_bot(&fake, &db, &dir);
    let mut b = spawn_bot(&fake, &db, &dir);
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
        assert_eq!(posts, 1, "channel {c} got {posts} create requests");
    }
    assert_eq!(fake.created_messages().len(), channels.len());
}
