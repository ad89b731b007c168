//! The scheduler: at each tick, finds the slots due, claims each in the store, posts, and
//! records the message — exactly once per (subscription, local date), across restarts and
//! across processes sharing a database.
//!
//! Exactly once, step by step: the slot is claimed in the database before posting (only the
//! claimant posts); the message is sent with a nonce derived from the slot and
//! `enforce_nonce`, so a retried create is deduplicated by Discord; the message id is recorded
//! after. A crash between claim and record leaves a claim that is taken over after `lease`; a
//! failed call leaves one held until its retry time (the backoff, or a 429's `retry_after`).
//! Every retry first looks in the channel for the post (`recognise`), since Discord's nonce
//! check spans only minutes; when it cannot look, it waits and tries again, never posts blind.

use super::recognise::PostMarks;
use super::schedule::{self, Slot};
use super::today_reply;
use crate::reply::message_body;
use crate::search::SharedEngine;
use crate::store::{Chain, Claim, Store, StoreError, Subscription};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;
use serenity::futures::StreamExt;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tracing::{error, info, warn};

/// Why a post failed, as far as the scheduler cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostError {
    /// The channel is gone or the bot lost access (404/403): pause, never retry in a loop.
    Gone(String),
    /// Worth retrying later (429, 5xx, no answer, network); `after`: not before this long
    /// (a 429's `retry_after`).
    Retry { reason: String, after: Option<std::time::Duration> },
}

impl PostError {
    pub fn retry(reason: impl Into<String>) -> PostError {
        PostError::Retry { reason: reason.into(), after: None }
    }
}

#[async_trait::async_trait]
pub trait Poster: Send + Sync {
    /// Creates a message in `channel_id`; returns its id.
    async fn post(&self, channel_id: u64, body: &Value) -> Result<u64, PostError>;
    /// The id of the post `marks` describes, if the bot made it in `channel_id` since `since`:
    /// how a retry finds out that an earlier attempt did get through. An error means it could
    /// not tell (the slot is then retried later, never posted blind).
    async fn find_post(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
        marks: &PostMarks,
    ) -> Result<Option<u64>, PostError>;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub posted: usize,
    pub skipped: usize,
    pub paused: usize,
    pub retrying: usize,
    pub held: usize,
    pub errors: usize,
}

impl TickReport {
    fn add(&mut self, o: &TickReport) {
        self.posted += o.posted;
        self.skipped += o.skipped;
        self.paused += o.paused;
        self.retrying += o.retrying;
        self.held += o.held;
        self.errors += o.errors;
    }

    /// Whether anything happened worth an INFO line (a tick that only saw held slots did not).
    pub fn eventful(&self) -> bool {
        self.posted + self.skipped + self.paused + self.retrying + self.errors > 0
    }
}

pub struct Runner {
    pub store: Arc<dyn Store>,
    pub engine: Arc<SharedEngine>,
    pub poster: Arc<dyn Poster>,
    /// Identifies this process's claims.
    pub owner: String,
    /// How late a post may still be made (`MARQUEE_CATCHUP_HOURS`; its default is
    /// `config::DEFAULT_CATCHUP_HOURS`).
    pub window: Duration,
    /// After this long, an unrecorded claim is presumed abandoned by a crash.
    pub lease: Duration,
    /// The first retry's wait; each further one doubles it (30 s, 1 min, 2 min, … 32 min).
    pub backoff: Duration,
    /// Slots posted at once by this process: one slow channel holds only its own place.
    pub concurrency: usize,
    /// Slots known to be posted or skipped: ticks skip them without asking the database.
    done: Mutex<HashSet<(i64, NaiveDate)>>,
    /// Slots a tick of this process is working on: an overlapping tick leaves them alone.
    busy: Mutex<HashSet<(i64, NaiveDate)>>,
}

pub const LEASE_SECONDS: i64 = 60;
pub const BACKOFF_SECONDS: i64 = 30;
/// Posts in flight per process: enough to keep Discord's 50 requests/s busy while a few calls
/// wait out their deadline.
pub const CONCURRENCY: usize = 64;

/// The nonce of a slot's message: the same on every retry, so Discord creates it once.
pub fn nonce(subscription_id: i64, date: NaiveDate) -> String {
    format!("h{subscription_id}d{}", date.format("%Y%m%d"))
}

/// The wait after failed attempt `attempt` (from 1): `base`, then doubling, at most 64 × `base`.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    base * 2i32.pow(attempt.saturating_sub(1).min(6))
}

/// Releases a slot from `busy` when its work ends, however it ends.
struct BusyGuard<'a>(&'a Runner, (i64, NaiveDate));

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.busy.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.1);
    }
}

