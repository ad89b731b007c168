//! The PostgreSQL store: one database shared by every bot and endpoint process.
//!
//! The async client (tokio-postgres) with a small pool of connections (deadpool-postgres,
//! `pool_size` in the URL, 4 by default), so that highlight commands and scheduler ticks that
//! arrive together run side by side instead of queueing behind one connection. A connection
//! the server ended is dropped and the pool opens a fresh one on the next call. Each claim is a
//! single conditional `INSERT … ON CONFLICT DO NOTHING` or `UPDATE … WHERE <stale>`:
//! PostgreSQL's row locks make two processes racing for one slot see exactly one winner, with
//! no explicit transaction held across a round trip. The URL and its TLS parameters are read by
//! `pg_target`.
//!
//! `Store` is a synchronous contract (SQLite is synchronous, and every caller already runs
//! store work on a blocking thread): each call drives its future to completion on the calling
//! thread, while the connections live on a one-thread runtime owned by the store, so the store
//! works the same whoever calls it and from wherever.

use super::bulk::{Bulk, CopyError, Counts, SlotRecord, Writer};
use super::location::redact;
use super::pg_target::Target;
use super::{Claim, Result, Rotation, SlotRow, Store, StoreError, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use deadpool_postgres::{ClientWrapper, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod};
use std::future::Future;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// `migrations/postgres/NNNN_*.sql`: file N takes the schema from version N-1 to N
/// (`marquee_schema.version`). Never edit a released file: add the next one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_tables.sql"),
    include_str!("migrations/postgres/0002_locale.sql"),
];

/// Serialises migrations of processes that start together (any constant shared by all).
const MIGRATION_LOCK: i64 = 0x006d_6172_7175_6565; // "marquee" in ASCII

pub struct PostgresStore {
    /// The URL without its password, for messages.
    shown: String,
    pool: Pool,
    /// Drives the pool's connections; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
}

/// How long a call waits for a free connection before it reports the database busy (a tick of
/// the scheduler retries; a command answers with an apology).
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(10);

type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;

