//! The sentence model's second opinion (`src/search/fallback.rs`), fitted on the bundled readings
//! the decision leaves unsure: unanswered, with a likeliest candidate clear of any crowd at
//! `FALLBACK_FROM` or more. The catalog among distractors is not read: the fallback is off in a
//! catalog that size.

use super::{logistic, Answer, Query};
use marquee::search::{fallback_features, Engine};
use std::fmt::Write as _;

/// The unsure band begins here: below it the decision's "nothing matches" stands. Each set left
/// out, at 0.56 (19 sets, 2026-12-07): from 0.02 the model reads 177 readings for 7 more right
/// first, 2 wrong, 2 off-topic; from 0.05, 138 for 7, 2, 3; from 0.1, 114 for 8, 2, 3. Flat:
/// lower reads more off-topic messages for nothing, higher leaves fewer to read.
pub const FALLBACK_FROM: f64 = 0.05;
/// L2 penalty on the second model's standardised weights: five inputs, a few hundred rows.
const FALLBACK_RIDGE: f64 = 1.0;

/// One unsure reading: the second model's inputs for its likeliest candidate.
pub struct Unsure {
    set: usize,
    on_topic: bool,
    right: bool,
    x: Vec<f64>,
}

/// The second model and its figures.
pub struct Fallback {
    pub weights: Vec<f64>,
    pub bias: f64,
    pub answer_at: f64,
    /// What it adds with each set left out in turn, as lines for weights.rs.
    pub figures: Vec<String>,
}

/// The decision's view of one query: each candidate's probability, and the answer thresholds.
pub type Judging = (Vec<f64>, Answer);

/// The unsure bundled readings of `queries` as `judge` (query index, query) sees them, with the
/// sentence model's reading of each (`engine` must hold the model, its story vectors ready).
pub fn unsure(engine: &Engine, queries: &[Query], judge: impl Fn(usize, &Query) -> Judging) -> Vec<Unsure> {
    let mut out = Vec::new();
    for (k, q) in queries.iter().enumerate().filter(|(_, q)| q.catalog == "bundled") {
        let (ps, answer_at) = judge(k, q);
        let answered = q.candidates.iter().zip(&ps).any(|(r, &p)| r.answered(p, answer_at));
        let best = q.candidates.iter().zip(&ps).filter(|(r, _)| r.clear).max_by(|a, b| a.1.total_cmp(b.1));
        let Some((r, &p)) = best.filter(|(_, &p)| !answered && p >= FALLBACK_FROM) else { continue };
        let meaning = engine.meaning(&q.text, &r.id).expect("the story vectors are ready");
        out.push(Unsure {
            set: q.set,
            on_topic: q.on_topic,
            right: r.right,
            x: fallback_features(p as f32, meaning).iter().map(|&v| f64::from(v)).collect(),
        });
    }
    out
}

fn fit_on<'a>(rows: impl Iterator<Item = &'a Unsure>) -> (Vec<f64>, f64) {
    let (xs, ys): (Vec<&[f64]>, Vec<bool>) = rows.map(|u| (&u.x[..], u.right)).unzip();
    logistic(&xs, &ys, FALLBACK_RIDGE)
}

fn p(w: &(Vec<f64>, f64), x: &[f64]) -> f64 {
    let z = w.1 + x.iter().zip(&w.0).map(|(a, b)| a * b).sum::<f64>();
    1.0 / (1.0 + (-z).exp())
}

/// Fits the second model on the readings unsure to the decision fitted on all (`seen`), and
/// answers at the decision's own threshold (`answer_at`): both models estimate the same chance,
/// that the candidate is the story asked for.
///
/// Judged with each set left out in turn, on the readings unsure to the decision fitted without
/// that set (`unseen`): as a set the fit never read meets the decision. Fitting on those readings
/// instead (stacking) was tried: 7 more right first, 1 more wrong, 2 more off-topic answered
/// at 0.56, against 7, 2 and 3 here (19 sets, 2026-12-07): within a query or two, so the
/// simpler fit stays.
pub fn fit(seen: &[Unsure], unseen: &[Unsure], answer_at: f64, readings: usize) -> Fallback {
    let count = |rows: &[Unsure]| {
        let on = rows.iter().filter(|u| u.on_topic).count();
        format!("{} ({on} on-topic, {} off-topic)", rows.len(), rows.len() - on)
    };
    let mut figures = vec![format!(
        "Of {readings} bundled readings, unsure to the decision fitted on all: {}; to the decision without their set: {}.",
        count(seen),
        count(unseen)
    )];
    let left_out: Vec<f64> =
        unseen.iter().map(|u| p(&fit_on(seen.iter().filter(|o| o.set != u.set)), &u.x)).collect();
    for t in [0.5, answer_at, 0.6, 0.7] {
        let (mut right, mut wrong, mut off) = (0, 0, 0);
        for (u, &p) in unseen.iter().zip(&left_out) {
            if p >= t {
                match (u.on_topic, u.right) {
                    (true, true) => right += 1,
                    (true, false) => wrong += 1,
                    (false, _) => off += 1,
                }
            }
        }
        figures.push(format!(
            "Each set left out, answering at {t:.2}: {right} more right first, {wrong} more wrong first, {off} more off-topic answered."
        ));
    }
    let (weights, bias) = fit_on(seen.iter());
    Fallback { weights, bias, answer_at, figures }
}

/// The fallback's part of weights.rs.
pub fn source(s: &mut String, f: &Fallback) {
    let _ = writeln!(s, "/// The sentence model's second opinion (`fallback.rs`), fitted on the bundled readings left unsure.");
    for line in &f.figures {
        let _ = writeln!(s, "/// {line}");
    }
    let _ = writeln!(s, "/// Per input of `fallback::features`, its weight in the second model's log-odds.");
    let _ = writeln!(s, "pub const FALLBACK_WEIGHTS: [f32; {}] = [", f.weights.len());
    for w in &f.weights {
        let _ = writeln!(s, "    {:?},", *w as f32);
    }
    let _ = writeln!(s, "];");
    let _ = writeln!(s, "pub const FALLBACK_BIAS: f32 = {:?};", f.bias as f32);
    let _ = writeln!(
        s,
        "/// The fallback reads a query left unanswered whose likeliest candidate is at least this likely."
    );
    let _ = writeln!(s, "pub const FALLBACK_FROM: f32 = {FALLBACK_FROM:?};");
    let _ = writeln!(
        s,
        "/// ... and answers it when the second model finds it this likely (the decision's own threshold)."
    );
    let _ = writeln!(s, "pub const FALLBACK_ANSWER_AT: f32 = {:.2};", f.answer_at);
}
