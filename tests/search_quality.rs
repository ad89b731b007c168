//! Search quality on the dev set (tests/queries-dev.toml, copied from shared/eval), alone and
//! with 100 000 synthetic distractors mixed in.

mod support;

use marquee::catalog::Catalog;
use marquee::search::Engine;
use support::{bundled, dev_cases, extra_cases, measure};

#[test]
fn dev_set_quality() {
    let engine = Engine::new(bundled());
    let q = measure(&engine, &dev_cases());
    println!(
        "dev set: top-1 {:.3}, top-3 {:.3} over {} queries; off-topic silent {}/{}",
        q.top1, q.top3, q.on_topic, q.off_topic_silent, q.off_topic
    );
    for f in &q.failures {
        println!("  miss: {f}");
    }
    assert!(q.top1 >= 0.95, "top-1 {:.3} < 0.95: {:#?}", q.top1, q.failures);
    assert_eq!(q.top3, 1.0, "top-3 below 1.0: {:#?}", q.failures);
    assert_eq!(q.off_topic_silent, q.off_topic, "off-topic queries returned results: {:#?}", q.failures);
}

#[test]
fn extra_set_quality() {
    let engine = Engine::new(bundled());
    let q = measure(&engine, &extra_cases());
    println!(
        "extra set: top-1 {:.3}, top-3 {:.3} over {} queries; off-topic silent {}/{}",
        q.top1, q.top3, q.on_topic, q.off_topic_silent, q.off_topic
    );
    for f in &q.failures {
        println!("  miss: {f}");
    }
    assert!(q.top1 >= 0.9, "top-1 {:.3} < 0.9: {:#?}", q.top1, q.failures);
    assert!(q.top3 >= 0.95, "top-3 {:.3} < 0.95: {:#?}", q.top3, q.failures);
    assert_eq!(q.off_topic_silent, q.off_topic, "off-topic queries returned results: {:#?}", q.failures);
}

#[test]
fn dev_set_quality_among_100k_distractors() {
    let mut catalog = bundled();
    catalog.items.extend(marquee::synthetic::catalog_items(100_000));
    let engine = Engine::new(Catalog { items: catalog.items, synonyms: catalog.synonyms });
    let q = measure(&engine, &dev_cases());
    println!(
        "dev set + 100k distractors: top-1 {:.3}, top-3 {:.3}; off-topic silent {}/{}",
        q.top1, q.top3, q.off_topic_silent, q.off_topic
    );
    for f in &q.failures {
        println!("  miss: {f}");
    }
    assert!(q.top1 >= 0.95, "top-1 {:.3} < 0.95 with distractors: {:#?}", q.top1, q.failures);
    assert_eq!(q.top3, 1.0, "top-3 below 1.0 with distractors: {:#?}", q.failures);
}
