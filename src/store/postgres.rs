//! The PostgreSQL store: one database shared by every bot and endpoint process.
//!
//! The synchronous `postgres` client (callers already run store work on blocking threads), one
//! connection per process behind a mutex, re-established after the server restarts or the
//! network drops. Each claim is a single conditional `INSERT … ON CONFLICT DO NOTHING` or
//! `UPDATE … WHERE <stale>`: PostgreSQL's row locks make two processes racing for one slot see
//! exactly one winner, with no explicit transaction held across a round trip.
//! The URL and its TLS parameters are read by `pg_target`.

use super::location::redact;
use super::pg_target::Target;
use super::{Claim, Result, Rotation, SlotRow, Store, StoreError, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};
use std::collections::HashMap;
use std::sync::Mutex;

/// Each entry upgrades the schema by one version (`marquee_schema.version`). Never edit a
/// released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: subscriptions, rotations, slots (the same model as the SQLite store).
    "CREATE TABLE subscriptions (
        id BIGSERIAL PRIMARY KEY,
        guild_id BIGINT NOT NULL,
        channel_id BIGINT NOT NULL UNIQUE,
        time TIME NOT NULL,
        timezone TEXT NOT NULL,
        paused TEXT,
        created_at TIMESTAMPTZ NOT NULL
     );
     CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
     CREATE TABLE rotations (
        guild_id BIGINT PRIMARY KEY,
        seed BIGINT NOT NULL,
        epoch DATE NOT NULL
     );
     CREATE TABLE slots (
        subscription_id BIGINT NOT NULL,
        local_date DATE NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('claimed', 'posted', 'skipped')),
        owner TEXT,
        claimed_at TIMESTAMPTZ,
        retry_at TIMESTAMPTZ,
        attempts INTEGER NOT NULL DEFAULT 0,
        message_id BIGINT,
        reason TEXT,
        PRIMARY KEY (subscription_id, local_date)
     );",
    // 2: the server's language for its posts (Discord's guild_locale); NULL means English.
    "ALTER TABLE subscriptions ADD COLUMN locale TEXT;",
];

/// Serialises migrations of processes that start together (any constant shared by all).
const MIGRATION_LOCK: i64 = 0x006d_6172_7175_6565; // "marquee" in ASCII

pub struct PostgresStore {
    target: Target,
    /// The URL without its password, for messages.
    shown: String,
    conn: Mutex<Option<Conn>>,
}

/// A connection and the statements prepared on it: each statement is parsed and planned by the
/// server once per connection, not on every call (a round trip saved per query).
struct Conn {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl Conn {
    fn new(client: Client) -> Conn {
        Conn { client, prepared: HashMap::new() }
    }

    fn statement(&mut self, sql: &'static str) -> std::result::Result<Statement, postgres::Error> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }

    fn execute(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> PgResult<u64> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, params)
    }

    fn query(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        self.client.query(&statement, params)
    }

    fn query_opt(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Option<Row>> {
        let statement = self.statement(sql)?;
        self.client.query_opt(&statement, params)
    }

    fn query_one(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Row> {
        let statement = self.statement(sql)?;
        self.client.query_one(&statement, params)
    }
}

type PgResult<T> = std::result::Result<T, postgres::Error>;

/// The server's message, or the error with its causes ("error performing TLS handshake:
/// invalid peer certificate: UnknownIssuer").
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.ends_with(&next) {
            text = format!("{text}: {next}");
        }
        cause = c.source();
    }
    text
}

/// Ended sessions and momentary conflicts are worth retrying (`Busy`); anything else — a
/// constraint, or a type or parameter mismatch — is not.
fn err(e: postgres::Error) -> StoreError {
    let conflict = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::TOO_MANY_CONNECTIONS,
    ];
    if session_ended(&e) || e.code().is_some_and(|c| conflict.contains(c)) {
        StoreError::Busy(describe(&e))
    } else {
        StoreError::Other(describe(&e))
    }
}

/// Whether `e` means the session is over (the client may learn it a moment later): the socket
/// failed or closed, a connection exception (class 08), or an operator's intervention (57P:
/// the server shut down or terminated this backend). The next call reconnects.
fn session_ended(e: &postgres::Error) -> bool {
    match e.code() {
        None => {
            e.is_closed()
                || std::error::Error::source(e).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
        }
        Some(code) => code.code().starts_with("08") || code.code().starts_with("57P"),
    }
}

fn subscription(r: &Row) -> Subscription {
    Subscription {
        id: r.get(0),
        guild_id: r.get::<_, i64>(1) as u64,
        channel_id: r.get::<_, i64>(2) as u64,
        time: r.get(3),
        timezone: r.get(4),
        paused: r.get(5),
        created_at: r.get(6),
        locale: r.get(7),
    }
}

/// The columns `subscription` reads, as a literal so that statements using them stay `'static`.
macro_rules! subscription_columns {
    () => {
        "id, guild_id, channel_id, time, timezone, paused, created_at, locale"
    };
}

