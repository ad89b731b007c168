//! What `db copy` (`copy`) reads from one backend and writes to another: the rows as each
//! backend stores them, how many there are, and what can go wrong. Both backends implement
//! `Bulk`; it lives below them and below `copy`, so that none of the three depends on another.

use super::{Rotation, Store, StoreError, Subscription};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;

/// A slot with everything the scheduler keeps about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRecord {
    pub subscription_id: i64,
    pub date: NaiveDate,
    pub state: String,
    pub owner: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub retry_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub message_id: Option<i64>,
    pub reason: Option<String>,
}

/// How many rows of each kind a database holds (or a copy moved).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub subscriptions: u64,
    pub rotations: u64,
    pub slots: u64,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {} and {}",
            plural(self.subscriptions, "subscription", "subscriptions"),
            plural(self.rotations, "server rotation", "server rotations"),
            plural(self.slots, "slot", "slots")
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("--from and --to name the same database ({0})")]
    Same(String),
    #[error("the source {0} does not exist")]
    SourceMissing(String),
    #[error("the source {0} holds nothing to copy")]
    SourceEmpty(String),
    #[error("reading the source {0}: {1}")]
    Source(String, StoreError),
    #[error("writing the target {0}: {1} (nothing was written)")]
    Target(String, StoreError),
    #[error(
        "the target {0} already holds {1}: nothing was written (copy into an empty database, or pass \
         --replace to delete what it holds and copy in its place)"
    )]
    NotEmpty(String, Counts),
}

/// One side of a copy, as each backend stores the rows.
pub(super) trait Bulk: Store {
    fn all_rotations(&self) -> Result<Vec<(u64, Rotation)>, StoreError>;
    /// Subscriptions as stored, refusing a row this Marquee cannot read (not defaulting it).
    fn all_subscriptions(&self) -> Result<Vec<Subscription>, StoreError>;
    /// Up to `limit` slots after `after` in (subscription, date) order.
    fn slots_after(
        &self,
        after: Option<(i64, NaiveDate)>,
        limit: usize,
    ) -> Result<Vec<SlotRecord>, StoreError>;
    /// Runs `work` in one transaction, committed only if `work` succeeds. The outer error is
    /// the transaction's own (begin, commit).
    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Writer) -> Result<(), CopyError>,
    ) -> Result<Result<(), CopyError>, StoreError>;
}

/// Writes inside the transaction of `Bulk::transaction`.
pub(super) trait Writer {
    fn counts(&mut self) -> Result<Counts, StoreError>;
    /// Deletes every subscription, rotation and slot.
    fn clear(&mut self) -> Result<(), StoreError>;
    /// Inserts subscriptions with their ids (the slots refer to them).
    fn subscriptions(&mut self, rows: &[Subscription]) -> Result<(), StoreError>;
    fn rotations(&mut self, rows: &[(u64, Rotation)]) -> Result<(), StoreError>;
    fn slots(&mut self, rows: &[SlotRecord]) -> Result<(), StoreError>;
}
