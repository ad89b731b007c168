//! The search's decision model, written by `cargo run --release --example fit_decision`
//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature.
//!
//! Fitted on 1410 labelled queries (1108 on-topic), 18382 ranked candidates, of the sets named in
//! tools/fit_decision.rs (never tests/queries-unseen/holdout-final.toml).
//! 5-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):
//! right first 0.891, wrong first 0.008, silent but offered right 0.063 (of 1108 on-topic); off-topic silent 0.940, offered 0.109 (of 302)
//! The same model fitted on all of them, on all of them:
//! right first 0.904, wrong first 0.006, silent but offered right 0.053 (of 1108 on-topic); off-topic silent 0.960, offered 0.096 (of 302)

/// Per feature of `decide::FEATURES`, its weight in the log-odds that a candidate is right.
pub const WEIGHTS: [f32; 15] = [
    6.072919,  // coverage
    -0.081743, // named
    3.915834,  // focus
    0.053052,  // log_evidence
    0.179942,  // strength
    2.129920,  // margin
    1.694061,  // likeness
    5.858894,  // exact_name
    1.978994,  // specific
    -1.039917, // typed_share
    5.953051,  // browsing
    0.195295,  // log_asked
    -2.073844, // rarest
    -0.401500, // unknown
    1.530153,  // leader
];
pub const BIAS: f32 = -8.857171;
/// The same, for a candidate in a crowd of chance matches (`decide::clear_of_crowd`).
pub const CROWDED_WEIGHTS: [f32; 15] = [
    5.196656,  // coverage
    -4.636654, // named
    8.181378,  // focus
    1.303436,  // log_evidence
    -0.067633, // strength
    4.206764,  // margin
    1.544093,  // likeness
    7.124159,  // exact_name
    2.604780,  // specific
    -0.168787, // typed_share
    -1.779434, // browsing
    -0.362449, // log_asked
    -6.645354, // rarest
    -2.412467, // unknown
    0.636092,  // leader
];
pub const CROWDED_BIAS: f32 = -8.564488;
/// A candidate this likely may be the answer: the lowest probability that kept wrong stories
/// answered first to 2 % of on-topic queries and off-topic answers to 4 %.
pub const ANSWER_AT: f32 = 0.77;
/// The same, for a candidate in a crowd (its own model), chosen after `ANSWER_AT`.
pub const CROWDED_ANSWER_AT: f32 = 0.72;
/// A candidate this likely may be offered as "did you mean" when nothing is answered.
pub const OFFER_AT: f32 = 0.38;
