//! The embedded SQLite store (rusqlite, SQLite compiled in: nothing to install).
//!
//! One connection behind a mutex: the bot's database work is a few rows a minute. rusqlite
//! blocks (and may wait up to the busy timeout for another process's lock), so every call runs
//! on a blocking thread, holding the connection's lock there. WAL mode and a busy timeout let a
//! second process share the file; `BEGIN IMMEDIATE` makes each claim an atomic read-then-write
//! across processes. Migrations are numbered and applied at open.

use super::bulk::{Bulk, Counts, SlotRecord, Writer};
use super::{Cause, Claim, Corrupt, Result, Rotation, SlotState, Store, StoreError, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// `migrations/sqlite/NNNN_*.sql`: file N takes the schema from version N-1 to N
/// (`PRAGMA user_version`). Never edit a released file: add the next one.
const MIGRATIONS: &[&str] =
    &[include_str!("migrations/sqlite/0001_tables.sql"), include_str!("migrations/sqlite/0002_locale.sql")];

pub struct SqliteStore {
    /// An async mutex, owned: a call waits for the connection without holding a thread, then
    /// takes the guard with it to the blocking thread.
    conn: Arc<Mutex<Connection>>,
}

/// A lock held by another process is worth retrying; anything else is not.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                StoreError::Busy(Cause::Sqlite(e))
            }
            _ => StoreError::Failed(Cause::Sqlite(e)),
        }
    }
}

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Reading a stored value, refusing one this Marquee cannot read (see `Corrupt`).
fn date(
    s: &str,
    table: &'static str,
    row: impl FnOnce() -> String,
    column: &'static str,
) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Corrupt::new(table, row(), column, s, "a date (YYYY-MM-DD)").into())
}

fn timestamp(
    ts: i64,
    table: &'static str,
    row: impl FnOnce() -> String,
    column: &'static str,
) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(ts, 0)
        .ok_or_else(|| Corrupt::new(table, row(), column, ts, "a Unix time").into())
}

fn slot_key(subscription_id: i64, date: &str) -> String {
    format!("subscription {subscription_id}, {date}")
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date. A file
    /// that is not a database, or a newer schema, is an error naming the file: it is never
    /// overwritten, so no subscription is lost. Blocking: `Database::open` runs it on a
    /// blocking thread.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        let open_err = |what: &str, e: Option<rusqlite::Error>| StoreError::Open {
            path: shown.clone(),
            what: what.to_string(),
            source: e.map(Cause::Sqlite),
        };
        let conn = Connection::open(path).map_err(|e| open_err("opening", Some(e)))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| open_err("setting the busy timeout", Some(e)))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_err("is it a Marquee database? it was left untouched", Some(e)))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| open_err("turning on WAL", Some(e)))?;
        // WAL's recommended durability: no fsync per commit, never corrupt; a power cut may
        // lose the last commits, which the re-post check of the scheduler tolerates.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| open_err("setting synchronous", Some(e)))?;
        if version as usize > MIGRATIONS.len() {
            let newer = format!(
                "schema version {version} is newer than this Marquee knows ({}); upgrade Marquee",
                MIGRATIONS.len()
            );
            return Err(open_err(&newer, None));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let migration = format!("migration {}", i + 1);
            let step = || -> rusqlite::Result<()> {
                let tx = conn.unchecked_transaction()?;
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "user_version", (i + 1) as i64)?;
                tx.commit()
            };
            step().map_err(|e| open_err(&migration, Some(e)))?;
        }
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    /// The subscriptions of one server, or of all.
    async fn listing(&self, guild_id: Option<u64>, unreadable: Unreadable) -> Result<Vec<Subscription>> {
        self.run(move |conn| {
            let sql = concat!(
                "SELECT ",
                subscription_columns!(),
                " FROM subscriptions WHERE ?1 IS NULL OR guild_id = ?1 ORDER BY id"
            );
            subscriptions(conn, sql, params![guild_id.map(|g| g as i64)], unreadable)
        })
        .await
    }

    /// Runs `work` on the connection, on a blocking thread.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let mut conn = self.conn.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || work(&mut conn)).await.map_err(StoreError::Task)?
    }
}

fn subscription(r: &rusqlite::Row<'_>) -> Result<Subscription> {
    let id: i64 = r.get(0)?;
    let key = || format!("subscription {id}");
    let time: String = r.get(3)?;
    Ok(Subscription {
        id,
        guild_id: r.get::<_, i64>(1)? as u64,
        channel_id: r.get::<_, i64>(2)? as u64,
        time: NaiveTime::parse_from_str(&time, "%H:%M")
            .map_err(|_| Corrupt::new("subscriptions", key(), "time", &time, "a time of day (HH:MM)"))?,
        timezone: r.get(4)?,
        paused: r.get(5)?,
        created_at: timestamp(r.get(6)?, "subscriptions", key, "created_at")?,
        locale: r.get(7)?,
    })
}

