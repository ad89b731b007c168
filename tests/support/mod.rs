//! Helpers shared by the integration tests.

#![allow(dead_code)]

use marquee::catalog::Catalog;
use marquee::search::{Engine, SearchOptions};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Cases {
    pub case: Vec<Case>,
}

#[derive(Deserialize)]
pub struct Case {
    pub query: String,
    pub expect: Vec<String>,
}

pub fn dev_cases() -> Vec<Case> {
    let text = include_str!("../queries-dev.toml");
    toml::from_str::<Cases>(text).expect("tests/queries-dev.toml parses").case
}

pub fn bundled() -> Catalog {
    Catalog::bundled().expect("the bundled catalog is valid")
}

/// Top-1, top-3 and off-topic scores of `engine` on `cases`, and the failures for messages.
pub struct Quality {
    pub top1: f64,
    pub top3: f64,
    pub on_topic: usize,
    pub off_topic_silent: usize,
    pub off_topic: usize,
    pub failures: Vec<String>,
}

pub fn measure(engine: &Engine, cases: &[Case]) -> Quality {
    let (mut top1, mut top3, mut on, mut silent, mut off) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let outcome = engine.search(&case.query, &SearchOptions::limit(3));
        let ids: Vec<&str> = outcome.hits.iter().map(|h| h.item.id.as_str()).collect();
        if case.expect.is_empty() {
            off += 1;
            if ids.is_empty() {
                silent += 1;
            } else {
                failures.push(format!("{:?}: expected nothing, got {ids:?}", case.query));
            }
            continue;
        }
        on += 1;
        let first = ids.first().is_some_and(|id| case.expect.iter().any(|e| e == id));
        let in3 = ids.iter().any(|id| case.expect.iter().any(|e| e == id));
        top1 += usize::from(first);
        top3 += usize::from(in3);
        if !first {
            failures.push(format!("{:?}: expected one of {:?}, got {ids:?}", case.query, case.expect));
        }
    }
    Quality {
        top1: top1 as f64 / on.max(1) as f64,
        top3: top3 as f64 / on.max(1) as f64,
        on_topic: on,
        off_topic_silent: silent,
        off_topic: off,
        failures,
    }
}
