//! Search speed and scale: `cargo bench --bench search`.
//!
//! Synthetic catalogs of 100, 10 000 and 100 000 items (plus the 25 real ones, so real queries
//! have answers), typo tolerance on, one thread. Criterion measures the mean over a query mix;
//! each query is also timed alone to report the median and p99 a user sees, next to the
//! fuzzy-matcher baseline of scanning every title (and title + summary). Index build time and
//! resident memory are measured at each size.
//!
//! Worst shapes: queries of 256 characters built to be expensive (one long repeated word, twelve
//! long words, a run of one character, many short words or prefixes, mixed scripts, twelve
//! common words), timed as a whole and as every autocomplete keystroke (each prefix), on the
//! bundled catalog and at 100 000 items. With ../shared present, the same query sets are also
//! timed among 100 000 distractors from ../shared/tools/gen-catalog.py (seed-page words).

use criterion::Criterion;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use marquee::catalog::{Catalog, Item};
use marquee::search::{Engine, SearchOptions};
use marquee::synthetic::{catalog_items, Rng};
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [usize; 3] = [100, 10_000, 100_000];

fn queries_of(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.strip_prefix("query = ")).map(|q| q.trim_matches('"').to_string()).collect()
}

fn dev_queries() -> Vec<String> {
    queries_of(include_str!("../tests/queries-dev.toml"))
}

/// Every query of the dev, extra, chat and holdout sets.
fn all_set_queries() -> Vec<String> {
    let mut q = dev_queries();
    q.extend(queries_of(include_str!("../tests/queries-extra.toml")));
    q.extend(queries_of(include_str!("../tests/queries-chat.toml")));
    q.extend(queries_of(include_str!("../tests/queries-holdout.toml")));
    q
}

/// Inputs far past the 256-character cut, as a member could paste them.
fn huge_inputs() -> Vec<(&'static str, String)> {
    vec![
        (
            "10 000 characters of words",
            "netflix spinnaker kubernetes encoding ".repeat(300).chars().take(10_000).collect(),
        ),
        ("10 000 emoji", "🎬🍿".repeat(5_000)),
        ("'the ' x 2 500", "the ".repeat(2_500)),
        ("10 000 letters, one word", "a".repeat(10_000)),
    ]
}

/// Queries of at most 256 characters shaped to cost the most.
fn worst_shapes() -> Vec<(&'static str, String)> {
    let cut = |s: String| s.chars().take(256).collect::<String>();
    let twelve: Vec<String> = (0..12).map(|i| ('a'..='z').cycle().skip(i * 3).take(20).collect()).collect();
    let short: Vec<String> = (0..64)
        .map(|i: u8| {
            let (a, b) = ((b'a' + i % 26) as char, (b'a' + (i * 5) % 26) as char);
            format!("{a}{b}{a}")
        })
        .collect();
    vec![
        ("one long repeated word", cut("spinnaker".repeat(30))),
        ("twelve long words", cut(twelve.join(" "))),
        ("a run of one character", "a".repeat(256)),
        ("many short words", cut(short.join(" "))),
        ("twelve short prefixes", cut("dat net clo sec per mig con art sto com vid str ".repeat(6))),
        ("mixed unicode", cut("ｖｅｒｎａ ñandú 東京タワー мирвсем ΑΘΗΝΑ ﬁle ü̈̈ 🎬 ".repeat(8))),
        ("twelve common words", cut("netflix aws cloud video streaming security performance migration content artists storage compute ".repeat(3))),
    ]
}