/// What to do with a subscription row this Marquee cannot read.
#[derive(Clone, Copy)]
enum Unreadable {
    /// Refuse the whole read: a copy must be whole.
    Refuse,
    /// Leave the row out and log it, naming it: one server's unreadable row must not stop
    /// every other server's highlights. The log repeats each time the row is read, until the
    /// operator fixes or removes it.
    Skip,
}

fn subscriptions(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    unreadable: Unreadable,
) -> Result<Vec<Subscription>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut subscriptions = Vec::new();
    while let Some(r) = rows.next()? {
        match (subscription(r), unreadable) {
            (Ok(s), _) => subscriptions.push(s),
            (Err(StoreError::Corrupt(c)), Unreadable::Skip) => {
                tracing::error!(error = %c, "store: leaving out a subscription this Marquee cannot read")
            }
            (Err(e), _) => return Err(e),
        }
    }
    Ok(subscriptions)
}

fn rotation(guild_id: i64, seed: i64, epoch: &str) -> Result<Rotation> {
    let epoch = date(epoch, "rotations", || format!("server {guild_id}"), "epoch")?;
    Ok(Rotation { seed: seed as u64, epoch })
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn subscribe_with_locale(
        &self,
        guild_id: u64,
        channel_id: u64,
        time: NaiveTime,
        timezone: &str,
        locale: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let (timezone, locale) = (timezone.to_string(), locale.map(str::to_string));
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO subscriptions (guild_id, channel_id, time, timezone, paused, created_at, locale)
                 VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)
                 ON CONFLICT (channel_id) DO UPDATE SET
                    guild_id = excluded.guild_id, time = excluded.time, timezone = excluded.timezone,
                    paused = NULL, created_at = excluded.created_at, locale = excluded.locale",
                params![
                    guild_id as i64,
                    channel_id as i64,
                    time.format("%H:%M").to_string(),
                    timezone,
                    now.timestamp(),
                    locale
                ],
            )?;
            let sql =
                concat!("SELECT ", subscription_columns!(), " FROM subscriptions WHERE channel_id = ?1");
            let mut found = subscriptions(conn, sql, params![channel_id as i64], Unreadable::Refuse)?;
            found.pop().ok_or(StoreError::Failed(Cause::Sqlite(rusqlite::Error::QueryReturnedNoRows)))
        })
        .await
    }

    async fn unsubscribe(&self, guild_id: u64, channel_id: Option<u64>) -> Result<usize> {
        self.run(move |conn| {
            Ok(match channel_id {
                Some(c) => conn.execute(
                    "DELETE FROM subscriptions WHERE guild_id = ?1 AND channel_id = ?2",
                    params![guild_id as i64, c as i64],
                ),
                None => {
                    conn.execute("DELETE FROM subscriptions WHERE guild_id = ?1", params![guild_id as i64])
                }
            }?)
        })
        .await
    }

    async fn ping(&self) -> Result<()> {
        self.run(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    async fn subscriptions(&self, guild_id: Option<u64>) -> Result<Vec<Subscription>> {
        self.listing(guild_id, Unreadable::Skip).await
    }

    async fn pause(&self, subscription_id: i64, reason: &str) -> Result<()> {
        let reason = reason.to_string();
        self.run(move |conn| {
            conn.execute(
                "UPDATE subscriptions SET paused = ?2 WHERE id = ?1",
                params![subscription_id, reason],
            )?;
            Ok(())
        })
        .await
    }

    async fn rotation(&self, guild_id: u64, today: NaiveDate) -> Result<Rotation> {
        let seed = super::fresh_seed(guild_id);
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO rotations (guild_id, seed, epoch) VALUES (?1, ?2, ?3) ON CONFLICT (guild_id) DO NOTHING",
                params![guild_id as i64, seed as i64, date_str(today)],
            )?;
            let (seed, epoch): (i64, String) = conn.query_row(
                "SELECT seed, epoch FROM rotations WHERE guild_id = ?1",
                params![guild_id as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            rotation(guild_id as i64, seed, &epoch)
        })
        .await
    }

    async fn claim(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        owner: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<Claim> {
        let owner = owner.to_string();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let day = date_str(date);
            let row: Option<(String, Option<i64>, Option<i64>, u32)> = tx
                .query_row(
                    "SELECT state, claimed_at, retry_at, attempts FROM slots
                     WHERE subscription_id = ?1 AND local_date = ?2",
                    params![subscription_id, day],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let claim = match row {
                None => {
                    tx.execute(
                        "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, attempts)
                         VALUES (?1, ?2, 'claimed', ?3, ?4, 1)",
                        params![subscription_id, day, owner, now.timestamp()],
                    )?;
                    Claim::Mine { attempt: 1 }
                }
                Some((state, claimed_at, retry_at, attempts)) => {
                    if SlotState::parse(&state, || slot_key(subscription_id, &day))? != SlotState::Claimed {
                        Claim::Done
                    } else {
                        // After a failure the holder set a retry time: it replaces the lease, so
                        // the backoff holds however long it is; whoever comes then may retry.
                        // Without one, the claim is taken over when the lease runs out (its
                        // holder crashed).
                        let free = match retry_at {
                            Some(t) => now.timestamp() >= t,
                            None => claimed_at.is_none_or(|t| now.timestamp() - t >= lease.num_seconds()),
                        };
                        if free {
                            tx.execute(
                                "UPDATE slots SET owner = ?3, claimed_at = ?4, retry_at = NULL, attempts = attempts + 1
                                 WHERE subscription_id = ?1 AND local_date = ?2",
                                params![subscription_id, day, owner, now.timestamp()],
                            )?;
                            Claim::Mine { attempt: attempts + 1 }
                        } else {
                            Claim::Held
                        }
                    }
                }
            };
            tx.commit()?;
            Ok(claim)
        })
        .await
    }

    async fn record_post(&self, subscription_id: i64, date: NaiveDate, message_id: u64) -> Result<()> {
        self.run(move |conn| {
            conn.execute(
                "UPDATE slots SET state = 'posted', message_id = ?3, retry_at = NULL
                 WHERE subscription_id = ?1 AND local_date = ?2",
                params![subscription_id, date_str(date), message_id as i64],
            )?;
            Ok(())
        })
        .await
    }

    async fn retry_later(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        retry_at: DateTime<Utc>,
    ) -> Result<()> {
        self.run(move |conn| {
            conn.execute(
                "UPDATE slots SET retry_at = ?3 WHERE subscription_id = ?1 AND local_date = ?2 AND state = 'claimed'",
                params![subscription_id, date_str(date), retry_at.timestamp()],
            )?;
            Ok(())
        })
        .await
    }

    async fn record_skip(&self, subscription_id: i64, date: NaiveDate, reason: &str) -> Result<bool> {
        let reason = reason.to_string();
        self.run(move |conn| {
            let inserted = conn.execute(
                "INSERT INTO slots (subscription_id, local_date, state, reason) VALUES (?1, ?2, 'skipped', ?3)
                 ON CONFLICT (subscription_id, local_date) DO NOTHING",
                params![subscription_id, date_str(date), reason],
            )?;
            if inserted > 0 {
                return Ok(true);
            }
            // A claimed slot can be given up too (the channel is gone).
            let updated = conn.execute(
                "UPDATE slots SET state = 'skipped', reason = ?3
                 WHERE subscription_id = ?1 AND local_date = ?2 AND state = 'claimed'",
                params![subscription_id, date_str(date), reason],
            )?;
            Ok(updated > 0)
        })
        .await
    }
}

