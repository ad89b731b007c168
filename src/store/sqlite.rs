//! The embedded SQLite store (rusqlite, SQLite compiled in: nothing to install).
//!
//! One connection behind a mutex: the bot's database work is a few rows a minute. WAL mode and
//! a busy timeout let a second process share the file; `BEGIN IMMEDIATE` makes each claim an
//! atomic read-then-write across processes. Migrations are numbered and applied at open.

use super::bulk::{Bulk, CopyError, Counts, SlotRecord, Writer};
use super::{Claim, Result, Rotation, SlotRow, Store, StoreError, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// `migrations/sqlite/NNNN_*.sql`: file N takes the schema from version N-1 to N
/// (`PRAGMA user_version`). Never edit a released file: add the next one.
const MIGRATIONS: &[&str] =
    &[include_str!("migrations/sqlite/0001_tables.sql"), include_str!("migrations/sqlite/0002_locale.sql")];

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy(e.to_string()),
        _ => StoreError::Other(e.to_string()),
    }
}

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn from_ts(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date. A file
    /// that is not a database, or a newer schema, is an error naming the file: it is never
    /// overwritten, so no subscription is lost.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let open_err = |message: String| StoreError::Open { path: path.display().to_string(), message };
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(|e| open_err(e.to_string()))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_err(format!("{e} (is it a Marquee database? it was left untouched)")))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| open_err(e.to_string()))?;
        // WAL's recommended durability: no fsync per commit, never corrupt; a power cut may
        // lose the last commits, which the re-post check of the scheduler tolerates.
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| open_err(e.to_string()))?;
        if version as usize > MIGRATIONS.len() {
            return Err(open_err(format!(
                "schema version {version} is newer than this Marquee knows ({}); upgrade Marquee",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction().map_err(|e| open_err(e.to_string()))?;
            tx.execute_batch(sql).map_err(|e| open_err(format!("migration {}: {e}", i + 1)))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(|e| open_err(e.to_string()))?;
            tx.commit().map_err(|e| open_err(e.to_string()))?;
        }
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn subscription(r: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    let time: String = r.get(3)?;
    Ok(Subscription {
        id: r.get(0)?,
        guild_id: r.get::<_, i64>(1)? as u64,
        channel_id: r.get::<_, i64>(2)? as u64,
        time: NaiveTime::parse_from_str(&time, "%H:%M").unwrap_or_default(),
        timezone: r.get(4)?,
        paused: r.get(5)?,
        created_at: from_ts(r.get(6)?),
        locale: r.get(7)?,
    })
}

const SUBSCRIPTION_COLUMNS: &str = "id, guild_id, channel_id, time, timezone, paused, created_at, locale";

impl Store for SqliteStore {
    fn subscribe_with_locale(
        &self,
        guild_id: u64,
        channel_id: u64,
        time: NaiveTime,
        timezone: &str,
        locale: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let conn = self.conn();
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
        )
        .map_err(err)?;
        conn.query_row(
            &format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE channel_id = ?1"),
            params![channel_id as i64],
            subscription,
        )
        .map_err(err)
    }

    fn unsubscribe(&self, guild_id: u64, channel_id: Option<u64>) -> Result<usize> {
        let conn = self.conn();
        match channel_id {
            Some(c) => conn.execute(
                "DELETE FROM subscriptions WHERE guild_id = ?1 AND channel_id = ?2",
                params![guild_id as i64, c as i64],
            ),
            None => conn.execute("DELETE FROM subscriptions WHERE guild_id = ?1", params![guild_id as i64]),
        }
        .map_err(err)
    }

    fn ping(&self) -> Result<()> {
        self.conn().query_row("SELECT 1", [], |_| Ok(())).map_err(err)
    }

    fn subscriptions(&self, guild_id: Option<u64>) -> Result<Vec<Subscription>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE ?1 IS NULL OR guild_id = ?1 ORDER BY id"
            ))
            .map_err(err)?;
        let rows = stmt.query_map(params![guild_id.map(|g| g as i64)], subscription).map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
    }

    fn pause(&self, subscription_id: i64, reason: &str) -> Result<()> {
        self.conn()
            .execute("UPDATE subscriptions SET paused = ?2 WHERE id = ?1", params![subscription_id, reason])
            .map_err(err)?;
        Ok(())
    }

    fn rotation(&self, guild_id: u64, today: NaiveDate) -> Result<Rotation> {
        let conn = self.conn();
        let seed = super::fresh_seed(guild_id);
        conn.execute(
            "INSERT INTO rotations (guild_id, seed, epoch) VALUES (?1, ?2, ?3) ON CONFLICT (guild_id) DO NOTHING",
            params![guild_id as i64, seed as i64, date_str(today)],
        )
        .map_err(err)?;
        conn.query_row(
            "SELECT seed, epoch FROM rotations WHERE guild_id = ?1",
            params![guild_id as i64],
            |r| Ok(Rotation { seed: r.get::<_, i64>(0)? as u64, epoch: parse_date(&r.get::<_, String>(1)?) }),
        )
        .map_err(err)
    }

    fn claim(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        owner: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<Claim> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        struct Row {
            state: String,
            claimed_at: Option<i64>,
            retry_at: Option<i64>,
            attempts: u32,
        }
        let row: Option<Row> = tx
            .query_row(
                "SELECT state, claimed_at, retry_at, attempts FROM slots
                 WHERE subscription_id = ?1 AND local_date = ?2",
                params![subscription_id, date_str(date)],
                |r| {
                    Ok(Row {
                        state: r.get(0)?,
                        claimed_at: r.get(1)?,
                        retry_at: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(err)?;
        let claim = match row {
            None => {
                tx.execute(
                    "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, attempts)
                     VALUES (?1, ?2, 'claimed', ?3, ?4, 1)",
                    params![subscription_id, date_str(date), owner, now.timestamp()],
                )
                .map_err(err)?;
                Claim::Mine { attempt: 1 }
            }
            Some(row) if row.state != "claimed" => Claim::Done,
            Some(Row { claimed_at, retry_at, attempts, .. }) => {
                // After a failure the holder set a retry time: it replaces the lease, so the
                // backoff holds however long it is; whoever comes then may retry. Without one,
                // the claim is taken over when the lease runs out (its holder crashed).
                let free = match retry_at {
                    Some(t) => now.timestamp() >= t,
                    None => claimed_at.is_none_or(|t| now.timestamp() - t >= lease.num_seconds()),
                };
                if free {
                    tx.execute(
                        "UPDATE slots SET owner = ?3, claimed_at = ?4, retry_at = NULL, attempts = attempts + 1
                         WHERE subscription_id = ?1 AND local_date = ?2",
                        params![subscription_id, date_str(date), owner, now.timestamp()],
                    )
                    .map_err(err)?;
                    Claim::Mine { attempt: attempts + 1 }
                } else {
                    Claim::Held
                }
            }
        };
        tx.commit().map_err(err)?;
        Ok(claim)
    }

    fn record_post(&self, subscription_id: i64, date: NaiveDate, message_id: u64) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE slots SET state = 'posted', message_id = ?3, retry_at = NULL
                 WHERE subscription_id = ?1 AND local_date = ?2",
                params![subscription_id, date_str(date), message_id as i64],
            )
            .map_err(err)?;
        Ok(())
    }

    fn retry_later(&self, subscription_id: i64, date: NaiveDate, retry_at: DateTime<Utc>) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE slots SET retry_at = ?3 WHERE subscription_id = ?1 AND local_date = ?2 AND state = 'claimed'",
                params![subscription_id, date_str(date), retry_at.timestamp()],
            )
            .map_err(err)?;
        Ok(())
    }

    fn record_skip(&self, subscription_id: i64, date: NaiveDate, reason: &str) -> Result<bool> {
        let conn = self.conn();
        let inserted = conn
            .execute(
                "INSERT INTO slots (subscription_id, local_date, state, reason) VALUES (?1, ?2, 'skipped', ?3)
                 ON CONFLICT (subscription_id, local_date) DO NOTHING",
                params![subscription_id, date_str(date), reason],
            )
            .map_err(err)?;
        if inserted == 0 {
            // A claimed slot can be given up too (the channel is gone).
            let updated = conn
                .execute(
                    "UPDATE slots SET state = 'skipped', reason = ?3
                     WHERE subscription_id = ?1 AND local_date = ?2 AND state = 'claimed'",
                    params![subscription_id, date_str(date), reason],
                )
                .map_err(err)?;
            return Ok(updated > 0);
        }
        Ok(true)
    }

    fn slots(&self) -> Result<Vec<SlotRow>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT subscription_id, local_date, state, message_id FROM slots ORDER BY subscription_id, local_date")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SlotRow {
                    subscription_id: r.get(0)?,
                    date: parse_date(&r.get::<_, String>(1)?),
                    state: r.get(2)?,
                    message_id: r.get::<_, Option<i64>>(3)?.map(|m| m as u64),
                })
            })
            .map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
    }
}

