//! Phase 4 of a search, *decide*: answer, offer ("did you mean", privately) or stay silent.
//!
//! Each ranked candidate is described by a handful of features (how much of the query it
//! covers, where, how strongly, how far ahead of its rivals, whether its name reads like the
//! query) and a logistic model turns them into the probability that it is the story the member
//! asked for. The model's coefficients and its two thresholds are not set by hand: they are fitted
//! on the labelled query sets by `tools/fit_decision.rs` and written to `weights.rs`, with the
//! k-fold cross-validated figures of the fit in that file's header.
//!
//! Two kinds of rule stay outside the model. One because the labelled sets cannot show it: among
//! 100 000 items that reuse the catalog's words, chance matches come in crowds (see
//! `clear_of_crowd`). The other because a model of a few hundred queries should not be asked to
//! learn what a find in the page would show: a query that is an item's name word for word, or
//! whose every word one item holds as typed with one of them held by no other item (and no chat
//! filler around them), is answered by that item (`Verdict::sure`).

use super::gather::{Parsed, FULL_COVERAGE};
use super::rerank::Ranked;
use super::weights;

/// The features of a candidate, as `features` computes them.
pub const FEATURES: [&str; 20] = [
    "coverage",
    "named",
    "focus",
    "log_evidence",
    "strength",
    "margin",
    "likeness",
    "exact_name",
    "specific",
    "typed_share",
    "browsing",
    "log_asked",
    "rarest",
    "unknown",
    "leader",
    "together",
    "figure",
    "figure_asked",
    "elsewhere",
    "now",
];
pub type Features = [f32; FEATURES.len()];

/// The model's terms: every feature, then the product of every pair of features (each with
/// itself too), in the order of `weights::WEIGHTS`. A linear model cannot form a product itself,
/// and the decision needs them: a lead means more when the leader covers the query, covering
/// half of a long question is rarer by chance than half of a short one. Fitted with all of them
/// (tools/fit_decision.rs, a stronger ridge), each set left out in turn is answered right first
/// 0.918 of the time against 0.898 with the features alone, and off-topic queries stay silent
/// 0.938 against 0.928 (an experiment on the fit's rows; the fit prints its own figures).
pub const TERMS: usize = FEATURES.len() * (FEATURES.len() + 3) / 2;
pub type Terms = [f32; TERMS];

/// The terms of a candidate's features (see `TERMS`).
pub fn terms(x: &Features) -> Terms {
    let mut t = [0.0; TERMS];
    t[..FEATURES.len()].copy_from_slice(x);
    let mut k = FEATURES.len();
    for (i, a) in x.iter().enumerate() {
        for b in &x[i..] {
            t[k] = a * b;
            k += 1;
        }
    }
    t
}

/// The name of term `k` (see `TERMS`): a feature's, or "a*b".
pub fn term_name(k: usize) -> String {
    if k < FEATURES.len() {
        return FEATURES[k].to_string();
    }
    let mut n = FEATURES.len();
    for (i, a) in FEATURES.iter().enumerate() {
        for b in &FEATURES[i..] {
            if n == k {
                return format!("{a}*{b}");
            }
            n += 1;
        }
    }
    panic!("no term {k}")
}

/// The words an item matched as typed must be at least this share of the `ln`-rarity of a word
/// only one item holds (`Index::unseen_idf`) to be *specific*: rarer together than chance would
/// put in one item. Lower, and chatter among 100 000 items finds crowds of answers; higher, and
/// plain two-word keyword queries need focus or a lead to be answered at scale.
const SPECIFIC: f32 = 0.6;
/// ... or the query must name the item (focus, see `Candidate`) at least this much ...
pub const MIN_FOCUS: f32 = 0.3;
/// ... or the item must score this much above every other candidate that matches as much of
/// the query: chance matches come in crowds of near-equal scores.
const STAND_OUT: f32 = 1.25;

/// What one candidate looks like to the decision.
pub fn features(parsed: &Parsed, r: &Ranked, unseen_idf: f32, leader: bool) -> Features {
    let c = &r.candidate;
    let matched = c.coverage * parsed.total_weight;
    let margin = if r.score > 0.0 { ((r.score - r.rival) / r.score).clamp(-1.0, 1.0) } else { -1.0 };
    [
        c.coverage,
        c.named,
        c.focus,
        c.evidence.ln_1p(),
        (c.evidence / matched.max(f32::EPSILON)).min(8.0),
        margin,
        r.likeness,
        f32::from(u8::from(r.exact_name)),
        (c.typed / unseen_idf).min(3.0),
        (c.typed / parsed.total_weight).min(1.0),
        f32::from(u8::from(parsed.browsing)),
        (parsed.asked.max(1) as f32).ln(),
        c.rarest / unseen_idf,
        parsed.unknown,
        f32::from(u8::from(leader)),
        r.together,
        r.figure,
        f32::from(u8::from(parsed.figure.is_some())),
        f32::from(u8::from(parsed.elsewhere)),
        f32::from(u8::from(parsed.now)),
    ]
}

/// The model's probability that the candidate is what was asked for. A candidate in a crowd of
/// chance matches (see `clear_of_crowd`) is judged by a model of its own, fitted on the queries
/// read among 100 000 distractors: there evidence, margins and rarity mean something else than
/// in a catalog the size of the bundled one, and one set of weights fits neither well.
pub fn probability(x: &Features, crowded: bool) -> f32 {
    let (weights, bias) = if crowded {
        (&weights::CROWDED_WEIGHTS, weights::CROWDED_BIAS)
    } else {
        (&weights::WEIGHTS, weights::BIAS)
    };
    logistic(bias, weights, &terms(x))
}

