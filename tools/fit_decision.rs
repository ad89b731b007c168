//! Fits the search's answer / offer / silence decision on the labelled query sets and writes it to
//! src/search/weights.rs: `cargo run --release --example fit_decision [-- --check]`.
//!
//! Every labelled query is read twice, on the bundled catalog and among `DISTRACTORS` seed-word
//! distractors (when ../shared has the generator), and every ranked candidate of each reading is
//! one row: the decision's features (`marquee::search::FEATURES`) and whether the candidate is a
//! story the query expects. Two L2-regularised logistic regressions (Newton's method on
//! standardised features), one on the rows of candidates in a crowd and one on the rest, give the
//! probability that a candidate is right. The thresholds are then chosen on the same rows: the
//! pair of answer thresholds that answers right most often while keeping wrong stories answered
//! first at most `MAX_WRONG_FIRST` of the on-topic queries and answered off-topic queries at most
//! `MAX_OFF_TOPIC_ANSWERED`, on each catalog apart; the offer threshold the one that offers the right story most often
//! net of offers to off-topic queries. `--explain QUERY…` prints how the decision sees a query
//! (`--large`: among the distractors).
//!
//! The figures written with the weights are 5-fold cross-validated, folds by query: each fold's
//! model and thresholds are fitted on the other four and judged on it alone.
//! Beside them, each set left out in turn: a model fitted on the other sets judges it. That is
//! the closer forecast for a set of a style the fit has not read (paraphrases left out are
//! answered right first about 0.84 of the time, where folds by query say 0.93).
//!
//! Sets: tests/queries-{dev,extra,chat,holdout}.toml and tests/queries-unseen/*.toml except
//! the holdout-*.toml sets, which are not in `SETS` and never read here (they are the sets
//! reported last, never tuned on).
//! `--check` fits and prints without writing. `--bounds B,B…` prints, for each off-topic bound,
//! the figures of each set left out in turn, and writes nothing. `--dump FILE` writes every row
//! as CSV (and beside it `FILE.ids`, each row's item id and query text) for trying models and
//! features outside this tool.

use marquee::catalog::Catalog;
use marquee::search::{term_name, terms, Engine, SearchOptions, FEATURES, TERMS};
use marquee_testkit::distractors;

mod fit_fallback;
use serde::Deserialize;
use std::fmt::Write as _;

