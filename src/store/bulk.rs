//! What `db copy` (`copy`) reads from one backend and writes to another: the rows as each
//! backend stores them, how many there are, and what can go wrong. Both backends implement
//! `Bulk`; it lives below them and below `copy`, so that none of the three depends on another.

use super::{Rotation, SlotState, Store, StoreError, Subscription};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;

/// A slot with everything the scheduler keeps about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRecord {
    pub subscription_id: i64,
    pub date: NaiveDate,
    pub state: SlotState,
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
    #[error("reading the source {0}")]
    Source(String, #[source] StoreError),
    #[error("writing the target {0} (nothing was written)")]
    Target(String, #[source] StoreError),
    #[error(
        "the target {0} already holds {1}: nothing was written (copy into an empty database, or pass \
         --replace to delete what it holds and copy in its place)"
    )]
    NotEmpty(String, Counts),
}

/// One side of a copy, as each backend stores the rows.
#[async_trait::async_trait]
pub(super) trait Bulk: Store {
    async fn all_rotations(&self) -> Result<Vec<(u64, Rotation)>, StoreError>;
    async fn all_subscriptions(&self) -> Result<Vec<Subscription>, StoreError>;
    /// Up to `limit` slots after `after` in (subscription, date) order.
    async fn slots_after(
        &self,
        after: Option<(i64, NaiveDate)>,
        limit: usize,
    ) -> Result<Vec<SlotRecord>, StoreError>;
    /// Begins the one transaction a copy writes in: nothing is kept unless `Writer::commit`
    /// is called, and dropping the writer unfinished rolls back too.
    async fn begin(&self) -> Result<Box<dyn Writer + '_>, StoreError>;
}

/// Writes inside the transaction of `Bulk::begin`.
#[async_trait::async_trait]
pub(super) trait Writer: Send {
    async fn counts(&mut self) -> Result<Counts, StoreError>;
    /// Deletes every subscription, rotation and slot.
    async fn clear(&mut self) -> Result<(), StoreError>;
    /// Inserts subscriptions with their ids (the slots refer to them).
    async fn subscriptions(&mut self, rows: &[Subscription]) -> Result<(), StoreError>;
    async fn rotations(&mut self, rows: &[(u64, Rotation)]) -> Result<(), StoreError>;
    async fn slots(&mut self, rows: &[SlotRecord]) -> Result<(), StoreError>;
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
}