/// A stored date or time this Marquee cannot read: `db copy` refuses it rather than copy a
/// default in its place.
fn unreadable(what: String) -> StoreError {
    StoreError::Other(format!("{what}: the row was left as it is, nothing was copied"))
}

fn strict_date(s: &str, row: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| unreadable(format!("{row}: date {s:?} is not YYYY-MM-DD")))
}

fn timestamp(ts: Option<i64>) -> Option<DateTime<Utc>> {
    ts.map(from_ts)
}

impl Bulk for SqliteStore {
    fn all_subscriptions(&self) -> Result<Vec<Subscription>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY id"))
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| Ok((subscription(r)?, r.get::<_, String>(3)?)))
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(err)?;
        rows.into_iter()
            .map(|(sub, time)| match NaiveTime::parse_from_str(&time, "%H:%M") {
                Ok(_) => Ok(sub),
                Err(_) => Err(unreadable(format!("subscription {}: time {time:?} is not HH:MM", sub.id))),
            })
            .collect()
    }

    fn all_rotations(&self) -> Result<Vec<(u64, Rotation)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT guild_id, seed, epoch FROM rotations ORDER BY guild_id").map_err(err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(err)?;
        rows.into_iter()
            .map(|(guild, seed, epoch)| {
                let epoch = strict_date(&epoch, &format!("rotation of server {guild}"))?;
                Ok((guild as u64, Rotation { seed: seed as u64, epoch }))
            })
            .collect()
    }

    fn slots_after(&self, after: Option<(i64, NaiveDate)>, limit: usize) -> Result<Vec<SlotRecord>> {
        let (id, date) = after.map_or((i64::MIN, String::new()), |(id, d)| (id, date_str(d)));
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT subscription_id, local_date, state, owner, claimed_at, retry_at, attempts, message_id, reason
                 FROM slots WHERE (subscription_id, local_date) > (?1, ?2)
                 ORDER BY subscription_id, local_date LIMIT ?3",
            )
            .map_err(err)?;
        let mut rows = stmt.query(params![id, date, limit as i64]).map_err(err)?;
        let mut page = Vec::with_capacity(limit);
        while let Some(r) = rows.next().map_err(err)? {
            let subscription_id: i64 = r.get(0).map_err(err)?;
            let date: String = r.get(1).map_err(err)?;
            page.push(SlotRecord {
                subscription_id,
                date: strict_date(&date, &format!("slot of subscription {subscription_id}"))?,
                state: r.get(2).map_err(err)?,
                owner: r.get(3).map_err(err)?,
                claimed_at: timestamp(r.get(4).map_err(err)?),
                retry_at: timestamp(r.get(5).map_err(err)?),
                attempts: r.get(6).map_err(err)?,
                message_id: r.get(7).map_err(err)?,
                reason: r.get(8).map_err(err)?,
            });
        }
        Ok(page)
    }

    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Writer) -> std::result::Result<(), CopyError>,
    ) -> Result<std::result::Result<(), CopyError>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let outcome = work(&mut SqliteWriter { tx: &tx });
        if outcome.is_ok() {
            tx.commit().map_err(err)?;
        }
        // Otherwise dropping `tx` rolls back.
        Ok(outcome)
    }
}