const SETS: [&str; 26] = [
    "tests/queries-dev.toml",
    "tests/queries-extra.toml",
    "tests/queries-chat.toml",
    "tests/queries-holdout.toml",
    "tests/queries-unseen/paraphrase.toml",
    "tests/queries-unseen/paraphrase-2.toml",
    "tests/queries-unseen/facts-roles.toml",
    "tests/queries-unseen/facts-roles-2.toml",
    "tests/queries-unseen/nicknames-nonnative.toml",
    "tests/queries-unseen/chat.toml",
    "tests/queries-unseen/languages.toml",
    "tests/queries-unseen/near-topic-negatives.toml",
    "tests/queries-unseen/mixed.toml",
    "tests/queries-unseen/paraphrase-3.toml",
    "tests/queries-unseen/chat-nonnative-2.toml",
    "tests/queries-unseen/paraphrase-4.toml",
    "tests/queries-unseen/chatter-negatives.toml",
    "tests/queries-unseen/paraphrase-5.toml",
    "tests/queries-unseen/paraphrase-6.toml",
    "tests/queries-unseen/paraphrase-7.toml",
    "tests/queries-unseen/facts-roles-3.toml",
    "tests/queries-unseen/paraphrase-8.toml",
    "tests/queries-unseen/facts-roles-4.toml",
    "tests/queries-unseen/troubles.toml",
    "tests/queries-unseen/borrowed-words.toml",
    "tests/queries-unseen/mixed-2.toml",
];
/// Wrong stories answered first, as a share of on-topic queries, that the answer thresholds may
/// allow: the target (3 %). The fitted thresholds land far below it (0.6 % fitted on all, 1.2 %
/// cross-validated), because off-topic answers bind first.
const MAX_WRONG_FIRST: f64 = 0.03;
/// Off-topic queries answered, as a share of off-topic queries, on each catalog: the target is at
/// most 7 %. The fitted thresholds meet the bound on the rows they were fitted on; on sets the fit
/// never saw the share answered comes out higher, so the bound is chosen with each set left out
/// in turn: the largest that keeps those sets' off-topic queries silent at least 0.94 of the time,
/// a point above the target. With 18 sets (2026-12-07, the words asked once and misspelt kind
/// nouns), 4 %, 4.5 %, 5 %, 5.5 % and 6 % answered right first 0.945, 0.947, 0.950, 0.952 and
/// 0.954 with 0.948, 0.946, 0.945, 0.939 and 0.930 silent; 5 % then. With 19 sets (paraphrase-6
/// read, 2026-12-07), 4.5 %, 4.75 %, 5 % and 5.5 % answered right first 0.943, 0.946, 0.948 and
/// 0.950 with 0.945, 0.939, 0.938 and 0.928 silent: 4.5 % it is. (At 8da442a, with fewer and
/// easier negatives, 5 % left only 0.935 silent and 4 % was chosen.) With 21 sets (paraphrase-7
/// and facts-roles-3 read, with harder near-topic negatives) and the `elsewhere` feature
/// (2026-12-07), 4 %, 4.5 % and 5 % answered right first 0.950, 0.951 and 0.952 with 0.940,
/// 0.936 and 0.930 silent: 4 % (with the lexicon as it landed, 0.950 with 0.944 silent). With 23
/// sets (paraphrase-8 and facts-roles-4 read) and the `now` feature as it landed (2026-12-08,
/// `--bounds`), 3 %, 3.5 %, 4 % and 4.5 % answered right first 0.939, 0.945, 0.947 and 0.950 with
/// 0.955, 0.951, 0.947 and 0.938 silent: 4 %. (The 23 sets without `now`, at 4 %: 0.943 with
/// 0.946 silent.) With 24 sets (troubles read, 2026-12-08), 3.5 %, 4 % and 4.5 %: 0.942, 0.945 and
/// 0.948 with 0.949, 0.941 and 0.939 silent: 4 % still. With 26 sets (borrowed-words and mixed-2
/// read, 2026-12-08), 3.5 %, 4 %, 4.5 % and 5 %: 0.937, 0.939, 0.942 and 0.944 with 0.949, 0.944,
/// 0.941 and 0.936 silent: 4.5 %.
const MAX_OFF_TOPIC_ANSWERED: f64 = 0.045;
/// L2 penalty on the standardised weights: keeps the correlated terms from trading huge opposite
/// weights on a few hundred queries. Chosen with each set left out in turn at the 4 % bound (on
/// the average of the two catalogs, 8da442a's features but for the per-catalog bound): 3, 10 and
/// 30 answered right first 0.936, 0.935 and 0.929 with 0.940, 0.945 and 0.943 of off-topic
/// queries silent. With 15 sets (2026-12-07, with the Soundex name parts), 3, 5, 10 and 20
/// answered right first 0.939, 0.942, 0.940 and 0.936 with 0.942, 0.952, 0.949 and 0.945 silent:
/// with more rows, less shrinkage. With 17 sets (5ccc812's engine), 3, 5 and 8 gave 0.953, 0.953
/// and 0.952 with 0.945, 0.944 and 0.945: flat, so 5 stays. With 18 sets (2026-12-07, at the 4 %
/// bound), 3, 5 and 10 gave 0.945 right first each, with 0.946, 0.948 and 0.944 silent: still flat.
const RIDGE: f64 = 5.0;
const FOLDS: usize = 5;
/// Seed-word distractors the queries are also judged among (as `tests/it/search_quality.rs`
/// measures them): the decision must hold in a catalog this large too.
const DISTRACTORS: usize = 100_000;
const D: usize = TERMS;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    query: String,
    expect: Vec<String>,
}

/// One query as the decision sees it: its candidates in rank order.
struct Query {
    text: String,
    /// Which catalog it was judged on.
    catalog: &'static str,
    /// The case this query reads (the same for its reading among distractors): folds by case.
    fold_key: usize,
    /// The set (index in `SETS`) the case comes from.
    set: usize,
    on_topic: bool,
    candidates: Vec<Row>,
}

struct Row {
    id: String,
    x: [f64; D],
    right: bool,
    /// Answered whatever the model says (its name, or every word with one only it holds) ...
    sure: bool,
    /// ... and never answered when not clear of a crowd.
    clear: bool,
    suggestible: bool,
    /// In a crowd of chance matches: judged by the crowded model.
    crowded: bool,
}

#[derive(Clone)]
struct Linear {
    /// Raw-feature weights, then the bias.
    w: [f64; D],
    bias: f64,
}

impl Row {
    /// Whether the decision answers this candidate, at probability `p` and these thresholds:
    /// likely enough (or sure), and clear of any crowd (as `decide::verdict`).
    fn answered(&self, p: f64, answer_at: Answer) -> bool {
        let at = if self.crowded { answer_at.1 } else { answer_at.0 };
        (p >= at || self.sure) && self.clear
    }
}