/// A logistic model's probability: the sigmoid of `bias` plus the weighted `inputs` (this
/// decision's, and the second opinion's in `fallback.rs`).
pub(super) fn logistic(bias: f32, weights: &[f32], inputs: &[f32]) -> f32 {
    let z: f32 = bias + inputs.iter().zip(weights).map(|(x, w)| x * w).sum::<f32>();
    1.0 / (1.0 + (-z).exp())
}

/// Whether the candidate stands clear of a crowd, when there is one. When more candidates
/// match as much of the query than the re-rank looks at, a common word or two in a long title
/// are a coincidence, not an answer: the matched words must be rarer together than a word only
/// one item holds, or name the item, or the item must stand out, or the query only asks for a
/// kind. In a catalog the size of the bundled one no query is crowded.
fn clear_of_crowd(parsed: &Parsed, r: &Ranked, unseen_idf: f32) -> bool {
    let c = &r.candidate;
    !r.crowded
        || c.typed >= SPECIFIC * unseen_idf
        || c.focus >= MIN_FOCUS
        || r.score >= STAND_OUT * r.rival
        || parsed.browsing
}

/// What the decision made of one ranked candidate.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub features: Features,
    pub probability: f32,
    /// It may be the answer: likely enough, and clear of any crowd.
    pub answer: bool,
    /// It may be offered as "did you mean" when nothing is answered.
    pub offer: bool,
    /// Clear of any crowd of chance matches (see `clear_of_crowd`): it may be answered at all.
    pub clear: bool,
    /// Answered whatever the model says, when clear of any crowd: the query is the item's name
    /// word for word, or every word of it is held as typed by this item, one of them by no other
    /// item, no other item matches half of it, and it holds no chat filler.
    pub sure: bool,
}

/// The verdict on each ranked candidate, in rank order.
pub fn verdicts(parsed: &Parsed, ranked: &[Ranked], unseen_idf: f32) -> Vec<Verdict> {
    // No other candidate matches half of the query, even as a guess or a completion: "meta"
    // held as typed by one item is still the start of "metaflow" in others.
    let unrivalled = ranked.get(1).is_none_or(|r| r.candidate.tier() == 0);
    ranked
        .iter()
        .enumerate()
        .map(|(i, r)| verdict(parsed, r, unseen_idf, i == 0, i == 0 && unrivalled))
        .collect()
}

/// `leader`: the candidate is first in the ranking; `unrivalled`: and no other matches half of
/// the query.
fn verdict(parsed: &Parsed, r: &Ranked, unseen_idf: f32, leader: bool, unrivalled: bool) -> Verdict {
    let features = features(parsed, r, unseen_idf, leader);
    let probability = probability(&features, r.crowded);
    let answer_at = if r.crowded { weights::CROWDED_ANSWER_AT } else { weights::ANSWER_AT };
    // A word typed as it is and held by this item alone is worth offering, whatever else the
    // query says ("kowalski birthday party"): "did you mean" is private and costs one glance.
    let unique_word = leader && r.candidate.rarest >= unseen_idf * (1.0 - 1e-4);
    // ... and when the item also holds every other word of the query as typed, it is the one
    // place in the catalog where what the member typed stands ("hygiene", "netflix pvhvm"), as
    // a find in the page would show it: the answer, not a guess. Not in a message with chat
    // filler: "anyone up for a game tonight?" is talk around a word the overview happens to
    // hold, and the model judges it (with each set left out of the fit, right first 0.943 →
    // 0.944, off-topic silent 0.945 either way; 19 sets, 2026-12-07).
    let sole_holder = unique_word
        && unrivalled
        && !parsed.chatty
        && r.candidate.typed >= parsed.total_weight * FULL_COVERAGE;
    let sure = r.exact_name || sole_holder;
    let clear = clear_of_crowd(parsed, r, unseen_idf);
    let answer = (probability >= answer_at || sure) && clear;
    let offer = r.candidate.may_suggest() && (probability >= weights::OFFER_AT || unique_word);
    Verdict { features, probability, answer, offer, clear, sure }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each term is what its name says, so the weights written under those names are read
    /// against the values they were fitted on.
    #[test]
    fn every_term_is_the_feature_or_product_its_name_says() {
        // Distinct primes: every product of two of them is distinct too.
        let primes = [
            2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0, 23.0, 29.0, 31.0, 37.0, 41.0, 43.0, 47.0, 53.0, 59.0,
            61.0, 67.0, 71.0,
        ];
        let x: Features = primes;
        let value = |name: &str| x[FEATURES.iter().position(|f| *f == name).unwrap()];
        let t = terms(&x);
        let mut names: Vec<String> = (0..TERMS).map(term_name).collect();
        for (k, name) in names.iter().enumerate() {
            let expected = match name.split_once('*') {
                Some((a, b)) => value(a) * value(b),
                None => value(name),
            };
            assert_eq!(t[k], expected, "term {k} ({name})");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TERMS, "no term is named twice");
        assert_eq!(weights::WEIGHTS.len(), TERMS);
    }
}