struct SqliteWriter<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl Writer for SqliteWriter<'_> {
    fn counts(&mut self) -> Result<Counts> {
        self.tx
            .query_row(
                "SELECT (SELECT count(*) FROM subscriptions), (SELECT count(*) FROM rotations),
                        (SELECT count(*) FROM slots)",
                [],
                |r| {
                    let n = |i| r.get::<_, i64>(i).map(|n| n as u64);
                    Ok(Counts { subscriptions: n(0)?, rotations: n(1)?, slots: n(2)? })
                },
            )
            .map_err(err)
    }

    fn clear(&mut self) -> Result<()> {
        self.tx
            .execute_batch("DELETE FROM slots; DELETE FROM rotations; DELETE FROM subscriptions;")
            .map_err(err)
    }

    fn subscriptions(&mut self, rows: &[Subscription]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO subscriptions (id, guild_id, channel_id, time, timezone, paused, created_at, locale)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(err)?;
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
            ])
            .map_err(err)?;
        }
        Ok(())
    }

    fn rotations(&mut self, rows: &[(u64, Rotation)]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("INSERT INTO rotations (guild_id, seed, epoch) VALUES (?1, ?2, ?3)")
            .map_err(err)?;
        for (guild, r) in rows {
            stmt.execute(params![*guild as i64, r.seed as i64, date_str(r.epoch)]).map_err(err)?;
        }
        Ok(())
    }

    fn slots(&mut self, rows: &[SlotRecord]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, retry_at, attempts,
                                    message_id, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(err)?;
        for s in rows {
            stmt.execute(params![
                s.subscription_id,
                date_str(s.date),
                s.state,
                s.owner,
                s.claimed_at.map(|t| t.timestamp()),
                s.retry_at.map(|t| t.timestamp()),
                s.attempts,
                s.message_id,
                s.reason
            ])
            .map_err(err)?;
        }
        Ok(())
    }
}
