//! The plain scan that whole-process search is measured against (docs/measurements.md):
//! `cargo run --release --example plain_scan -- DIR < queries.txt`.
//!
//! Loads a content folder as `marquee search --content DIR` does (the same loader and
//! validation), then answers each line of standard input by fuzzy-matcher's SkimMatcherV2 over
//! every item's title, best ten first, printed as a JSON array of ids: no index, no decision.
//! `benches/search.rs` times the same scan per query; this times it as a whole process.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use marquee::catalog::Catalog;
use std::io::{BufRead, Write};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: plain_scan DIR < queries.txt");
        std::process::exit(2);
    };
    let catalog = match Catalog::load_dir(std::path::Path::new(&dir)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(1);
        }
    };
    let titles: Vec<String> = catalog.items.iter().map(|i| i.title.to_lowercase()).collect();
    let matcher = SkimMatcherV2::default();
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let query = line.expect("standard input is text").to_lowercase();
        let mut best: Vec<(i64, usize)> = titles
            .iter()
            .enumerate()
            .filter_map(|(i, t)| matcher.fuzzy_match(t, &query).map(|s| (s, i)))
            .collect();
        best.sort_unstable_by(|a, b| b.cmp(a));
        best.truncate(10);
        let ids: Vec<&str> = best.iter().map(|&(_, i)| catalog.items[i].id.as_str()).collect();
        // A reader that stopped reading (`| head`) ends the scan.
        if writeln!(out, "{}", serde_json::to_string(&ids).expect("ids serialise")).is_err() {
            break;
        }
    }
}
