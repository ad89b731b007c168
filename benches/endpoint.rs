//! Load on the HTTP interactions endpoint over loopback: `cargo bench --bench endpoint`.
//!
//! The server runs on one thread (a current-thread runtime: one core); a client on the other
//! core sends 12 000 pre-signed requests (half /search with dev-set queries, half autocomplete)
//! over 8 keep-alive connections and times each one.

use marquee_testkit::http_client;
use marquee_testkit::payloads;

use http_client::{key, signed, Client, PUBLIC, SECRET};
use marquee::endpoint::{verifier, Endpoint};
use marquee::search::Engine;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REQUESTS: usize = 12_000;
const CONNECTIONS: usize = 8;

/// A request's signature headers and body.
type Signed = (Vec<(&'static str, String)>, Vec<u8>);

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let catalog = marquee::catalog::Catalog::bundled().unwrap();
            let engine = Arc::new(marquee::search::SharedEngine::new(Arc::new(Engine::new(catalog))));
            let dir = std::env::temp_dir().join(format!("marquee-bench-endpoint-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let store = marquee::store::Database::Sqlite(dir.join("marquee.db")).open().await.unwrap();
            // No REST calls happen in this bench: nothing here is deferred.
            let access = Arc::new(marquee::discord::access::HttpAccess::new(0));
            let router = Arc::new(marquee::router::Router::new(engine, store, access));
            let rest = Arc::new(marquee::discord::rest::Rest::new("", None, Default::default()));
            let endpoint = Arc::new(Endpoint::new(verifier(PUBLIC).unwrap(), router, rest));
            marquee::endpoint::serve(listener, endpoint, std::future::pending()).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();

    let queries: Vec<String> = include_str!("../tests/queries-dev.toml")
        .lines()
        .filter_map(|l| l.strip_prefix("query = "))
        .map(|q| q.trim_matches('"').to_string())
        .collect();
    let k = key(SECRET);
    let now = chrono::Utc::now().timestamp();
    let requests: Vec<Signed> = (0..REQUESTS)
        .map(|i| {
            let q = &queries[i % queries.len()];
            let payload = if i % 2 == 0 {
                payloads::command(i as u64 + 1, "search", &[("query", json!(q))])
            } else {
                let cut: String = q.chars().take(1 + i % q.chars().count().max(1)).collect();
                payloads::autocomplete(i as u64 + 1, "search", &cut)
            };
            let body = serde_json::to_vec(&payload).unwrap();
            (signed(&k, now, &body), body)
        })
        .collect();
    let requests = Arc::new(requests);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (elapsed, mut samples) = runtime.block_on(async move {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..CONNECTIONS {
            let requests = requests.clone();
            tasks.push(tokio::spawn(async move {
                let mut client = Client::connect(addr).await;
                let mut samples = Vec::new();
                for (headers, body) in requests.iter().skip(c).step_by(CONNECTIONS) {
                    let t = Instant::now();
                    let (status, _) = client.post("/interactions", headers, body).await;
                    assert_eq!(status, 200);
                    samples.push(t.elapsed());
                }
                samples
            }));
        }
        let mut all: Vec<Duration> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        (started.elapsed(), all)
    });
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "interactions endpoint, server on one core, {REQUESTS} signed requests over {CONNECTIONS} keep-alive connections:\n  \
         {:.0} requests/s, latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        REQUESTS as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