impl Linear {
    fn p(&self, x: &[f64; D]) -> f64 {
        let z = self.bias + x.iter().zip(&self.w).map(|(a, b)| a * b).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Answer thresholds: (plain model, crowded model).
type Answer = (f64, f64);

/// One logistic model for candidates in a crowd of chance matches, one for the rest (as
/// `decide::probability` chooses).
#[derive(Clone)]
struct Model {
    plain: Linear,
    crowded: Linear,
}

impl Model {
    fn p(&self, r: &Row) -> f64 {
        if r.crowded {
            self.crowded.p(&r.x)
        } else {
            self.plain.p(&r.x)
        }
    }
}

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::new(Catalog::bundled().expect("the bundled catalog is valid"));
    let args: Vec<String> = std::env::args().collect();
    let engine =
        if args.iter().any(|a| a == "--large") { large_engine(root).expect("distractors") } else { engine };
    if let Some(i) = args.iter().position(|a| a == "--explain") {
        // How the decision sees one query: every ranked candidate with its features.
        for query in &args[i + 1..] {
            println!("{query:?}");
            for j in engine
                .judge(query, &SearchOptions::limit(3))
                .iter()
                .take(std::env::var("EXPLAIN_N").ok().and_then(|n| n.parse().ok()).unwrap_or(5))
            {
                let x: Vec<String> =
                    FEATURES.iter().zip(j.features).map(|(n, v)| format!("{n}={v:.2}")).collect();
                println!(
                    "  {:<32} p={:.3} answer={} offer={} crowded={} {}",
                    j.item.id,
                    j.probability,
                    j.answer,
                    j.offer,
                    j.crowded,
                    x.join(" ")
                );
            }
        }
        return;
    }
    // Every query is judged twice: on the bundled catalog, and among `DISTRACTORS` seed-word
    // distractors, where features such as evidence and margin shift; a model fitted on the small
    // catalog alone leaves keyword queries silent at scale. Both readings of a query share a fold.
    let mut engines = vec![("bundled", engine)];
    match large_engine(root) {
        Some(large) => engines.push(("with distractors", large)),
        None => println!(
            "skipped: {} is absent; fitting on the bundled catalog only",
            distractors::script().display()
        ),
    }
    let mut cases = Vec::new();
    let mut set_of_case = Vec::new();
    for (i, set) in SETS.iter().enumerate() {
        let set_cases = read_cases(&root.join(set));
        set_of_case.extend(std::iter::repeat_n(i, set_cases.len()));
        cases.extend(set_cases);
    }
    let mut queries = Vec::new();
    for (catalog, engine) in &engines {
        for (fold_key, case) in cases.iter().enumerate() {
            let judged = engine.judge(&case.query, &SearchOptions::limit(3));
            queries.push(Query {
                text: case.query.clone(),
                fold_key,
                set: set_of_case[fold_key],
                catalog,
                on_topic: !case.expect.is_empty(),
                candidates: judged
                    .iter()
                    .map(|j| Row {
                        id: j.item.id.clone(),
                        x: terms(&j.features).map(f64::from),
                        right: case.expect.contains(&j.item.id),
                        sure: j.sure,
                        clear: j.clear,
                        suggestible: j.suggestible,
                        crowded: j.crowded,
                    })
                    .collect(),
            });
        }
    }
    let rows: usize = queries.iter().map(|q| q.candidates.len()).sum();
    let on = queries.iter().filter(|q| q.on_topic).count();
    println!("{} queries ({on} on-topic), {rows} candidate rows, {D} features", queries.len());
    let ranked_first = queries.iter().filter(|q| q.candidates.first().is_some_and(|r| r.right)).count();
    let ranked_3 = queries.iter().filter(|q| q.candidates.iter().take(3).any(|r| r.right)).count();
    println!(
        "the ranking puts a right story first for {:.3} of on-topic queries, in the top 3 for {:.3}",
        ranked_first as f64 / on as f64,
        ranked_3 as f64 / on as f64
    );

    if args.iter().any(|a| a == "--ranked") {
        // The on-topic queries whose right story the ranking does not put first.
        for q in queries.iter().filter(|q| q.on_topic && !q.candidates.first().is_some_and(|r| r.right)) {
            let at =
                q.candidates.iter().position(|r| r.right).map_or("-".to_string(), |k| (k + 1).to_string());
            println!("  ranked {at}, {}: {:?}", q.catalog, q.text);
        }
    }
    if let Some(i) = args.iter().position(|a| a == "--dump") {
        // Every row as CSV, for trying other models outside this tool (`set`: the index in
        // `SETS`, for leaving each set out in turn there too).
        let mut out = format!(
            "query,fold,set,catalog,on_topic,rank,right,sure,clear,suggestible,crowded,{}\n",
            (0..D).map(term_name).collect::<Vec<_>>().join(",")
        );
        // Beside it, each row's item and query text (tab-separated): features computed outside
        // this tool, such as a sentence model's, are joined to the rows by (query, rank).
        let mut ids = String::new();
        for (qi, q) in queries.iter().enumerate() {
            for (rank, r) in q.candidates.iter().enumerate() {
                let _ = writeln!(ids, "{qi}\t{rank}\t{}\t{}", r.id, q.text.replace(['\t', '\n'], " "));
                let x: Vec<String> = r.x.iter().map(|v| format!("{v}")).collect();
                let b = |v: bool| u8::from(v);
                let _ = writeln!(
                    out,
                    "{qi},{},{},{},{},{rank},{},{},{},{},{},{}",
                    q.fold_key % FOLDS,
                    q.set,
                    q.catalog.len(),
                    b(q.on_topic),
                    b(r.right),
                    b(r.sure),
                    b(r.clear),
                    b(r.suggestible),
                    b(r.crowded),
                    x.join(",")
                );
            }
        }
        std::fs::write(&args[i + 1], out).expect("the dump file is writable");
        std::fs::write(format!("{}.ids", args[i + 1]), ids).expect("the dump file is writable");
    }
    if let Some(i) = args.iter().position(|a| a == "--bounds") {
        // Each set left out in turn at each of several off-topic bounds, one model per set
        // left out: how `MAX_OFF_TOPIC_ANSWERED` is chosen (see its docs).
        let bounds: Vec<f64> =
            args[i + 1].split(',').map(|b| b.parse().expect("--bounds 0.035,0.04")).collect();
        let mut by_bound = vec![Figures::default(); bounds.len()];
        for set in 0..SETS.len() {
            let (train, test) = leave_out(&queries, set);
            let model = fit(&train);
            for (bound, f) in bounds.iter().zip(&mut by_bound) {
                let (answer_at, offer_at) = thresholds(&model, &train, *bound);
                f.add(&figures(&model, &test, answer_at, offer_at));
            }
        }
        for (bound, f) in bounds.iter().zip(&by_bound) {
            println!("bound {:.2} %, each set left out in turn: {}", bound * 100.0, f.line());
        }
        return;
    }
    // Cross-validation: folds by query, interleaved so every set is in every fold. Each fold's
    // model also judges its queries of each catalog apart.
    let mut cv = Figures::default();
    let mut by_catalog = vec![Figures::default(); engines.len()];
    for fold in 0..FOLDS {
        let train: Vec<&Query> = queries.iter().filter(|q| q.fold_key % FOLDS != fold).collect();
        let test: Vec<&Query> = queries.iter().filter(|q| q.fold_key % FOLDS == fold).collect();
        let model = fit(&train);
        let (answer_at, offer_at) = thresholds(&model, &train, MAX_OFF_TOPIC_ANSWERED);
        cv.add(&figures(&model, &test, answer_at, offer_at));
        for ((name, _), part) in engines.iter().zip(&mut by_catalog) {
            let of_catalog: Vec<&Query> = test.iter().copied().filter(|q| q.catalog == *name).collect();
            part.add(&figures(&model, &of_catalog, answer_at, offer_at));
        }
    }
    let all: Vec<&Query> = queries.iter().collect();
    let model = fit(&all);
    let (answer_at, offer_at) = thresholds(&model, &all, MAX_OFF_TOPIC_ANSWERED);
    let fitted = figures(&model, &all, answer_at, offer_at);
    println!("cross-validated ({FOLDS} folds): {}", cv.line());
    for ((name, _), part) in engines.iter().zip(&by_catalog) {
        println!("  of which {name}: {}", part.line());
    }
    // Leave one set out: each set judged by a model and thresholds fitted on the other sets
    // alone. Folds by query let every style of question be seen in training; a set written by
    // people the fit has not met is better foretold by this, and the style a set is written in
    // shows in how far its figure falls.
    let mut by_set = Figures::default();
    // Per query, the probabilities and thresholds of the model that did not see its set: what
    // the decision makes of a set it has not read, for the fallback's fit.
    let mut unseen: Vec<Option<fit_fallback::Judging>> = vec![None; queries.len()];
    for (i, set) in SETS.iter().enumerate() {
        let (train, test) = leave_out(&queries, i);
        let model = fit(&train);
        let (answer_at, offer_at) = thresholds(&model, &train, MAX_OFF_TOPIC_ANSWERED);
        for (k, q) in queries.iter().enumerate().filter(|(_, q)| q.set == i) {
            unseen[k] = Some((q.candidates.iter().map(|r| model.p(r)).collect(), answer_at));
        }
        let f = figures(&model, &test, answer_at, offer_at);
        println!("  {set} left out: {}", f.line());
        by_set.add(&f);
    }
    println!("each set left out in turn:     {}", by_set.line());
    println!("fitted on all:                 {}", fitted.line());
    println!("answer at p >= {:.2} (crowded: {:.2}), offer at p >= {offer_at:.2}", answer_at.0, answer_at.1);
    if args.iter().any(|a| a == "--misses") {
        for q in &queries {
            let answered = q.candidates.iter().find(|r| r.answered(model.p(r), answer_at));
            match (q.on_topic, answered) {
                (false, Some(_)) => println!("  off-topic answered: {:?}", q.text),
                (true, None) => println!("  on-topic silent: {:?}", q.text),
                (true, Some(r)) if !r.right => println!("  wrong first: {:?}", q.text),
                _ => {}
            }
        }
    }
    if args.iter().any(|a| a == "--weights") {
        for (k, (w, c)) in model.plain.w.iter().zip(&model.crowded.w).enumerate() {
            println!("  {:>24} {w:+.4} {c:+.4}", term_name(k));
        }
    }
    println!("  {:>12} {:+.4} {:+.4}", "bias", model.plain.bias, model.crowded.bias);
    // The sentence model's second opinion, behind the decision just fitted.
    let mut shipped = None;
    let fallback = match std::env::var_os("MARQUEE_SENTENCE_MODEL") {
        Some(dir) => {
            let sentences = marquee::semantic::SentenceModel::load(std::path::Path::new(&dir))
                .unwrap_or_else(|e| panic!("MARQUEE_SENTENCE_MODEL: {e}"));
            let bundled = &engines[0].1;
            assert!(bundled.use_sentence_model(std::sync::Arc::new(sentences)));
            bundled.wait_for_sentence_model();
            let fitted = |_: usize, q: &Query| (q.candidates.iter().map(|r| model.p(r)).collect(), answer_at);
            // The fitted sets' queries, but for any a holdout holds too (`fit_fallback::shipped`).
            let held_out = holdout_queries(root);
            let labelled: Vec<(String, Vec<String>, usize)> = cases
                .iter()
                .zip(&set_of_case)
                .filter(|(c, _)| !held_out.contains(&c.query))
                .map(|(c, &set)| (c.query.clone(), c.expect.clone(), set))
                .collect();
            let examples = fit_fallback::examples(bundled, &labelled);
            let mut vectors = std::collections::HashMap::new();
            let seen = fit_fallback::unsure(bundled, &examples, &mut vectors, &queries, fitted);
            let unseen = fit_fallback::unsure(bundled, &examples, &mut vectors, &queries, |k, _| {
                unseen[k].clone().expect("every set left out")
            });
            shipped = Some(fit_fallback::shipped(&examples));
            let readings = queries.iter().filter(|q| q.catalog == "bundled").count();
            let fallback = fit_fallback::fit(&seen, &unseen, answer_at.0, readings);
            for line in &fallback.figures {
                println!("fallback: {line}");
            }
            Some(fallback)
        }
        None => {
            println!("skipped: the sentence model's fallback: MARQUEE_SENTENCE_MODEL is unset");
            None
        }
    };
    if check {
        return;
    }
    let fallback = fallback.expect(
        "writing weights.rs fits the fallback too: set MARQUEE_SENTENCE_MODEL to all-MiniLM-L6-v2's folder (README)",
    );
    let path = root.join("src/search/weights.rs");
    std::fs::write(
        &path,
        source(&model, answer_at, offer_at, &cv, &by_set, &fitted, queries.len(), on, rows)
            + &{
                let mut s = String::new();
                fit_fallback::source(&mut s, &fallback);
                s
            },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("wrote {}", path.display());
    let path = root.join("src/search/examples.bin");
    let shipped = shipped.expect("fitted with the fallback");
    std::fs::write(&path, shipped.to_bytes()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("wrote {} ({} labelled messages)", path.display(), shipped.len());
}

/// Every query of the holdouts (tests/queries-unseen/holdout-*.toml), which the fit never reads.
fn holdout_queries(root: &std::path::Path) -> std::collections::HashSet<String> {
    let dir = root.join("tests/queries-unseen");
    let mut out = std::collections::HashSet::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a readable directory").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("holdout-") && name.ends_with(".toml") {
            out.extend(read_cases(&path).into_iter().map(|c| c.query));
        }
    }
    out
}

/// The cases of one query set; a set that cannot be read or parsed stops the fit, naming it.
fn read_cases(path: &std::path::Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str::<Cases>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())).case
}

