//! The search's decision model, written by `cargo run --release --example fit_decision`
//! (tools/fit_decision.rs): do not edit by hand; refit after changing the ranking or a feature.
//!
//! Fitted on 1410 readings of labelled queries (1108 on-topic; each query on the bundled catalog and
//! among 100000 distractors), 18329 ranked candidates, of the sets named in
//! tools/fit_decision.rs (never tests/queries-unseen/holdout-*.toml).
//! 5-fold cross-validated (folds by query; each fold's model and thresholds fitted on the others):
//! right first 0.914, wrong first 0.008, silent but offered right 0.032 (of 1108 on-topic); off-topic silent 0.940, offered 0.056 (of 302)
//! Each set left out in turn (its model and thresholds fitted on the other sets alone):
//! right first 0.907, wrong first 0.010, silent but offered right 0.032 (of 1108 on-topic); off-topic silent 0.944, offered 0.099 (of 302)
//! The same model fitted on all of them, on all of them:
//! right first 0.923, wrong first 0.007, silent but offered right 0.037 (of 1108 on-topic); off-topic silent 0.960, offered 0.083 (of 302)

/// Per feature of `decide::FEATURES`, its weight in the log-odds that a candidate is right.
pub const WEIGHTS: [f32; 18] = [
    7.569263,    // coverage
    0.19560471,  // named
    3.8531141,   // focus
    0.10616938,  // log_evidence
    0.18400863,  // strength
    -0.53985226, // margin
    1.5599012,   // likeness
    6.006888,    // exact_name
    2.0705538,   // specific
    -1.6905425,  // typed_share
    5.5060515,   // browsing
    0.643753,    // log_asked
    -2.275876,   // rarest
    -0.26112756, // unknown
    1.265813,    // leader
    2.4039037,   // covered_margin
    -0.47391152, // covered_length
    1.0286908,   // specific_margin
];
pub const BIAS: f32 = -9.902838;
/// The same, for a candidate in a crowd of chance matches (`decide::clear_of_crowd`).
pub const CROWDED_WEIGHTS: [f32; 18] = [
    5.8054204,   // coverage
    -4.742887,   // named
    8.183758,    // focus
    1.34517,     // log_evidence
    -0.09963362, // strength
    0.66227746,  // margin
    1.6090648,   // likeness
    7.370193,    // exact_name
    2.837565,    // specific
    -0.12880129, // typed_share
    -1.5948987,  // browsing
    -1.0735532,  // log_asked
    -6.468583,   // rarest
    -1.9170756,  // unknown
    0.07920499,  // leader
    4.5386324,   // covered_margin
    1.6710587,   // covered_length
    1.7183977,   // specific_margin
];
pub const CROWDED_BIAS: f32 = -9.271921;
/// A candidate this likely may be the answer (with `CROWDED_ANSWER_AT`: the pair that answered right
/// most often while keeping wrong stories first to 3 % of on-topic queries, off-topic answers to 4 %).
pub const ANSWER_AT: f32 = 0.75;
/// The same, for a candidate in a crowd (its own model), chosen with `ANSWER_AT`.
pub const CROWDED_ANSWER_AT: f32 = 0.54;
/// A candidate this likely may be offered as "did you mean" when nothing is answered.
pub const OFFER_AT: f32 = 0.27;