impl Runner {
    pub fn new(
        store: Arc<dyn Store>,
        engine: Arc<SharedEngine>,
        poster: Arc<dyn Poster>,
        owner: String,
        window: Duration,
        lease: Duration,
    ) -> Runner {
        Runner {
            store,
            engine,
            poster,
            owner,
            window,
            lease,
            backoff: Duration::seconds(BACKOFF_SECONDS),
            concurrency: CONCURRENCY,
            done: Mutex::default(),
            busy: Mutex::default(),
        }
    }

    fn is_done(&self, id: i64, date: NaiveDate) -> bool {
        self.done.lock().unwrap_or_else(|e| e.into_inner()).contains(&(id, date))
    }

    fn mark_done(&self, id: i64, date: NaiveDate) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        done.insert((id, date));
        // Only yesterday and today are ever looked at: forget older days.
        if done.len() > 4096 {
            let newest = done.iter().map(|(_, d)| *d).max().unwrap_or(date);
            done.retain(|(_, d)| newest - *d <= Duration::days(3));
        }
    }

    fn take(&self, id: i64, date: NaiveDate) -> Option<BusyGuard<'_>> {
        // The lock is released before a guard exists: dropping one takes the lock again.
        let fresh = self.busy.lock().unwrap_or_else(|e| e.into_inner()).insert((id, date));
        fresh.then(|| BusyGuard(self, (id, date)))
    }

    /// Does everything due at `now`: the due slots are posted concurrently (at most
    /// `concurrency` at once). Never panics; problems are logged and counted.
    pub async fn tick(&self, now: DateTime<Utc>) -> TickReport {
        // The tick's clock: `now` plus the time spent since, so that a claim or a retry time
        // set late in a long tick is not dated at its start.
        let started = std::time::Instant::now();
        let clock = move || now + Duration::from_std(started.elapsed()).unwrap_or_default();
        let mut report = TickReport::default();
        let subscriptions = match self.store.subscriptions(None).await {
            Ok(s) => s,
            Err(e) => {
                error!(error = %Chain(&e), "highlights: cannot read subscriptions; will retry");
                report.errors += 1;
                return report;
            }
        };
        let mut due = Vec::new();
        for sub in subscriptions.into_iter().filter(|s| s.paused.is_none()) {
            let Some(tz) = schedule::parse_timezone(&sub.timezone) else {
                warn!(subscription = sub.id, timezone = %sub.timezone, "highlights: unknown timezone; pausing");
                let id = sub.id;
                let paused = self.store.pause(id, "unknown timezone").await;
                logged(paused, id, "pause the subscription", &mut report);
                report.paused += 1;
                continue;
            };
            for slot in schedule::slots(sub.time, tz, sub.created_at, now, self.window) {
                let (Slot::Missed { date, .. } | Slot::Due { date, .. }) = slot;
                if self.is_done(sub.id, date) {
                    continue;
                }
                match slot {
                    Slot::Missed { date, at } => {
                        let id = sub.id;
                        match self.store.record_skip(id, date, "not posted within the catch-up window").await
                        {
                            Ok(true) => {
                                warn!(subscription = id, %date, scheduled = %at, "highlights: missed the catch-up window; skipping the day");
                                report.skipped += 1;
                                self.mark_done(id, date);
                            }
                            Ok(false) => self.mark_done(id, date),
                            Err(e) => {
                                error!(error = %Chain(&e), "highlights: cannot record a skip");
                                report.errors += 1;
                            }
                        }
                    }
                    Slot::Due { date, at } => due.push((sub.clone(), date, at)),
                }
            }
        }
        let reports: Vec<TickReport> = serenity::futures::stream::iter(due)
            .map(|(sub, date, at)| async move {
                let mut r = TickReport::default();
                if let Some(_busy) = self.take(sub.id, date) {
                    self.post_slot(&sub, date, at, &clock, &mut r).await;
                }
                r
            })
            .buffer_unordered(self.concurrency.max(1))
            .collect()
            .await;
        for r in &reports {
            report.add(r);
        }
        report
    }

    async fn post_slot(
        &self,
        sub: &Subscription,
        date: NaiveDate,
        scheduled: DateTime<Utc>,
        clock: &(impl Fn() -> DateTime<Utc> + Sync),
        report: &mut TickReport,
    ) {
        let id = sub.id;
        let claim = match self.store.claim(id, date, &self.owner, clock(), self.lease).await {
            Ok(c) => c,
            Err(e) => {
                warn!(subscription = id, error = %Chain(&e), "highlights: cannot claim a slot; will retry");
                report.errors += 1;
                return;
            }
        };
        let attempt = match claim {
            Claim::Mine { attempt } => attempt,
            Claim::Held => {
                report.held += 1;
                return;
            }
            Claim::Done => {
                self.mark_done(id, date);
                return;
            }
        };
        let rotation = match self.store.rotation(sub.guild_id, date).await {
            Ok(r) => r,
            Err(e) => {
                error!(error = %Chain(&e), "highlights: cannot read the rotation");
                report.errors += 1;
                return;
            }
        };
        // The server's language, as Discord reported it when the channel was subscribed.
        let lang = crate::locale::Lang::from_discord(sub.locale.as_deref());
        let Some(reply) = today_reply(&self.engine.get(), &rotation, date, lang) else { return };
        if attempt > 1 {
            // An earlier attempt may have reached Discord before its process died or its
            // answer was lost; Discord's nonce check only spans minutes, so look first. No
            // attempt can have posted before the slot's time (a minute's margin for clocks).
            let marks = PostMarks {
                content: reply.content.clone().unwrap_or_default(),
                title: reply.embeds.first().map(|e| e.title.clone()),
            };
            let since = scheduled - Duration::minutes(1);
            match self.poster.find_post(sub.channel_id, since, &marks).await {
                Ok(Some(message_id)) => {
                    info!(subscription = id, %date, attempt, "highlights: an earlier attempt had posted; recording it");
                    match self.store.record_post(id, date, message_id).await {
                        Ok(()) => self.mark_done(id, date),
                        Err(e) => {
                            error!(subscription = id, error = %Chain(&e), "highlights: found the post but could not record it")
                        }
                    }
                    report.posted += 1;
                    return;
                }
                Ok(None) => {}
                // Not knowing is no licence to post: after an outage longer than Discord's
                // nonce window that would be a second post. (A 403 here is a missing Read
                // Message History, not a lost channel: the create decides that.)
                Err(e) => {
                    let (reason, after) = match e {
                        PostError::Retry { reason, after } => (reason, after),
                        PostError::Gone(reason) => (reason, None),
                    };
                    let why = format!("cannot check for an earlier post ({reason})");
                    self.retry(sub, date, attempt, clock(), after, &why, report).await;
                    return;
                }
            }
        }
        let mut body = message_body(&reply);
        body["nonce"] = Value::String(nonce(id, date));
        body["enforce_nonce"] = Value::Bool(true);
        match self.poster.post(sub.channel_id, &body).await {
            Ok(message_id) => {
                match self.store.record_post(id, date, message_id).await {
                    Ok(()) => {
                        self.mark_done(id, date);
                        info!(subscription = id, channel = sub.channel_id, %date, attempt, "highlights: posted")
                    }
                    // Posted but not recorded: the claim is retaken after the lease, and the
                    // retry finds this message (or Discord's nonce check does) before posting.
                    Err(e) => {
                        error!(subscription = id, error = %Chain(&e), "highlights: posted but could not record it")
                    }
                }
                report.posted += 1;
            }
            Err(PostError::Gone(reason)) => {
                warn!(subscription = id, channel = sub.channel_id, %reason, "highlights: channel unavailable; pausing the subscription");
                let paused = self.store.pause(id, &reason).await;
                logged(paused, id, "pause the subscription", report);
                let skipped = self.store.record_skip(id, date, &reason).await.map(drop);
                logged(skipped, id, "record the skipped day", report);
                report.paused += 1;
            }
            Err(PostError::Retry { reason, after }) => {
                self.retry(sub, date, attempt, clock(), after, &format!("post failed: {reason}"), report)
                    .await;
            }
        }
    }

    /// Holds the slot until the backoff of `attempt` (or a longer `retry_after`) has passed,
    /// counted from `failed_at`, the moment of the failure.
    #[allow(clippy::too_many_arguments)]
    async fn retry(
        &self,
        sub: &Subscription,
        date: NaiveDate,
        attempt: u32,
        failed_at: DateTime<Utc>,
        after: Option<std::time::Duration>,
        why: &str,
        report: &mut TickReport,
    ) {
        let id = sub.id;
        let wait = backoff(self.backoff, attempt)
            .max(after.and_then(|a| Duration::from_std(a).ok()).unwrap_or_default());
        // Whole seconds, rounded up: a store may keep no finer time, and a retry must not
        // come early.
        let retry_at = failed_at + wait;
        let retry_at = DateTime::from_timestamp(
            retry_at.timestamp() + i64::from(retry_at.timestamp_subsec_nanos() > 0),
            0,
        )
        .unwrap_or(retry_at);
        warn!(subscription = id, channel = sub.channel_id, %date, attempt, %retry_at, "highlights: {why}; will retry");
        let later = self.store.retry_later(id, date, retry_at).await;
        logged(later, id, "schedule the retry", report);
        report.retrying += 1;
    }
}

/// A store call whose failure must not stop the tick: logged where it happens and counted, so
/// an operator sees why a subscription was not paused or a retry not scheduled.
fn logged(result: Result<(), StoreError>, subscription: i64, what: &str, report: &mut TickReport) {
    if let Err(e) = result {
        error!(subscription, error = %Chain(&e), "highlights: could not {what}; will try again on a later tick");
        report.errors += 1;
    }
}