/// Both models, each fitted on its own rows.
fn fit(queries: &[&Query]) -> Model {
    let rows =
        |crowded: bool| queries.iter().flat_map(|q| &q.candidates).filter(|r| r.crowded == crowded).collect();
    Model { plain: fit_linear(rows(false)), crowded: fit_linear(rows(true)) }
}

/// The decision's logistic regression (`logistic`, `RIDGE`) on these rows.
fn fit_linear(rows: Vec<&Row>) -> Linear {
    let xs: Vec<&[f64]> = rows.iter().map(|r| &r.x[..]).collect();
    let ys: Vec<bool> = rows.iter().map(|r| r.right).collect();
    let (w, bias) = logistic(&xs, &ys, RIDGE);
    Linear { w: w.try_into().expect("one weight per term"), bias }
}

/// L2-regularised logistic regression (`ridge` on the standardised weights) by Newton's method
/// on standardised features: the raw features' weights and the bias.
fn logistic(xs: &[&[f64]], ys: &[bool], ridge: f64) -> (Vec<f64>, f64) {
    let d = xs.first().map_or(0, |x| x.len());
    let m = d + 1;
    let n = xs.len().max(1) as f64;
    let mut mean = vec![0.0; d];
    let mut sd = vec![0.0; d];
    for x in xs {
        for (mk, v) in mean.iter_mut().zip(x.iter()) {
            *mk += v / n;
        }
    }
    for x in xs {
        for k in 0..d {
            sd[k] += (x[k] - mean[k]).powi(2) / n;
        }
    }
    let sd: Vec<f64> = sd.iter().map(|v| if v.sqrt() > 1e-9 { v.sqrt() } else { 1.0 }).collect();
    let mut v = vec![1.0; m];
    let mut w = vec![0.0; m];
    for _ in 0..50 {
        let mut g = vec![0.0; m];
        // Row-major, m × m.
        let mut h = vec![0.0; m * m];
        for (x, &y) in xs.iter().zip(ys) {
            for k in 0..d {
                v[k + 1] = (x[k] - mean[k]) / sd[k];
            }
            let p = 1.0 / (1.0 + (-v.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()).exp());
            let y = f64::from(u8::from(y));
            let s = p * (1.0 - p);
            for a in 0..m {
                g[a] += (p - y) * v[a];
                let sa = s * v[a];
                for (hb, vb) in h[a * m + a..(a + 1) * m].iter_mut().zip(&v[a..]) {
                    *hb += sa * vb;
                }
            }
        }
        // Only the upper triangle was summed: the Hessian is symmetric.
        for a in 1..m {
            for b in 0..a {
                h[a * m + b] = h[b * m + a];
            }
        }
        for a in 1..m {
            g[a] += ridge * w[a];
            h[a * m + a] += ridge;
        }
        h[0] += 1e-9;
        let step = solve(h, g);
        let mut largest = 0.0f64;
        for a in 0..m {
            w[a] -= step[a];
            largest = largest.max(step[a].abs());
        }
        if largest < 1e-10 {
            break;
        }
    }
    let mut raw = vec![0.0; d];
    let mut bias = w[0];
    for k in 0..d {
        raw[k] = w[k + 1] / sd[k];
        bias -= w[k + 1] * mean[k] / sd[k];
    }
    (raw, bias)
}

