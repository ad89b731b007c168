//! The search's decision model, written by `cargo run --release --example fit_decision`
//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature.
//!
//! Fitted on 705 labelled queries (554 on-topic), 1977 ranked candidates, of the sets named in
//! tools/fit_decision.rs (never tests/queries-unseen/holdout-final.toml).
//! 5-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):
//! right first 0.906, wrong first 0.002, silent but offered right 0.058 (of 554 on-topic); off-topic silent 0.960, offered 0.086 (of 151)
//! The same model fitted on all of them, on all of them:
//! right first 0.926, wrong first 0.004, silent but offered right 0.040 (of 554 on-topic); off-topic silent 0.960, offered 0.066 (of 151)

/// Per feature of `decide::FEATURES`, its weight in the log-odds that a candidate is right.
pub const WEIGHTS: [f32; 15] = [
    5.857505,  // coverage
    -0.146423, // named
    3.457894,  // focus
    0.870926,  // log_evidence
    -0.115424, // strength
    1.450449,  // margin
    2.264761,  // likeness
    6.272944,  // exact_name
    1.395213,  // specific
    -1.677942, // typed_share
    4.720337,  // browsing
    -0.349990, // log_asked
    0.205718,  // rarest
    -0.346141, // unknown
    1.450665,  // leader
];
pub const BIAS: f32 = -9.124424;
/// A candidate this likely may be the answer: the lowest probability that kept wrong stories
/// answered first to 2 % of on-topic queries and off-topic answers to 4 %.
pub const ANSWER_AT: f32 = 0.77;
/// A candidate this likely may be offered as "did you mean" when nothing is answered.
pub const OFFER_AT: f32 = 0.51;