/// Each statement is parsed and planned by the server once per connection, not on every call
/// (a round trip saved per query): the pool keeps the prepared statements of each connection.
async fn query(c: &ClientWrapper, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Vec<Row>> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

async fn query_opt(c: &ClientWrapper, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Option<Row>> {
    let statement = c.prepare_cached(sql).await?;
    c.query_opt(&statement, params).await
}

async fn query_one(c: &ClientWrapper, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Row> {
    let statement = c.prepare_cached(sql).await?;
    c.query_one(&statement, params).await
}

async fn execute(c: &ClientWrapper, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<u64> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}

/// The server's message, or the error with its causes ("error performing TLS handshake:
/// invalid peer certificate: UnknownIssuer").
fn describe(e: &tokio_postgres::Error) -> String {
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
fn err(e: &tokio_postgres::Error) -> StoreError {
    let conflict = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::TOO_MANY_CONNECTIONS,
    ];
    if session_ended(e) || e.code().is_some_and(|c| conflict.contains(c)) {
        StoreError::Busy(describe(e))
    } else {
        StoreError::Other(describe(e))
    }
}

/// Whether `e` means the session is over (the client may learn it a moment later): the socket
/// failed or closed, a connection exception (class 08), or an operator's intervention (57P:
/// the server shut down or terminated this backend).
fn session_ended(e: &tokio_postgres::Error) -> bool {
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

/// Runs `$body` (which reads the connection as `$c`) on a pooled connection of `$store`. A
/// macro, not a function taking a closure: the future's type stays concrete, so the compiler
/// sees that it may move between threads.
macro_rules! with {
    ($store:expr, |$c:ident| $body:expr) => {{
        let store: &PostgresStore = $store;
        store.block(async {
            let client = store.client().await?;
            let result = async {
                let $c: &ClientWrapper = &client;
                $body
            }
            .await;
            store.settle(client, result)
        })
    }};
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
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("marquee-postgres")
            .enable_all()
            .build()
            .map_err(|e| open_err(format!("starting the database runtime: {e}")))?;
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = match target.tls {
            Some(tls) => Manager::from_config(target.config, tls, manager_config),
            None => Manager::from_config(target.config, NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(target.pool_size)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(WAIT_FOR_CONNECTION))
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        let store = PostgresStore { shown: shown.clone(), pool, runtime: Some(runtime) };
        store.block(async {
            let mut client = store.pool.get().await.map_err(|e| open_err(pool_error(e)))?;
            migrate(&mut client).await.map_err(open_err)
        })?;
        Ok(store)
    }

    /// A connection from the pool, opened if none is free and the pool is not full.
    async fn client(&self) -> Result<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Busy(format!("cannot connect to {}: {}", self.shown, pool_error(e))))
    }

    /// `result` of work done on `client`, as a store result. A connection whose session ended is
    /// not put back, and neither are the idle ones (a restarted server ended them all): the next
    /// calls open fresh ones instead of each failing once on a dead connection.
    fn settle<T>(&self, client: Object, result: PgResult<T>) -> Result<T> {
        result.map_err(|e| {
            if session_ended(&e) || client.is_closed() {
                drop(Object::take(client));
                self.pool.retain(|_, _| false);
            }
            err(&e)
        })
    }

    /// Drives `future` to completion on this thread; the connections it uses are driven by the
    /// store's runtime.
    fn block<T: Send>(&self, future: impl Future<Output = T> + Send) -> T {
        let handle = self.runtime.as_ref().expect("the runtime lives as long as the store").handle();
        off_async(|| handle.block_on(future))
    }
}

fn pool_error(e: PoolError) -> String {
    match e {
        PoolError::Backend(e) => describe(&e),
        PoolError::Timeout(_) => {
            format!("every connection stayed busy for {} s", WAIT_FOR_CONNECTION.as_secs())
        }
        other => other.to_string(),
    }
}

/// Waiting on the pool's runtime blocks the thread, which must not be one driving another
/// async runtime. The scheduler and the router call the store from blocking threads, but
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
        // The last handle may go inside an async task, where waiting for the runtime's thread
        // is not allowed: it is told to stop and left to finish on its own.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn migrate(client: &mut Object) -> std::result::Result<(), String> {
    let tx = client.transaction().await.map_err(|e| describe(&e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(|e| describe(&e))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS marquee_schema (version INTEGER NOT NULL)")
        .await
        .map_err(|e| describe(&e))?;
    let version: i32 =
        match tx.query_opt("SELECT version FROM marquee_schema", &[]).await.map_err(|e| describe(&e))? {
            Some(row) => row.get(0),
            None => {
                tx.execute("INSERT INTO marquee_schema (version) VALUES (0)", &[])
                    .await
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
        tx.batch_execute(sql).await.map_err(|e| format!("migration {}: {}", i + 1, describe(&e)))?;
        tx.execute("UPDATE marquee_schema SET version = $1", &[&((i + 1) as i32)])
            .await
            .map_err(|e| describe(&e))?;
    }
    tx.commit().await.map_err(|e| describe(&e))
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
        with!(self, |c| {
            query_one(c, concat!(
                    "INSERT INTO subscriptions (guild_id, channel_id, time, timezone, paused, created_at, locale)
                     VALUES ($1, $2, $3, $4, NULL, $5, $6)
                     ON CONFLICT (channel_id) DO UPDATE SET
                        guild_id = excluded.guild_id, time = excluded.time, timezone = excluded.timezone,
                        paused = NULL, created_at = excluded.created_at, locale = excluded.locale
                     RETURNING ",
                    subscription_columns!()
                ),
                &[&(guild_id as i64), &(channel_id as i64), &time, &timezone, &now, &locale],
            ).await
            .map(|r| subscription(&r))
        })
    }

    fn unsubscribe(&self, guild_id: u64, channel_id: Option<u64>) -> Result<usize> {
        with!(self, |c| {
            execute(
                c,
                "DELETE FROM subscriptions WHERE guild_id = $1 AND ($2::BIGINT IS NULL OR channel_id = $2)",
                &[&(guild_id as i64), &channel_id.map(|c| c as i64)],
            )
            .await
            .map(|n| n as usize)
        })
    }

    fn ping(&self) -> Result<()> {
        with!(self, |c| execute(c, "SELECT 1", &[]).await.map(|_| ()))
    }

    fn subscriptions(&self, guild_id: Option<u64>) -> Result<Vec<Subscription>> {
        with!(self, |c| {
            query(
                c,
                concat!(
                    "SELECT ",
                    subscription_columns!(),
                    " FROM subscriptions WHERE $1::BIGINT IS NULL OR guild_id = $1 ORDER BY id"
                ),
                &[&guild_id.map(|g| g as i64)],
            )
            .await
            .map(|rows| rows.iter().map(subscription).collect())
        })
    }

    fn pause(&self, subscription_id: i64, reason: &str) -> Result<()> {
        with!(self, |c| {
            execute(c, "UPDATE subscriptions SET paused = $2 WHERE id = $1", &[&subscription_id, &reason])
                .await
                .map(drop)
        })
    }

    fn rotation(&self, guild_id: u64, today: NaiveDate) -> Result<Rotation> {
        let seed = super::fresh_seed(guild_id);
        with!(self, |c| {
            execute(c, "INSERT INTO rotations (guild_id, seed, epoch) VALUES ($1, $2, $3) ON CONFLICT (guild_id) DO NOTHING",
                &[&(guild_id as i64), &(seed as i64), &today],
            ).await?;
            let row =
                query_one(c, "SELECT seed, epoch FROM rotations WHERE guild_id = $1", &[&(guild_id as i64)])
                    .await?;
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
        with!(self, |c| {
            let fresh = query_opt(
                c,
                "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, attempts)
                 VALUES ($1, $2, 'claimed', $3, $4, 1)
                 ON CONFLICT (subscription_id, local_date) DO NOTHING
                 RETURNING attempts",
                &[&subscription_id, &date, &owner, &now],
            )
            .await?;
            if fresh.is_some() {
                return Ok(Claim::Mine { attempt: 1 });
            }
            // Taken over when its retry time came (after a failure: the retry time replaces the
            // lease, so a backoff longer than the lease holds), or, with no retry time, when its
            // holder's lease ran out (it crashed). A racing process blocks on the row lock, then
            // re-checks the condition against the winner's update and finds nothing to take.
            let taken = query_opt(
                c,
                "UPDATE slots SET owner = $3, claimed_at = $4, retry_at = NULL, attempts = attempts + 1
                 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'
                   AND CASE WHEN retry_at IS NOT NULL THEN retry_at <= $4
                            ELSE claimed_at IS NULL OR claimed_at <= $5 END
                 RETURNING attempts",
                &[&subscription_id, &date, &owner, &now, &(now - lease)],
            )
            .await?;
            if let Some(row) = taken {
                return Ok(Claim::Mine { attempt: row.get::<_, i32>(0) as u32 });
            }
            let state = query_opt(
                c,
                "SELECT state FROM slots WHERE subscription_id = $1 AND local_date = $2",
                &[&subscription_id, &date],
            )
            .await?;
            Ok(match state.map(|r| r.get::<_, String>(0)) {
                Some(s) if s != "claimed" => Claim::Done,
                _ => Claim::Held,
            })
        })
    }

    fn record_post(&self, subscription_id: i64, date: NaiveDate, message_id: u64) -> Result<()> {
        with!(self, |c| {
            execute(
                c,
                "UPDATE slots SET state = 'posted', message_id = $3, retry_at = NULL
                 WHERE subscription_id = $1 AND local_date = $2",
                &[&subscription_id, &date, &(message_id as i64)],
            )
            .await
            .map(drop)
        })
    }

    fn retry_later(&self, subscription_id: i64, date: NaiveDate, retry_at: DateTime<Utc>) -> Result<()> {
        with!(self, |c| {
            execute(c, "UPDATE slots SET retry_at = $3 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'",
                &[&subscription_id, &date, &retry_at],
            ).await
            .map(drop)
        })
    }

    fn record_skip(&self, subscription_id: i64, date: NaiveDate, reason: &str) -> Result<bool> {
        with!(self, |c| {
            let inserted = execute(c, "INSERT INTO slots (subscription_id, local_date, state, reason) VALUES ($1, $2, 'skipped', $3)
                 ON CONFLICT (subscription_id, local_date) DO NOTHING",
                &[&subscription_id, &date, &reason],
            ).await?;
            if inserted > 0 {
                return Ok(true);
            }
            // A claimed slot can be given up too (the channel is gone).
            let updated = execute(
                c,
                "UPDATE slots SET state = 'skipped', reason = $3
                 WHERE subscription_id = $1 AND local_date = $2 AND state = 'claimed'",
                &[&subscription_id, &date, &reason],
            )
            .await?;
            Ok(updated > 0)
        })
    }

    fn slots(&self) -> Result<Vec<SlotRow>> {
        with!(self, |c| {
            let rows = query(
                c,
                "SELECT subscription_id, local_date, state, message_id FROM slots
                 ORDER BY subscription_id, local_date",
                &[],
            )
            .await?;
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

fn slot_record(r: &Row) -> SlotRecord {
    SlotRecord {
        subscription_id: r.get(0),
        date: r.get(1),
        state: r.get(2),
        owner: r.get(3),
        claimed_at: r.get(4),
        retry_at: r.get(5),
        attempts: r.get(6),
        message_id: r.get(7),
        reason: r.get(8),
    }
}

impl Bulk for PostgresStore {
    fn all_subscriptions(&self) -> Result<Vec<Subscription>> {
        self.subscriptions(None)
    }

    fn all_rotations(&self) -> Result<Vec<(u64, Rotation)>> {
        with!(self, |c| {
            query(c, "SELECT guild_id, seed, epoch FROM rotations ORDER BY guild_id", &[]).await.map(|rows| {
                rows.iter()
                    .map(|r| {
                        (
                            r.get::<_, i64>(0) as u64,
                            Rotation { seed: r.get::<_, i64>(1) as u64, epoch: r.get(2) },
                        )
                    })
                    .collect()
            })
        })
    }

    fn slots_after(&self, after: Option<(i64, NaiveDate)>, limit: usize) -> Result<Vec<SlotRecord>> {
        // Before every row: no subscription id is i64::MIN, whatever the date.
        let (id, date) = after.unwrap_or((i64::MIN, NaiveDate::default()));
        with!(self, |c| {
            query(
                c,
                "SELECT subscription_id, local_date, state, owner, claimed_at, retry_at, attempts, message_id, reason
                 FROM slots WHERE (subscription_id, local_date) > ($1, $2)
                 ORDER BY subscription_id, local_date LIMIT $3",
                &[&id, &date, &(limit as i64)],
            )
            .await
            .map(|rows| rows.iter().map(slot_record).collect())
        })
    }

    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Writer) -> std::result::Result<(), CopyError>,
    ) -> Result<std::result::Result<(), CopyError>> {
        let client = self.block(self.client())?;
        if let Err(e) = self.block(client.batch_execute("BEGIN")) {
            return self.settle(client, Err(e));
        }
        let outcome = work(&mut PgWriter { store: self, client: &client });
        if outcome.is_err() {
            // A connection that cannot even roll back is not put back in the pool mid-transaction.
            if self.block(client.batch_execute("ROLLBACK")).is_err() {
                drop(Object::take(client));
            }
            return Ok(outcome);
        }
        let committed = self.block(client.batch_execute("COMMIT"));
        self.settle(client, committed.map(|()| outcome))
    }
}

/// Inserts many rows per statement: one array per column, unnested by the server.
struct PgWriter<'a> {
    store: &'a PostgresStore,
    client: &'a ClientWrapper,
}

impl PgWriter<'_> {
    fn run<T: Send>(&self, work: impl Future<Output = PgResult<T>> + Send) -> Result<T> {
        self.store.block(work).map_err(|e| err(&e))
    }
}

impl Writer for PgWriter<'_> {
    fn counts(&mut self) -> Result<Counts> {
        let row = self.run(query_one(
            self.client,
            "SELECT (SELECT count(*) FROM subscriptions), (SELECT count(*) FROM rotations),
                    (SELECT count(*) FROM slots)",
            &[],
        ))?;
        Ok(Counts {
            subscriptions: row.get::<_, i64>(0) as u64,
            rotations: row.get::<_, i64>(1) as u64,
            slots: row.get::<_, i64>(2) as u64,
        })
    }

    fn clear(&mut self) -> Result<()> {
        self.run(
            self.client.batch_execute("DELETE FROM slots; DELETE FROM rotations; DELETE FROM subscriptions;"),
        )
    }

    fn subscriptions(&mut self, rows: &[Subscription]) -> Result<()> {
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let guilds: Vec<i64> = rows.iter().map(|s| s.guild_id as i64).collect();
        let channels: Vec<i64> = rows.iter().map(|s| s.channel_id as i64).collect();
        let times: Vec<NaiveTime> = rows.iter().map(|s| s.time).collect();
        let zones: Vec<&str> = rows.iter().map(|s| s.timezone.as_str()).collect();
        let paused: Vec<Option<&str>> = rows.iter().map(|s| s.paused.as_deref()).collect();
        let created: Vec<DateTime<Utc>> = rows.iter().map(|s| s.created_at).collect();
        let locales: Vec<Option<&str>> = rows.iter().map(|s| s.locale.as_deref()).collect();
        let c = self.client;
        self.run(async {
            execute(
                c,
                "INSERT INTO subscriptions (id, guild_id, channel_id, time, timezone, paused, created_at, locale)
                 SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TIME[], $5::TEXT[],
                                      $6::TEXT[], $7::TIMESTAMPTZ[], $8::TEXT[])",
                &[&ids, &guilds, &channels, &times, &zones, &paused, &created, &locales],
            )
            .await?;
            // The ids came with the rows: new subscriptions continue after the highest.
            execute(
                c,
                "SELECT setval(pg_get_serial_sequence('subscriptions', 'id'), COALESCE(max(id), 0) + 1, false)
                 FROM subscriptions",
                &[],
            )
            .await
        })
        .map(drop)
    }

    fn rotations(&mut self, rows: &[(u64, Rotation)]) -> Result<()> {
        let guilds: Vec<i64> = rows.iter().map(|(g, _)| *g as i64).collect();
        let seeds: Vec<i64> = rows.iter().map(|(_, r)| r.seed as i64).collect();
        let epochs: Vec<NaiveDate> = rows.iter().map(|(_, r)| r.epoch).collect();
        self.run(execute(
            self.client,
            "INSERT INTO rotations (guild_id, seed, epoch)
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::DATE[])",
            &[&guilds, &seeds, &epochs],
        ))
        .map(drop)
    }

    fn slots(&mut self, rows: &[SlotRecord]) -> Result<()> {
        let ids: Vec<i64> = rows.iter().map(|s| s.subscription_id).collect();
        let dates: Vec<NaiveDate> = rows.iter().map(|s| s.date).collect();
        let states: Vec<&str> = rows.iter().map(|s| s.state.as_str()).collect();
        let owners: Vec<Option<&str>> = rows.iter().map(|s| s.owner.as_deref()).collect();
        let claimed: Vec<Option<DateTime<Utc>>> = rows.iter().map(|s| s.claimed_at).collect();
        let retry: Vec<Option<DateTime<Utc>>> = rows.iter().map(|s| s.retry_at).collect();
        let attempts: Vec<i32> = rows.iter().map(|s| s.attempts).collect();
        let messages: Vec<Option<i64>> = rows.iter().map(|s| s.message_id).collect();
        let reasons: Vec<Option<&str>> = rows.iter().map(|s| s.reason.as_deref()).collect();
        self.run(execute(
            self.client,
            "INSERT INTO slots (subscription_id, local_date, state, owner, claimed_at, retry_at, attempts,
                                message_id, reason)
             SELECT * FROM UNNEST($1::BIGINT[], $2::DATE[], $3::TEXT[], $4::TEXT[], $5::TIMESTAMPTZ[],
                                  $6::TIMESTAMPTZ[], $7::INTEGER[], $8::BIGINT[], $9::TEXT[])",
            &[&ids, &dates, &states, &owners, &claimed, &retry, &attempts, &messages, &reasons],
        ))
        .map(drop)
    }
}