/// Solves `a x = b` (`a` row-major, square) by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs())).unwrap_or(col);
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        let d = a[col * n + col];
        if d.abs() < 1e-12 {
            continue;
        }
        let pivot_row: Vec<f64> = a[col * n + col..(col + 1) * n].to_vec();
        for row in col + 1..n {
            let f = a[row * n + col] / d;
            for (x, p) in a[row * n + col..(row + 1) * n].iter_mut().zip(&pivot_row) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = if a[row * n + row].abs() < 1e-12 { 0.0 } else { (b[row] - s) / a[row * n + row] };
    }
    x
}

#[derive(Default, Clone)]
struct Figures {
    on: usize,
    off: usize,
    right_first: usize,
    wrong_first: usize,
    offered_right: usize,
    off_answered: usize,
    off_offered: usize,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.on += o.on;
        self.off += o.off;
        self.right_first += o.right_first;
        self.wrong_first += o.wrong_first;
        self.offered_right += o.offered_right;
        self.off_answered += o.off_answered;
        self.off_offered += o.off_offered;
    }

    fn share(a: usize, b: usize) -> f64 {
        a as f64 / b.max(1) as f64
    }

    fn line(&self) -> String {
        format!(
            "right first {:.3}, wrong first {:.3}, silent but offered right {:.3} (of {} on-topic); off-topic silent {:.3}, offered {:.3} (of {})",
            Self::share(self.right_first, self.on),
            Self::share(self.wrong_first, self.on),
            Self::share(self.offered_right, self.on),
            self.on,
            1.0 - Self::share(self.off_answered, self.off),
            Self::share(self.off_offered, self.off),
            self.off
        )
    }
}