fn optional_timestamp(ts: Option<i64>, row: &str, column: &'static str) -> Result<Option<DateTime<Utc>>> {
    ts.map(|t| timestamp(t, "slots", || row.to_string(), column)).transpose()
}

#[async_trait::async_trait]
impl Bulk for SqliteStore {
    async fn all_subscriptions(&self) -> Result<Vec<Subscription>> {
        self.listing(None, Unreadable::Refuse).await
    }

    async fn all_rotations(&self) -> Result<Vec<(u64, Rotation)>> {
        self.run(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT guild_id, seed, epoch FROM rotations ORDER BY guild_id")?;
            let mut rows = stmt.query([])?;
            let mut all = Vec::new();
            while let Some(r) = rows.next()? {
                let guild: i64 = r.get(0)?;
                all.push((guild as u64, rotation(guild, r.get(1)?, &r.get::<_, String>(2)?)?));
            }
            Ok(all)
        })
        .await
    }

    async fn slots_after(&self, after: Option<(i64, NaiveDate)>, limit: usize) -> Result<Vec<SlotRecord>> {
        let (id, day) = after.map_or((i64::MIN, String::new()), |(id, d)| (id, date_str(d)));
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT subscription_id, local_date, state, owner, claimed_at, retry_at, attempts, message_id, reason
                 FROM slots WHERE (subscription_id, local_date) > (?1, ?2)
                 ORDER BY subscription_id, local_date LIMIT ?3",
            )?;
            let mut rows = stmt.query(params![id, day, limit as i64])?;
            let mut page = Vec::with_capacity(limit);
            while let Some(r) = rows.next()? {
                let subscription_id: i64 = r.get(0)?;
                let day: String = r.get(1)?;
                let key = slot_key(subscription_id, &day);
                page.push(SlotRecord {
                    subscription_id,
                    date: date(&day, "slots", || key.clone(), "local_date")?,
                    state: SlotState::parse(&r.get::<_, String>(2)?, || key.clone())?,
                    owner: r.get(3)?,
                    claimed_at: optional_timestamp(r.get(4)?, &key, "claimed_at")?,
                    retry_at: optional_timestamp(r.get(5)?, &key, "retry_at")?,
                    attempts: r.get(6)?,
                    message_id: r.get(7)?,
                    reason: r.get(8)?,
                });
            }
            Ok(page)
        })
        .await
    }

    async fn begin(&self) -> Result<Box<dyn Writer + '_>> {
        let conn = self.conn.clone().lock_owned().await;
        let mut writer = SqliteWriter { conn: Some(conn) };
        writer.run(|conn| Ok(conn.execute_batch("BEGIN IMMEDIATE")?)).await?;
        Ok(Box::new(writer))
    }
}

