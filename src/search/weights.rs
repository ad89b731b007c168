//! The search's decision model, written by `cargo run --release --example fit_decision`
//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature.
//!
//! Fitted on 1410 readings of labelled queries (1108 on-topic; each query on the bundled catalog and
//! among 100000 distractors), 18382 ranked candidates, of the sets named in
//! tools/fit_decision.rs (never tests/queries-unseen/holdout-final.toml).
//! 5-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):
//! right first 0.906, wrong first 0.009, silent but offered right 0.045 (of 1108 on-topic); off-topic silent 0.944, offered 0.083 (of 302)
//! The same model fitted on all of them, on all of them:
//! right first 0.920, wrong first 0.006, silent but offered right 0.037 (of 1108 on-topic); off-topic silent 0.960, offered 0.079 (of 302)

/// Per feature of `decide::FEATURES`, its weight in the log-odds that a candidate is right.
pub const WEIGHTS: [f32; 18] = [
    6.8144097,   // coverage
    0.12470352,  // named
    3.8836417,   // focus
    0.10919887,  // log_evidence
    0.15371911,  // strength
    -0.58855003, // margin
    1.6178871,   // likeness
    6.0115037,   // exact_name
    2.0826771,   // specific
    -1.4994814,  // typed_share
    5.506955,    // browsing
    0.30202267,  // log_asked
    -2.282236,   // rarest
    0.2562783,   // unknown
    1.2940496,   // leader
    2.4268482,   // covered_margin
    -0.21030523, // covered_length
    0.98300254,  // specific_margin
];
pub const BIAS: f32 = -9.224706;
/// The same, for a candidate in a crowd of chance matches (`decide::clear_of_crowd`).
pub const CROWDED_WEIGHTS: [f32; 18] = [
    5.917438,    // coverage
    -4.9251814,  // named
    8.326481,    // focus
    1.2536205,   // log_evidence
    -0.11746203, // strength
    0.027339922, // margin
    1.8140459,   // likeness
    7.4905314,   // exact_name
    2.8558471,   // specific
    -0.12649444, // typed_share
    -1.6495556,  // browsing
    -1.1859715,  // log_asked
    -6.6407895,  // rarest
    -1.2199812,  // unknown
    0.14573267,  // leader
    5.264356,    // covered_margin
    1.758608,    // covered_length
    1.5773684,   // specific_margin
];
pub const CROWDED_BIAS: f32 = -9.04159;
/// A candidate this likely may be the answer (with `CROWDED_ANSWER_AT`: the pair that answered right
/// most often while keeping wrong stories first to 3 % of on-topic queries, off-topic answers to 4 %).
pub const ANSWER_AT: f32 = 0.75;
/// The same, for a candidate in a crowd (its own model), chosen with `ANSWER_AT`.
pub const CROWDED_ANSWER_AT: f32 = 0.60;
/// A candidate this likely may be offered as "did you mean" when nothing is answered.
pub const OFFER_AT: f32 = 0.32;