/// The queries of every set but `set` (to fit on), and those of `set` (to judge).
fn leave_out(queries: &[Query], set: usize) -> (Vec<&Query>, Vec<&Query>) {
    queries.iter().partition(|q| q.set != set)
}

/// What the engine's decision does with these queries at these thresholds (as `Engine::search`:
/// the first candidate that may be answered is the answer; with none, the first that may be
/// offered is the first suggestion).
fn figures(model: &Model, queries: &[&Query], answer_at: Answer, offer_at: f64) -> Figures {
    figures_at(queries, &probabilities(model, queries), answer_at, offer_at)
}

/// The model's probability for every candidate of every query.
fn probabilities(model: &Model, queries: &[&Query]) -> Vec<Vec<f64>> {
    queries.iter().map(|q| q.candidates.iter().map(|r| model.p(r)).collect()).collect()
}

/// `figures` with the probabilities computed once (the threshold search tries thousands of pairs).
fn figures_at(queries: &[&Query], probabilities: &[Vec<f64>], answer_at: Answer, offer_at: f64) -> Figures {
    let mut f = Figures::default();
    for (q, ps) in queries.iter().zip(probabilities) {
        let answered = q.candidates.iter().zip(ps).find(|(r, &p)| r.answered(p, answer_at));
        let offered = q.candidates.iter().zip(ps).find(|(r, &p)| r.suggestible && p >= offer_at);
        if q.on_topic {
            f.on += 1;
            match answered {
                Some((r, _)) if r.right => f.right_first += 1,
                Some(_) => f.wrong_first += 1,
                None => f.offered_right += usize::from(offered.is_some_and(|(r, _)| r.right)),
            }
        } else {
            f.off += 1;
            f.off_answered += usize::from(answered.is_some());
            f.off_offered += usize::from(answered.is_none() && offered.is_some());
        }
    }
    f
}