impl PostgresStore {
    /// Connects and brings the schema up to date. Several processes may start at once: the
    /// migration runs under an advisory lock, so each step is applied exactly once.
    pub fn open(url: &str) -> Result<PostgresStore> {
        let shown = redact(url);
        let open_err = |message: String| StoreError::Open { path: shown.clone(), message };
        let target = Target::parse(url, true).map_err(open_err)?;
        let store = PostgresStore { target, shown: shown.clone(), conn: Mutex::new(None) };
        off_async(|| {
            let mut client = store.connect().map_err(|e| open_err(describe(&e)))?;
            migrate(&mut client).map_err(open_err)?;
            *store.conn.lock().unwrap_or_else(|e| e.into_inner()) = Some(Conn::new(client));
            Ok(())
        })?;
        Ok(store)
    }

    fn connect(&self) -> std::result::Result<Client, postgres::Error> {
        match &self.target.tls {
            Some(tls) => self.target.config.connect(tls.clone()),
            None => self.target.config.connect(NoTls),
        }
    }

    /// Runs `f` on the connection, reconnecting first if it was lost.
    fn with<T: Send>(&self, f: impl FnOnce(&mut Conn) -> PgResult<T> + Send) -> Result<T> {
        off_async(|| {
            let mut slot = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            if slot.as_ref().is_none_or(|c| c.client.is_closed()) {
                let client = self.connect().map_err(|e| {
                    StoreError::Busy(format!("cannot connect to {}: {}", self.shown, describe(&e)))
                })?;
                *slot = Some(Conn::new(client));
            }
            let Some(conn) = slot.as_mut() else { unreachable!("connected above") };
            let result = f(conn);
            if let Err(e) = &result {
                if conn.client.is_closed() || session_ended(e) {
                    *slot = None;
                }
            }
            result.map_err(err)
        })
    }
}

/// The `postgres` client blocks on a runtime of its own, which panics on a thread that is
/// already driving an async runtime. The scheduler calls the store from blocking threads, but
/// `Store` is a plain trait that anyone may call anywhere (as SQLite allows). On a
/// multi-threaded runtime `block_in_place` makes that legal (and costs nothing on a blocking
/// thread); a current-thread runtime cannot give its thread away, so the call runs on a
/// short-lived thread of its own.
fn off_async<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => f(),
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        Ok(_) => {
            std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Closing the connection blocks on the client's runtime too. The last handle may go
        // while a runtime shuts down, where `block_in_place` is best avoided: a thread of its own.
        if let Some(conn) = self.conn.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = std::thread::spawn(move || drop(conn)).join();
        }
    }
}