/// (whole query, slowest autocomplete keystroke): each the best of `tries` runs, so a busy
/// machine's pauses do not count as the engine's cost.
fn shape_cost(engine: &Engine, query: &str, tries: usize) -> (Duration, Duration) {
    let options = SearchOptions::limit(25);
    let best = |q: &str| {
        (0..tries)
            .map(|_| {
                let t = Instant::now();
                black_box(engine.search(black_box(q), &options));
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let whole = best(query);
    let keystroke =
        query.char_indices().map(|(i, c)| best(&query[..i + c.len_utf8()])).max().unwrap_or_default();
    (whole, keystroke)
}

use marquee_testkit::distractors;

/// The bundled catalog plus `n` distractors written by ../shared/tools/gen-catalog.py, or `None`
/// without ../shared.
fn seed_word_catalog(n: usize) -> Option<Catalog> {
    match distractors::folder(n, std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))) {
        Ok(Some(dir)) => {
            let mut catalog = Catalog::bundled().expect("bundled catalog");
            catalog.items.extend(Catalog::load_dir(&dir).expect("generated distractors load").items);
            Some(catalog)
        }
        Ok(None) => {
            println!("skipped: seed-word distractors ({} is absent)", distractors::script().display());
            None
        }
        Err(e) => {
            println!("skipped: seed-word distractors ({e})");
            None
        }
    }
}

/// Queries about synthetic items as people type them: two or three title words, some with a
/// typo, some with the last word cut short (autocomplete).
fn synthetic_queries(items: &[Item], n: usize) -> Vec<String> {
    let mut rng = Rng::new(7);
    (0..n)
        .map(|i| {
            let item = &items[rng.below(items.len())];
            let words: Vec<&str> = item.title.split(' ').collect();
            let take = 2 + rng.below(2);
            let start = rng.below(words.len().saturating_sub(take).max(1));
            let mut q: Vec<String> =
                words[start..(start + take).min(words.len())].iter().map(|w| w.to_lowercase()).collect();
            match i % 3 {
                0 => {
                    // Swap two letters of the longest word.
                    if let Some(w) = q.iter_mut().max_by_key(|w| w.len()) {
                        let mut c: Vec<char> = w.chars().collect();
                        if c.len() > 3 {
                            c.swap(1, 2);
                            *w = c.into_iter().collect();
                        }
                    }
                }
                1 => {
                    if let Some(w) = q.last_mut() {
                        let keep = (w.chars().count() / 2).max(2);
                        *w = w.chars().take(keep).collect();
                    }
                }
                _ => {}
            }
            q.join(" ")
        })
        .collect()
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// Each query timed alone, `rounds` times; returns (median, p99).
fn per_query(rounds: usize, queries: &[String], mut run: impl FnMut(&str)) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(rounds * queries.len());
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            run(q);
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

struct Row {
    size: usize,
    median: Duration,
    p99: Duration,
    build: Duration,
    rss_mib: f64,
    titles: (Duration, Duration),
    titles_summaries: (Duration, Duration),
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let real = Catalog::bundled().expect("bundled catalog");
    let mut rows = Vec::new();
    for size in SIZES {
        let mut items = catalog_items(size);
        let mut queries = dev_queries();
        queries.extend(synthetic_queries(&items, 60));
        items.extend(real.items.iter().cloned());

        let before = rss_kib();
        let t = Instant::now();
        let engine = Engine::new(Catalog {
            items: items.clone(),
            synonyms: real.synonyms.clone(),
            related: real.related.clone(),
        });
        let build = t.elapsed();
        let rss_mib = rss_kib().saturating_sub(before) as f64 / 1024.0;

        let options = SearchOptions::limit(10);
        criterion.bench_function(&format!("search/{size}"), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(engine.search(black_box(&queries[i]), &options).hits.len())
            })
        });
        let rounds = if size >= 100_000 { 5 } else { 20 };
        let (median, p99) = per_query(rounds, &queries, |q| {
            black_box(engine.search(q, &options));
        });

        // The baseline the issue compares against: fuzzy-matcher over every title (+ summary).
        let matcher = SkimMatcherV2::default();
        let titles: Vec<String> = items.iter().map(|i| i.title.to_lowercase()).collect();
        let both: Vec<String> =
            items.iter().map(|i| format!("{} {}", i.title, i.summary).to_lowercase()).collect();
        let base_rounds = if size >= 100_000 { 1 } else { 3 };
        let scan = |texts: &[String], q: &str| {
            let mut best: Vec<(i64, usize)> = texts
                .iter()
                .enumerate()
                .filter_map(|(i, t)| matcher.fuzzy_match(t, q).map(|s| (s, i)))
                .collect();
            best.sort_unstable_by(|a, b| b.cmp(a));
            best.truncate(10);
            black_box(best);
        };
        let titles_t = per_query(base_rounds, &queries, |q| scan(&titles, q));
        let both_queries: Vec<String> =
            if size >= 100_000 { queries[..20].to_vec() } else { queries.clone() };
        let titles_summaries = per_query(1, &both_queries, |q| scan(&both, q));
        rows.push(Row { size, median, p99, build, rss_mib, titles: titles_t, titles_summaries });
        drop(engine);
    }

    // Worst shapes, on the bundled catalog and among 100 000 synthetic items.
    let mut shape_rows = Vec::new();
    for (label, engine) in [
        ("bundled", Engine::new(real.clone())),
        ("100 000 + bundled", {
            let mut items = catalog_items(100_000);
            items.extend(real.items.iter().cloned());
            Engine::new(Catalog { items, synonyms: real.synonyms.clone(), related: real.related.clone() })
        }),
    ] {
        for (name, query) in worst_shapes() {
            criterion.bench_function(&format!("worst/{label}/{name}"), |b| {
                b.iter(|| black_box(engine.search(black_box(&query), &SearchOptions::limit(25)).hits.len()))
            });
            let (whole, keystroke) = shape_cost(&engine, &query, 3);
            shape_rows.push((label, name, whole, keystroke));
        }
    }

    // The query sets among seed-word distractors (what a larger real catalog would look like).
    let seed_word = seed_word_catalog(100_000).map(|catalog| {
        // No resident-memory figure here: built after the engines above were freed, this engine
        // reuses the pages the allocator kept, and its growth read as a few MiB. The scaling
        // table's 100 000 row is the engine's size.
        let t = Instant::now();
        let engine = Engine::new(catalog);
        let build = t.elapsed();
        let queries = all_set_queries();
        let options = SearchOptions::limit(10);
        let (median, p99) = per_query(5, &queries, |q| {
            black_box(engine.search(q, &options));
        });
        let worst: Vec<(&str, Duration)> = worst_shapes()
            .into_iter()
            .chain(huge_inputs())
            .map(|(name, q)| {
                let best = (0..3)
                    .map(|_| {
                        let t = Instant::now();
                        black_box(engine.search(black_box(&q), &SearchOptions::limit(25)));
                        t.elapsed()
                    })
                    .min()
                    .unwrap_or_default();
                (name, best)
            })
            .collect();
        (queries.len(), median, p99, worst, build)
    });
    criterion.final_summary();

    println!("\nworst shapes (256 characters; best of 3 runs each): whole query / slowest keystroke, ms");
    println!("| catalog | shape | query ms | slowest keystroke ms |");
    println!("|---|---|---:|---:|");
    for (label, name, whole, keystroke) in shape_rows {
        println!("| {label} | {name} | {} | {} |", ms(whole), ms(keystroke));
    }
    if let Some((n, median, p99, worst, build)) = seed_word {
        println!(
            "\n100 000 seed-word distractors + bundled: index build {:.0} ms",
            build.as_secs_f64() * 1e3
        );
        println!(
            "\n100 000 seed-word distractors + bundled, {n} queries (dev + extra + chat + holdout sets), one thread: median {} ms, p99 {} ms",
            ms(median),
            ms(p99)
        );
        println!("worst inputs among them (best of 3 runs each), ms:");
        for (name, t) in worst {
            println!("| {name} | {} |", ms(t));
        }
    }

    println!(
        "\nper query, one thread, typo tolerance on ({} queries: dev set + synthetic)",
        dev_queries().len() + 60
    );
    println!("| items | median ms | p99 ms | index build ms | RSS growth MiB | fuzzy titles median / p99 ms | fuzzy title+summary median / p99 ms |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.1} | {} / {} | {} / {} |",
            r.size,
            ms(r.median),
            ms(r.p99),
            r.build.as_secs_f64() * 1e3,
            r.rss_mib,
            ms(r.titles.0),
            ms(r.titles.1),
            ms(r.titles_summaries.0),
            ms(r.titles_summaries.1)
        );
    }
}