/// The answer thresholds, (plain, crowded): the pair on a grid that answers the right story
/// first most often while keeping wrong-first and off-topic answers within bounds (ties: the
/// higher thresholds). The offer
/// threshold: the one that offers the right story first most often, net of offers to off-topic
/// queries, among those below the plain answer threshold.
fn thresholds(model: &Model, queries: &[&Query], max_off_topic: f64) -> (Answer, f64) {
    let ps = probabilities(model, queries);
    let grid: Vec<f64> = (5..=98).map(|i| f64::from(i) / 100.0).collect();
    // The bounds hold on each catalog the queries were read on, not only on the two together:
    // members meet the bundled catalog, where an average with the distractors' reading would
    // let more chatter through.
    let mut catalogs: Vec<&str> = queries.iter().map(|q| q.catalog).collect();
    catalogs.sort_unstable();
    catalogs.dedup();
    let readings: Vec<(Vec<&Query>, Vec<Vec<f64>>)> = catalogs
        .iter()
        .map(|c| {
            let of = |(q, _): &(&&Query, &Vec<f64>)| q.catalog == *c;
            let (qs, ps): (Vec<&Query>, Vec<Vec<f64>>) =
                queries.iter().zip(&ps).filter(of).map(|(q, p)| (*q, p.clone())).unzip();
            (qs, ps)
        })
        .collect();
    let within = |answer: Answer| {
        readings.iter().all(|(qs, ps)| {
            let f = figures_at(qs, ps, answer, 1.0);
            Figures::share(f.wrong_first, f.on) <= MAX_WRONG_FIRST
                && Figures::share(f.off_answered, f.off) <= max_off_topic
        })
    };
    let answer_at = grid
        .iter()
        .flat_map(|&p| grid.iter().map(move |&c| (p, c)))
        .filter(|&a| within(a))
        .max_by_key(|&a| {
            (figures_at(queries, &ps, a, 1.0).right_first, (a.0 * 100.0) as i64, (a.1 * 100.0) as i64)
        })
        .unwrap_or((0.98, 0.98));
    let plain = answer_at.0;
    let offer_at = grid
        .iter()
        .copied()
        .filter(|&t| t <= plain)
        .max_by_key(|&t| {
            let f = figures_at(queries, &ps, answer_at, t);
            (f.offered_right as i64 - f.off_offered as i64, -((t * 100.0) as i64))
        })
        .unwrap_or(plain);
    (answer_at, offer_at)
}