/// Writes inside one transaction, holding the connection from `begin` to `commit` or
/// `rollback`, so that nothing else runs in the transaction meanwhile.
struct SqliteWriter {
    /// `None` only while a call has it on a blocking thread, or after it was lost there.
    conn: Option<OwnedMutexGuard<Connection>>,
}

impl SqliteWriter {
    async fn run<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let Some(conn) = self.conn.take() else {
            // An earlier call's thread panicked holding the connection (its `Task` error was
            // returned then); its guard went with it.
            let lost = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE);
            let why = "the copy's transaction was lost with an earlier call".to_string();
            return Err(StoreError::Failed(Cause::Sqlite(rusqlite::Error::SqliteFailure(lost, Some(why)))));
        };
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = work(&conn);
            (conn, result)
        })
        .await
        .map_err(StoreError::Task)?;
        self.conn = Some(conn);
        result
    }
}

impl Drop for SqliteWriter {
    /// Neither committed nor rolled back (the copy was abandoned): the transaction is rolled back
    /// here, a local statement quick enough for any thread, before the connection is given back.
    fn drop(&mut self) {
        if let Some(conn) = &self.conn {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
}

#[async_trait::async_trait]
impl Writer for SqliteWriter {
    async fn counts(&mut self) -> Result<Counts> {
        self.run(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT count(*) FROM subscriptions), (SELECT count(*) FROM rotations),
                        (SELECT count(*) FROM slots)",
                [],
                |r| {
                    let n = |i| r.get::<_, i64>(i).map(|n| n as u64);
                    Ok(Counts { subscriptions: n(0)?, rotations: n(1)?, slots: n(2)? })
                },
            )?)
        })
        .await
    }

    async fn clear(&mut self) -> Result<()> {
        self.run(|conn| {
            Ok(conn.execute_batch("DELETE FROM slots; DELETE FROM rotations; DELETE FROM subscriptions;")?)
        })
        .await
    }

    async fn subscriptions(&mut self, rows: &[Subscription]) -> Result<()> {
        let rows = rows.to_vec();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO subscriptions (id, guild_id, channel_id, time, timezone, paused, created_at, locale)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for s in rows {
                stmt.execute(params![
                    s.id,
                    s.guild_id as i64,
                    s.channel_id as i64,
                    s.time.format("%H:%M").to_string(),
                    s.timezone,
                    s.paused,
                    s.created_at.timestamp(),
                    s.locale
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn rotations(&mut self, rows: &[(u64, Rotation)]) -> Result<()> {
        let rows = rows.to_vec();
        self.run(move |conn| {
            let mut stmt =
                conn.prepare_cached("INSERT INTO rotations (guild_id, seed, epoch) VALUES (?1, ?2, ?3)")?;
            for (guild, r) in rows {
                stmt.execute(params![guild as i64, r.seed as i64, date_str(r.epoch)])?;
            }
            Ok(())
        })
        .await
    }

    async fn slots(&mut self, rows: &[SlotRecord]) -> Result<()> {
        let rows = rows.to_vec();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, retry_at, attempts,
                                    message_id, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for s in rows {
                stmt.execute(params![
                    s.subscription_id,
                    date_str(s.date),
                    s.state.as_str(),
                    s.owner,
                    s.claimed_at.map(|t| t.timestamp()),
                    s.retry_at.map(|t| t.timestamp()),
                    s.attempts,
                    s.message_id,
                    s.reason
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        self.run(|conn| Ok(conn.execute_batch("COMMIT")?)).await?;
        self.conn = None;
        Ok(())
    }

    async fn rollback(mut self: Box<Self>) -> Result<()> {
        self.run(|conn| Ok(conn.execute_batch("ROLLBACK")?)).await?;
        self.conn = None;
        Ok(())
    }
}