fn migrate(client: &mut Client) -> std::result::Result<(), String> {
    let mut tx = client.transaction().map_err(|e| describe(&e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(|e| describe(&e))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS marquee_schema (version INTEGER NOT NULL)")
        .map_err(|e| describe(&e))?;
    let version: i32 =
        match tx.query_opt("SELECT version FROM marquee_schema", &[]).map_err(|e| describe(&e))? {
            Some(row) => row.get(0),
            None => {
                tx.execute("INSERT INTO marquee_schema (version) VALUES (0)", &[])
                    .map_err(|e| describe(&e))?;
                0
            }
        };
    if version as usize > MIGRATIONS.len() {
        return Err(format!(
            "schema version {version} is newer than this Marquee knows ({}); upgrade Marquee",
            MIGRATIONS.len()
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(|e| format!("migration {}: {}", i + 1, describe(&e)))?;
        tx.execute("UPDATE marquee_schema SET version = $1", &[&((i + 1) as i32)])
            .map_err(|e| describe(&e))?;
    }
    tx.commit().map_err(|e| describe(&e))
}

impl Store for PostgresStore {
    fn subscribe_with_locale(
        &self,
        guild_id: u64,
        channel_id: u64,
        time: NaiveTime,
        timezone: &str,
        locale: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        self.with(|c| {
            c.query_one(
                concat!(
                    "INSERT INTO subscriptions (guild_id, channel_id, time, timezone, paused, created_at, locale)
                     VALUES ($1, $2, $3, $4, NULL, $5, $6)
                     ON CONFLICT (channel_id) DO UPDATE SET
                        guild_id = excluded.guild_id, time = excluded.time, timezone = excluded.timezone,
                        paused = NULL, created_at = excluded.created_at, locale = excluded.locale
                     RETURNING ",
                    subscription_columns!()
                ),
                &[&(guild_id as i64), &(channel_id as i64), &time, &timezone, &now, &locale],
            )
            .map(|r| subscription(&r))
        })
    }

    fn unsubscribe(&self, guild_id: u64, channel_id: Option<u64>) -> Result<usize> {
        self.with(|c| {
            c.execute(
                "DELETE FROM subscriptions WHERE guild_id = $1 AND ($2::BIGINT IS NULL OR channel_id = $2)",
                &[&(guild_id as i64), &channel_id.map(|c| c as i64)],
            )
            .map(|n| n as usize)
        })
    }

    fn subscriptions(&self, guild_id: Option<u64>) -> Result<Vec<Subscription>> {
        self.with(|c| {
            c.query(
                concat!(
                    "SELECT ",
                    subscription_columns!(),
                    " FROM subscriptions WHERE $1::BIGINT IS NULL OR guild_id = $1 ORDER BY id"
                ),
                &[&guild_id.map(|g| g as i64)],
            )
            .map(|rows| rows.iter().map(subscription).collect())
        })
    }

    fn pause(&self, subscription_id: i64, reason: &str) -> Result<()> {
        self.with(|c| {
            c.execute("UPDATE subscriptions SET paused = $2 WHERE id = $1", &[&subscription_id, &reason])
                .map(drop)
        })
    }

    fn rotation(&self, guild_id: u64, today: NaiveDate) -> Result<Rotation> {
        let seed = super::fresh_seed(guild_id);
        self.with(|c| {
            c.execute(
                "INSERT INTO rotations (guild_id, seed, epoch) VALUES ($1, $2, $3) ON CONFLICT (guild_id) DO NOTHING",
                &[&(guild_id as i64), &(seed as i64), &today],
            )?;
            let row = c.query_one("SELECT seed, epoch FROM rotations WHERE guild_id = $1", &[&(guild_id as i64)])?;
            Ok(Rotation { seed: row.get::<_, i64>(0) as u64, epoch: row.get(1) })
        })
    }

    fn claim(
        &self,
        subscription_id: i64,
        date: NaiveDate,
        owner: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<Claim> {
        self.with(|c| {
            let fresh = c.query_opt(
                "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, attempts)
                 VALUES ($1, $2, 'claimed', $3, $4, 1)
                 ON CONFLICT (subscription_id, local_date) DO NOTHING
                 RETURNING attempts",
                &[&subscription_id, &date, &owner, &now],
            )?;
            if fresh.is_some() {
                return Ok(Claim::Mine { attempt: 1 });
            }
            // Taken over when its holder's lease ran out (it crashed) or its retry time came
            // (after a 429/5xx). A racing process blocks on the row lock, then re-checks the
            // condition against the winner's update and finds nothing to take.
            let taken = c.query_opt(
                "UPDATE slots SET owner = $3, claimed_at = $4, retry_at = NULL, attempts = attempts + 1
                 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'
                   AND (claimed_at IS NULL OR claimed_at <= $5 OR retry_at <= $4)
                 RETURNING attempts",
                &[&subscription_id, &date, &owner, &now, &(now - lease)],
            )?;
            if let Some(row) = taken {
                return Ok(Claim::Mine { attempt: row.get::<_, i32>(0) as u32 });
            }
            let state = c.query_opt(
                "SELECT state FROM slots WHERE subscription_id = $1 AND local_date = $2",
                &[&subscription_id, &date],
            )?;
            Ok(match state.map(|r| r.get::<_, String>(0)) {
                Some(s) if s != "claimed" => Claim::Done,
                _ => Claim::Held,
            })
        })
    }

    fn record_post(&self, subscription_id: i64, date: NaiveDate, message_id: u64) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE slots SET state = 'posted', message_id = $3, retry_at = NULL
                 WHERE subscription_id = $1 AND local_date = $2",
                &[&subscription_id, &date, &(message_id as i64)],
            )
            .map(drop)
        })
    }

    fn retry_later(&self, subscription_id: i64, date: NaiveDate, retry_at: DateTime<Utc>) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE slots SET retry_at = $3 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'",
                &[&subscription_id, &date, &retry_at],
            )
            .map(drop)
        })
    }

    fn record_skip(&self, subscription_id: i64, date: NaiveDate, reason: &str) -> Result<bool> {
        self.with(|c| {
            let inserted = c.execute(
                "INSERT INTO slots (subscription_id, local_date, state, reason) VALUES ($1, $2, 'skipped', $3)
                 ON CONFLICT (subscription_id, local_date) DO NOTHING",
                &[&subscription_id, &date, &reason],
            )?;
            if inserted > 0 {
                return Ok(true);
            }
            // A claimed slot can be given up too (the channel is gone).
            let updated = c.execute(
                "UPDATE slots SET state = 'skipped', reason = $3
                 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'",
                &[&subscription_id, &date, &reason],
            )?;
            Ok(updated > 0)
        })
    }

    fn slots(&self) -> Result<Vec<SlotRow>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT subscription_id, local_date, state, message_id FROM slots
                 ORDER BY subscription_id, local_date",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| SlotRow {
                    subscription_id: r.get(0),
                    date: r.get(1),
                    state: r.get(2),
                    message_id: r.get::<_, Option<i64>>(3).map(|m| m as u64),
                })
                .collect())
        })
    }
}
