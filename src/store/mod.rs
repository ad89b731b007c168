//! Persistent state for daily highlights: subscriptions, each server's rotation, and the
//! (subscription, local date) slots that make posting exactly-once.
//!
//! `Store` is the whole contract the scheduler and commands rely on, and it is async: callers
//! just `.await` it. Two backends implement it: `sqlite::SqliteStore`, a file beside the bot
//! (one machine, nothing to install), which runs each call on a blocking thread because
//! rusqlite is synchronous; and `postgres::PostgresStore`, one database shared by many bot
//! processes, async on its pool. Either way the claim is atomic across processes, which is what
//! keeps highlights exactly-once.

/// The columns each backend's `subscription` reads, in its order, as a literal so that
/// statements using them stay `'static` (defined before the backends' modules, which use it).
macro_rules! subscription_columns {
    () => {
        "id, guild_id, channel_id, time, timezone, paused, created_at, locale"
    };
}

mod bulk;
pub mod copy;
mod error;
mod location;
pub mod postgres;
pub mod sqlite;

pub use error::{Cause, Chain, Corrupt, StoreError};
pub use location::Database;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub guild_id: u64,
    pub channel_id: u64,
    /// Local time of day to post at.
    pub time: NaiveTime,
    /// IANA name, e.g. "Europe/Paris".
    pub timezone: String,
    /// Why posting stopped (channel deleted, access lost); `None` while active.
    pub paused: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The server's language as Discord named it when the channel was subscribed
    /// (`guild_locale`, e.g. "de", "es-419"); the daily posts are written in it. `None`: English.
    pub locale: Option<String>,
}

/// A server's rotation: a seed for the order of the catalog, and the day it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub seed: u64,
    pub epoch: NaiveDate,
}

/// The outcome of trying to claim a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process holds the slot and must post (`attempt` counts from 1).
    Mine { attempt: u32 },
    /// Someone holds it and may still be posting; try again later.
    Held,
    /// Already posted or skipped: nothing to do.
    Done,
}

/// Where a slot stands; stored as its name (`as_str`), which the schemas' CHECK lists too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlotState {
    /// A process holds it and is posting (or will retry at its retry time).
    Claimed,
    Posted,
    Skipped,
}

impl SlotState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotState::Claimed => "claimed",
            SlotState::Posted => "posted",
            SlotState::Skipped => "skipped",
        }
    }

    /// The state stored as `name` in the slot `row`; any other value is a corrupt row.
    fn parse(name: &str, row: impl FnOnce() -> String) -> Result<SlotState> {
        match name {
            "claimed" => Ok(SlotState::Claimed),
            "posted" => Ok(SlotState::Posted),
            "skipped" => Ok(SlotState::Skipped),
            other => Err(Corrupt::new("slots", row(), "state", other, "claimed, posted or skipped").into()),
        }
    }
}

impl fmt::Display for SlotState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A slot as tests and operators look at it (`Database::slots`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRow {
    pub subscription_id: i64,
    pub date: NaiveDate,
    pub state: SlotState,
    pub message_id: Option<u64>,
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Adds or replaces the subscription of `channel_id` (un-pausing it), with the server's
    /// language for its posts (`None`: English).
    async fn subscribe_with_locale(
        &self,
        guild_id: u64,
        channel_id: u64,
        time: NaiveTime,
        timezone: &str,
        locale: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Subscription>;
    /// `subscribe_with_locale` with no language: posts in English.
    async fn subscribe(
        &self,
        guild_id: u64,
        channel_id: u64,
        time: NaiveTime,
        timezone: &str,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        self.subscribe_with_locale(guild_id, channel_id, time, timezone, None, now).await
    }
    /// Removes the subscription of one channel, or of every channel of the server.
    async fn unsubscribe(&self, guild_id: u64, channel_id: Option<u64>) -> Result<usize>;
    /// Subscriptions of one server, or of all servers. A row this Marquee cannot read is left
    /// out and logged as an error naming it (so one bad row stops no other server's posts);
    /// `db copy`, which must copy everything, refuses it instead.
    async fn subscriptions(&self, guild_id: Option<u64>) -> Result<Vec<Subscription>>;
    /// One round trip to the database (`SELECT 1`): the readiness probe's question, which reads
    /// no table and so costs the same however many subscriptions there are.
    async fn ping(&self) -> Result<()>;
    async fn pause(&self, subscription_id: i64, reason: &str) -> Result<()>;
    /// The server's rotation, created (with a fresh random seed, starting `today`) if missing.
    async fn rotation(&self, guild_id: u64, today: NaiveDate) -> Result<Rotation>;
    /// Claims slot (subscription, date) for `owner`. A claim with a retry time (see
    /// `retry_later`) is free once that time has passed, and not before, however long the
    /// backoff; a claim without one, older than `lease`, is taken over (its holder crashed).
    async fn claim(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        owner: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<Claim>;
    /// Records the posted message: the slot is done.
    async fn record_post(&self, subscription_id: i64, date: NaiveDate, message_id: u64) -> Result<()>;
    /// Keeps the claim until `retry_at` (after a 429, a 5xx or no answer), then lets anyone
    /// retry it: the claim is extended to the retry time.
    async fn retry_later(&self, subscription_id: i64, date: NaiveDate, retry_at: DateTime<Utc>)
        -> Result<()>;
    /// Marks a slot skipped (missed beyond the catch-up window, or channel gone). Returns true
    /// if this call marked it, so the skip is logged once.
    async fn record_skip(&self, subscription_id: i64, date: NaiveDate, reason: &str) -> Result<bool>;
}

/// A new server's rotation seed: any source of variety will do, it is stored from then on.
/// Kept below 2^63 so it fits a signed 64-bit column.
fn fresh_seed(guild_id: u64) -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    crate::rng::SplitMix64::new(t.as_nanos() as u64 ^ guild_id.rotate_left(17)).next_u64() >> 1
}