#[allow(clippy::too_many_arguments)]
fn source(
    model: &Model,
    answer_at: Answer,
    offer_at: f64,
    cv: &Figures,
    by_set: &Figures,
    fitted: &Figures,
    queries: usize,
    on: usize,
    rows: usize,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "//! The search's decision model, written by `cargo run --release --example fit_decision`"
    );
    let _ = writeln!(
        s,
        "//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature."
    );
    let _ = writeln!(s, "//!");
    let _ = writeln!(s, "//! Fitted on {queries} readings of labelled queries ({on} on-topic; each query on the bundled catalog and");
    let _ =
        writeln!(s, "//! among {DISTRACTORS} distractors), {rows} ranked candidates, of the sets named in");
    let _ = writeln!(s, "//! tools/fit_decision.rs (never tests/queries-unseen/holdout-*.toml).");
    let _ = writeln!(s, "//! {FOLDS}-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):");
    let _ = writeln!(s, "//! {}", cv.line());
    let _ = writeln!(
        s,
        "//! Each set left out in turn (its model and thresholds fitted on the other sets alone):"
    );
    let _ = writeln!(s, "//! {}", by_set.line());
    let _ = writeln!(s, "//! The same model fitted on all of them, on all of them:");
    let _ = writeln!(s, "//! {}", fitted.line());
    let _ = writeln!(s);
    let _ =
        writeln!(s, "/// Per term of `decide::terms`, its weight in the log-odds that a candidate is right.");
    for (name, linear) in [("", &model.plain), ("CROWDED_", &model.crowded)] {
        if !name.is_empty() {
            let _ = writeln!(
                s,
                "/// The same, for a candidate in a crowd of chance matches (`decide::clear_of_crowd`)."
            );
        }
        let _ = writeln!(s, "pub const {name}WEIGHTS: [f32; {D}] = [");
        for (k, w) in linear.w.iter().enumerate() {
            let _ = writeln!(s, "    {:?}, // {}", *w as f32, term_name(k));
        }
        let _ = writeln!(s, "];");
        let _ = writeln!(s, "pub const {name}BIAS: f32 = {:?};", linear.bias as f32);
    }
    let _ = writeln!(
        s,
        "/// A candidate this likely may be the answer (with `CROWDED_ANSWER_AT`: the pair that answered right"
    );
    let _ = writeln!(
        s,
        "/// most often while keeping wrong stories first to {:.0} % of on-topic queries, off-topic answers to {:.0} %).",
        MAX_WRONG_FIRST * 100.0,
        MAX_OFF_TOPIC_ANSWERED * 100.0
    );
    let _ = writeln!(s, "pub const ANSWER_AT: f32 = {:.2};", answer_at.0);
    let _ = writeln!(s, "/// The same, for a candidate in a crowd (its own model), chosen with `ANSWER_AT`.");
    let _ = writeln!(s, "pub const CROWDED_ANSWER_AT: f32 = {:.2};", answer_at.1);
    let _ = writeln!(
        s,
        "/// A candidate this likely may be offered as \"did you mean\" when nothing is answered."
    );
    let _ = writeln!(s, "pub const OFFER_AT: f32 = {offer_at:.2};");
    s
}

/// The bundled catalog with `DISTRACTORS` generated distractors (cached under target/), or `None`
/// without the generator in ../shared.
fn large_engine(root: &std::path::Path) -> Option<Engine> {
    let dir = distractors::folder(DISTRACTORS, &root.join("target")).unwrap_or_else(|e| panic!("{e}"))?;
    let mut catalog = Catalog::bundled().expect("the bundled catalog is valid");
    catalog.items.extend(Catalog::load_dir(&dir).expect("the generated distractors load").items);
    Some(Engine::new(catalog))
}
