//! The bot end to end against the fake Discord on 127.0.0.1: `cargo bench --bench discord`.
//!
//! Starts the real `marquee` binary (serenity client) against the fake gateway and REST API,
//! then sends 1000 slash-command interactions and 1000 autocomplete interactions one at a
//! time, timing each from the moment the fake sends INTERACTION_CREATE to the moment it
//! receives the callback. Also reports the bot's resident memory after READY. The database is a
//! temporary SQLite file, or MARQUEE_BENCH_DATABASE_URL.

use marquee_testkit::fake_discord;
use marquee_testkit::payloads;

use fake_discord::{FakeDiscord, TOKEN};
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

const ROUNDS: usize = 1000;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    format!("p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms", at(0.5), at(0.99), at(1.0))
}

fn queries() -> Vec<String> {
    include_str!("../tests/queries-dev.toml")
        .lines()
        .filter_map(|l| l.strip_prefix("query = "))
        .map(|q| q.trim_matches('"').to_string())
        .collect()
}

async fn measure(
    fake: &FakeDiscord,
    first_id: u64,
    payload: impl Fn(u64, usize) -> serde_json::Value,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        let id = first_id + i as u64;
        let before = fake.request_count();
        let sent = fake.dispatch("INTERACTION_CREATE", payload(id, i));
        let r = fake.wait_request(&format!("/interactions/{id}/"), before).await;
        samples.push(r.at.duration_since(sent));
    }
    samples
}

fn main() {
    // `cargo test --benches` runs benches in test mode with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let fake = FakeDiscord::start().await;
        let mut bot = Command::new(env!("CARGO_BIN_EXE_marquee"))
            .arg("run")
            .env_clear()
            .env("DISCORD_TOKEN", TOKEN)
            .env("MARQUEE_DISCORD_API", fake.api_base())
            .env("RUST_LOG", "warn")
            // MARQUEE_BENCH_DATABASE_URL measures the bot on another database (PostgreSQL).
            .env(
                "DATABASE_URL",
                std::env::var_os("MARQUEE_BENCH_DATABASE_URL").unwrap_or_else(|| {
                    std::env::temp_dir().join(format!("marquee-bench-{}.db", std::process::id())).into()
                }),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the marquee binary runs");
        fake.wait_ready().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let ready_rss = rss_kib(bot.id());

        let queries = queries();
        let commands = measure(&fake, 10_000_000, |id, i| {
            payloads::command(id, "search", &[("query", json!(queries[i % queries.len()]))])
        })
        .await;
        let autocomplete = measure(&fake, 20_000_000, |id, i| {
            let q = &queries[i % queries.len()];
            let cut: String = q.chars().take(1 + i % q.chars().count().max(1)).collect();
            payloads::autocomplete(id, "search", &cut)
        })
        .await;
        let after_rss = rss_kib(bot.id());
        let _ = Command::new("kill").args(["-s", "TERM", &bot.id().to_string()]).status();
        let _ = bot.wait();

        println!(
            "marquee bot against the fake Discord on loopback, {ROUNDS} interactions each, one at a time"
        );
        println!("  slash commands (/search, dev-set queries): {}", summary(commands));
        println!("  autocomplete (prefixes of dev-set queries): {}", summary(autocomplete));
        println!(
            "  resident memory after READY: {:.1} MiB; after the run: {:.1} MiB",
            ready_rss as f64 / 1024.0,
            after_rss as f64 / 1024.0
        );
    });
}
