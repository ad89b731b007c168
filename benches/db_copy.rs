//! `marquee db copy` on a year of a large bot's history: `cargo bench --bench db_copy -- --bench`.
//!
//! A SQLite file with 10 000 subscriptions across 5 000 servers (two channels each), their
//! 5 000 rotations and a year of slots: one per subscription and day, 365 × 10 000 = 3 650 000
//! (posted, with a message id; one in a hundred skipped, with a reason). Copied by the real
//! binary into a fresh PostgreSQL database (MARQUEE_TEST_POSTGRES; without it: `skipped: …`)
//! and from there into a new SQLite file; wall time and peak RSS of each run, by /usr/bin/time.

#[allow(dead_code)]
use marquee_testkit::pg;

use chrono::{Duration, NaiveDate};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const SERVERS: i64 = 5_000;
const CHANNELS_PER_SERVER: i64 = 2;
const DAYS: i64 = 365;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(db) = pg::database("bench-copy") else { return };
    let dir = std::env::temp_dir().join(format!("marquee-bench-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("source.db");
    let started = Instant::now();
    generate(&source);
    let size = std::fs::metadata(&source).unwrap().len();
    println!(
        "generated {} in {:.1} s ({:.0} MB)",
        source.display(),
        started.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
    let back = dir.join("back.db");
    timed("SQLite → PostgreSQL", &source.display().to_string(), &db.url);
    timed("PostgreSQL → SQLite", &db.url, &back.display().to_string());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The schema as Marquee creates it, then the rows in one transaction.
fn generate(path: &Path) {
    drop(marquee::store::sqlite::SqliteStore::open(path).unwrap());
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    let created = 1_767_225_600; // 2026-01-01
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    {
        let mut sub = tx
            .prepare(
                "INSERT INTO subscriptions (id, guild_id, channel_id, time, timezone, created_at, locale)
                 VALUES (?1, ?2, ?3, '09:00', 'Europe/Paris', ?4, ?5)",
            )
            .unwrap();
        let mut rotation =
            tx.prepare("INSERT INTO rotations (guild_id, seed, epoch) VALUES (?1, ?2, ?3)").unwrap();
        let mut slot = tx
            .prepare(
                "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, attempts, message_id, reason)
                 VALUES (?1, ?2, ?3, 'host:1234', ?4, 1, ?5, ?6)",
            )
            .unwrap();
        let days: Vec<String> =
            (0..DAYS).map(|d| (first + Duration::days(d)).format("%Y-%m-%d").to_string()).collect();
        let mut id = 0;
        for server in 1..=SERVERS {
            let guild = 100_000_000_000_000_000 + server;
            rotation.execute(rusqlite::params![guild, server * 7_919, "2025-01-01"]).unwrap();
            for channel in 0..CHANNELS_PER_SERVER {
                id += 1;
                let locale = if id % 3 == 0 { Some("de") } else { None };
                sub.execute(rusqlite::params![id, guild, guild * 10 + channel, created, locale]).unwrap();
                for (d, day) in days.iter().enumerate() {
                    let skipped = (id + d as i64) % 100 == 0;
                    let (state, message, reason) = if skipped {
                        ("skipped", None, Some("missed beyond the catch-up window"))
                    } else {
                        ("posted", Some(900_000_000_000_000_000 + id * 1_000 + d as i64), None)
                    };
                    let claimed = created + d as i64 * 86_400;
                    slot.execute(rusqlite::params![id, day, state, claimed, message, reason]).unwrap();
                }
            }
        }
    }
    tx.commit().unwrap();
}

fn timed(label: &str, from: &str, to: &str) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e s elapsed, %M KB peak RSS"])
        .arg(env!("CARGO_BIN_EXE_marquee"))
        .args(["db", "copy", "--from", from, "--to", to])
        .output()
        .expect("/usr/bin/time runs (apt-get install time)");
    let said = String::from_utf8_lossy(&out.stdout);
    let measured = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{label}: {measured}");
    println!("{label}: {} — {}", measured.trim(), said.trim());
}
