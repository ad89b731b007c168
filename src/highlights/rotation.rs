//! Which item a server's highlight shows on a given day: the catalog in an order drawn from
//! the server's seed, one item a day, a new order each time the catalog is exhausted. Pure and
//! deterministic, so a restart never changes tomorrow's pick.

use crate::store::Rotation;
use crate::synthetic::Rng;
use chrono::NaiveDate;

/// The item id for `date`; `ids` in a stable order (the catalog sorted by id).
pub fn pick<'a>(rotation: &Rotation, date: NaiveDate, ids: &[&'a str]) -> Option<&'a str> {
    if ids.is_empty() {
        return None;
    }
    let n = ids.len() as i64;
    let day = (date - rotation.epoch).num_days();
    let cycle = day.div_euclid(n);
    let index = day.rem_euclid(n) as usize;
    Some(ids[order(rotation.seed, cycle, ids.len())[index]])
}

/// A permutation of 0..n for one cycle (Fisher–Yates).
fn order(seed: u64, cycle: i64, n: usize) -> Vec<usize> {
    let mut rng = Rng::new(seed ^ (cycle as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        v.swap(i, rng.below(i + 1));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_per_cycle_then_a_new_order() {
        let ids: Vec<String> = (0..25).map(|i| format!("item-{i:02}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let r = Rotation { seed: 42, epoch: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() };
        let day = |d: i64| r.epoch + chrono::Duration::days(d);
        let first: Vec<&str> = (0..25).map(|d| pick(&r, day(d), &ids).unwrap()).collect();
        let second: Vec<&str> = (25..50).map(|d| pick(&r, day(d), &ids).unwrap()).collect();
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, ids);
        let mut sorted2 = second.clone();
        sorted2.sort();
        assert_eq!(sorted2, ids);
        assert_ne!(first, second);
        // Deterministic, and defined before the epoch too.
        assert_eq!(pick(&r, day(3), &ids), pick(&r, day(3), &ids));
        assert!(pick(&r, day(-1), &ids).is_some());
        assert_ne!(pick(&Rotation { seed: 43, ..r }, day(0), &ids), None);
    }
}
