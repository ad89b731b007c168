//! The search's decision model, written by `cargo run --release --example fit_decision`
//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature.
//!
//! Fitted on 1410 readings of labelled queries (1108 on-topic; each query on the bundled catalog and
//! among 100000 distractors), 18382 ranked candidates, of the sets named in
//! tools/fit_decision.rs (never tests/queries-unseen/holdout-final.toml).
//! 5-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):
//! right first 0.907, wrong first 0.012, silent but offered right 0.043 (of 1108 on-topic); off-topic silent 0.924, offered 0.089 (of 302)
//! The same model fitted on all of them, on all of them:
//! right first 0.912, wrong first 0.006, silent but offered right 0.045 (of 1108 on-topic); off-topic silent 0.950, offered 0.086 (of 302)

/// Per feature of `decide::FEATURES`, its weight in the log-odds that a candidate is right.
pub const WEIGHTS: [f32; 15] = [
    6.0729194,   // coverage
    -0.08174273, // named
    3.9158337,   // focus
    0.053052396, // log_evidence
    0.1799418,   // strength
    2.1299198,   // margin
    1.6940608,   // likeness
    5.858894,    // exact_name
    1.9789937,   // specific
    -1.0399169,  // typed_share
    5.9530516,   // browsing
    0.19529535,  // log_asked
    -2.0738437,  // rarest
    -0.40149993, // unknown
    1.5301527,   // leader
];
pub const BIAS: f32 = -8.857171;
/// The same, for a candidate in a crowd of chance matches (`decide::clear_of_crowd`).
pub const CROWDED_WEIGHTS: [f32; 15] = [
    5.1966558,   // coverage
    -4.636654,   // named
    8.181377,    // focus
    1.3034362,   // log_evidence
    -0.06763256, // strength
    4.2067637,   // margin
    1.5440931,   // likeness
    7.1241584,   // exact_name
    2.6047804,   // specific
    -0.16878709, // typed_share
    -1.779434,   // browsing
    -0.36244926, // log_asked
    -6.6453543,  // rarest
    -2.4124675,  // unknown
    0.6360916,   // leader
];
pub const CROWDED_BIAS: f32 = -8.564487;
/// A candidate this likely may be the answer (with `CROWDED_ANSWER_AT`: the pair that answered right
/// most often while keeping wrong stories first to 3 % of on-topic queries, off-topic answers to 5 %).
pub const ANSWER_AT: f32 = 0.74;
/// The same, for a candidate in a crowd (its own model), chosen with `ANSWER_AT`.
pub const CROWDED_ANSWER_AT: f32 = 0.72;
/// A candidate this likely may be offered as "did you mean" when nothing is answered.
pub const OFFER_AT: f32 = 0.38;
