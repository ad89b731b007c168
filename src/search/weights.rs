//! The search's decision model, written by `cargo run --release --example fit_decision`
//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature.
//!
//! Fitted on 705 labelled queries (554 on-topic), 1866 ranked candidates, of the sets named in
//! tools/fit_decision.rs (never tests/queries-unseen/holdout-final.toml).
//! 5-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):
//! right first 0.859, wrong first 0.005, silent but offered right 0.049 (of 554 on-topic); off-topic silent 0.934, offered 0.066 (of 151)
//! The same model fitted on all of them, on all of them:
//! right first 0.854, wrong first 0.005, silent but offered right 0.049 (of 554 on-topic); off-topic silent 0.954, offered 0.053 (of 151)

/// Per feature of `decide::FEATURES`, its weight in the log-odds that a candidate is right.
pub const WEIGHTS: [f32; 12] = [
    6.875882, // coverage
    -0.757059, // named
    3.298091, // focus
    0.364841, // log_evidence
    0.115206, // strength
    2.330488, // margin
    2.082829, // likeness
    7.076255, // exact_name
    1.281454, // specific
    -1.873782, // typed_share
    4.755421, // browsing
    0.172571, // log_asked
];
pub const BIAS: f32 = -8.020410;
/// A candidate this likely may be the answer: the lowest probability that kept wrong stories
/// answered first to 2 % of on-topic queries and off-topic answers to 5 %.
pub const ANSWER_AT: f32 = 0.78;
/// A candidate this likely may be offered as "did you mean" when nothing is answered.
pub const OFFER_AT: f32 = 0.57;
