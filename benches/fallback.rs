//! The sentence model's fallback (src/search/fallback.rs): what it costs. `cargo bench --bench
//! fallback`, with MARQUEE_SENTENCE_MODEL naming all-MiniLM-L6-v2's folder (without it: skipped).
//!
//! Loading the model (time, resident memory, peak), the bundled catalog's story vectors, and
//! every query of the labelled sets but the holdouts timed alone on one thread, by an engine
//! with the model and one without: the fallback runs only for the unsure few, so the median
//! barely moves while the slowest percent carry one sentence-model reading each.

use marquee::catalog::Catalog;
use marquee::search::{Engine, SearchOptions};
use marquee::semantic::SentenceModel;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A field of /proc/self/status, in KiB (`VmRSS:`, `VmHWM:`).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// Every query of tests/*.toml and tests/queries-unseen/*.toml but the holdout-* sets.
fn queries() -> Vec<String> {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["tests", "tests/queries-unseen"] {
        for entry in std::fs::read_dir(dir).expect("run from the crate root").flatten() {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".toml") && !name.starts_with("holdout-") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let cases: toml::Table = toml::from_str(&text).unwrap();
        for case in cases.get("case").and_then(|c| c.as_array()).into_iter().flatten() {
            if let Some(q) = case.get("query").and_then(|q| q.as_str()) {
                out.push(q.to_string());
            }
        }
    }
    out
}

fn at(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}

fn timed(engine: &Engine, queries: &[String]) -> Vec<Duration> {
    let options = SearchOptions::limit(10);
    queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            black_box(engine.search(black_box(q), &options));
            t.elapsed()
        })
        .collect()
}

fn main() {
    let Some(dir) = std::env::var_os("MARQUEE_SENTENCE_MODEL") else {
        println!("skipped: MARQUEE_SENTENCE_MODEL is unset");
        return;
    };
    let before = status_kib("VmRSS:");
    let t = Instant::now();
    let model = Arc::new(SentenceModel::load(std::path::Path::new(&dir)).expect("the model loads"));
    let load = t.elapsed();
    let (rss, peak) = (status_kib("VmRSS:") - before, status_kib("VmHWM:") - before);
    let lexical = Engine::new(Catalog::bundled().unwrap());
    let engine = Engine::new(Catalog::bundled().unwrap());
    let t = Instant::now();
    assert!(engine.use_sentence_model(model));
    engine.wait_for_sentence_model();
    let stories = t.elapsed();
    let queries = queries();
    // Warm both (allocator, caches), then time each query alone.
    timed(&lexical, &queries[..50]);
    timed(&engine, &queries[..50]);
    let (mut without, mut with) = (timed(&lexical, &queries), timed(&engine, &queries));
    // The queries the model read: the ones it made slower by more than a few milliseconds.
    let mut read: Vec<Duration> = with
        .iter()
        .zip(&without)
        .filter(|(w, l)| **w > **l + Duration::from_millis(5))
        .map(|(w, _)| *w)
        .collect();
    read.sort();
    without.sort();
    with.sort();
    println!(
        "model load {:.2} s, resident +{:.0} MiB (peak while loading +{:.0} MiB); {} story vectors {:.1} s",
        load.as_secs_f64(),
        rss as f64 / 1024.0,
        peak as f64 / 1024.0,
        engine.items().len(),
        stories.as_secs_f64()
    );
    println!("| {} queries, one thread | median ms | p90 ms | p99 ms | max ms |", queries.len());
    println!("|---|---:|---:|---:|---:|");
    for (name, t) in [("words alone", &without), ("with the fallback", &with)] {
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |",
            at(t, 0.5),
            at(t, 0.9),
            at(t, 0.99),
            at(t, 1.0)
        );
    }
    if !read.is_empty() {
        println!(
            "| the {} queries ({:.1} %) the model read | {:.3} | {:.3} | {:.3} | {:.3} |",
            read.len(),
            100.0 * read.len() as f64 / queries.len() as f64,
            at(&read, 0.5),
            at(&read, 0.9),
            at(&read, 0.99),
            at(&read, 1.0)
        );
    }
}
