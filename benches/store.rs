//! The store under load: `cargo bench --bench store -- --bench`.
//!
//! (a) One store call: `subscriptions(Some(guild))` 1 000 times in a row, each awaited from a
//!     plain thread (`block_on` of the multi-threaded runtime the store was opened on).
//! (b) N concurrent `/highlights list` interactions through the router (what `serve` and the
//!     gateway run for each interaction), on a multi-threaded runtime as `serve` has, for
//!     N = 1, 8 and 32: rounds of N interactions at once; the time of a round and each
//!     interaction's latency.
//!
//! Both on SQLite (a temp file) and on PostgreSQL when MARQUEE_TEST_POSTGRES names a server (a
//! fresh database, dropped afterwards); without it the PostgreSQL part prints `skipped: …`.
//! PostgreSQL twice: directly (a server on the same host), and through a proxy in this bench
//! that delays every packet by 1 ms each way, as a database in another availability zone or a
//! managed service is away (tokio's timer counts whole milliseconds).

use marquee_testkit::fake_discord;
use marquee_testkit::payloads;
#[allow(dead_code)]
use marquee_testkit::pg;

use chrono::{NaiveTime, Utc};
use marquee::router::incoming::Interaction;
use marquee::router::Router;
use marquee::store::{Database, Store};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CALLS: usize = 1_000;
/// Rounds per concurrency level: enough interactions for a p99 at every level.
const ROUNDS: &[(usize, usize)] = &[(1, 400), (8, 100), (32, 40)];
/// Seeded before measuring: 2 000 subscriptions over 1 000 servers, 3 of them in the measured one.
const SERVERS: u64 = 1_000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("marquee-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    run("sqlite", Database::Sqlite(dir.join("marquee.db")));
    if let Some(db) = pg::database("bench-store") {
        run("postgres", Database::Postgres(db.url.clone()));
        let far = delayed(&db.url, Duration::from_millis(1));
        run("postgres, 1 ms away", Database::Postgres(far));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(name: &str, database: Database) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let store = runtime.block_on(database.open()).unwrap_or_else(|e| panic!("{name}: {e}"));
    if runtime.block_on(store.subscriptions(Some(fake_discord::GUILD_ID))).unwrap().is_empty() {
        runtime.block_on(seed(store.as_ref()));
    }

    let mut samples = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        let subs = runtime.block_on(store.subscriptions(Some(fake_discord::GUILD_ID))).unwrap();
        samples.push(t.elapsed());
        assert_eq!(subs.len(), 3);
    }
    println!(
        "{name}: one store call (subscriptions of a server, {CALLS} calls in a row): {}",
        summary(&mut samples)
    );

    let catalog = marquee::catalog::Catalog::bundled().unwrap();
    let engine =
        Arc::new(marquee::search::SharedEngine::new(Arc::new(marquee::search::Engine::new(catalog))));
    let access = Arc::new(marquee::discord::access::HttpAccess::new(0));
    let router = Arc::new(Router::new(engine, store.clone(), access));
    let list = Interaction::from_json(payloads::highlights(1, "list", json!([]), 0)).unwrap();
    for &(n, rounds) in ROUNDS {
        let (mut latencies, mut round_times) = (Vec::new(), Vec::new());
        let started = Instant::now();
        runtime.block_on(async {
            for _ in 0..rounds {
                let round = Instant::now();
                let tasks: Vec<_> = (0..n)
                    .map(|_| {
                        let (router, list) = (router.clone(), list.clone());
                        tokio::spawn(async move {
                            let t = Instant::now();
                            let answer = router.interaction(&list).await;
                            let body = answer.body.to_string();
                            assert!(body.contains(&format!("<#{}>", fake_discord::CHANNEL_ID)), "{body}");
                            t.elapsed()
                        })
                    })
                    .collect();
                for task in tasks {
                    latencies.push(task.await.unwrap());
                }
                round_times.push(round.elapsed());
            }
        });
        let total = started.elapsed();
        round_times.sort();
        println!(
            "{name}: {n} concurrent /highlights list × {rounds} rounds: total {:.1} ms, a round median {:.3} ms; \
             each interaction {}",
            total.as_secs_f64() * 1e3,
            round_times[round_times.len() / 2].as_secs_f64() * 1e3,
            summary(&mut latencies)
        );
    }
    drop(router);
    runtime.shutdown_timeout(Duration::from_secs(5));
}

/// Subscriptions over `SERVERS` servers; the measured server (the payloads' guild) has three.
async fn seed(store: &dyn Store) {
    let now = Utc::now();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    for g in 1..=SERVERS {
        for c in 0..2 {
            store.subscribe(g, g * 10 + c, nine, "Europe/Paris", now).await.unwrap();
        }
    }
    for c in 0..3 {
        store
            .subscribe(fake_discord::GUILD_ID, fake_discord::CHANNEL_ID + c, nine, "UTC", now)
            .await
            .unwrap();
    }
}

fn summary(samples: &mut [Duration]) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    format!("p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms", at(0.5), at(0.99), at(1.0))
}

/// `url` (host:port after the `@`) with its server behind a local proxy that holds every chunk of
/// bytes for `delay` in each direction, keeping their order and not limiting throughput.
fn delayed(url: &str, delay: Duration) -> String {
    let start = url.find('@').expect("user@host in the URL") + 1;
    let end = start + url[start..].find('/').unwrap_or(url.len() - start);
    let upstream = url[start..end].to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                client.set_nodelay(true).unwrap();
                server.set_nodelay(true).unwrap();
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, delay));
                tokio::spawn(pump(server_read, client_write, delay));
            }
        });
    });
    let addr = rx.recv().unwrap();
    format!("{}{addr}{}", &url[..start], &url[end..])
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at + delay).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut buf = vec![0; 64 * 1024];
    while let Ok(n @ 1..) = from.read(&mut buf).await {
        if tx.send((tokio::time::Instant::now(), buf[..n].to_vec())).is_err() {
            break;
        }
    }
}
