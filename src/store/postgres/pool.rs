//! The store's connections: the pool, opening it, and what a failed statement means — for the
//! caller (retry or not) and for the connection (kept, or dropped with the idle ones).

use super::target::Target;
use crate::store::location::redact;
use crate::store::{Cause, Result, StoreError};
use deadpool_postgres::{ClientWrapper, Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

pub struct PostgresStore {
    pool: Pool,
}

/// How long a call waits for a free connection before it reports the database busy (a tick of
/// the scheduler retries; a command answers with an apology).
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(10);

pub(super) type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;

impl PostgresStore {
    /// Connects and brings the schema up to date. Several processes may start at once: the
    /// migration runs under an advisory lock, so each step is applied exactly once.
    ///
    /// Each connection is driven by the runtime of the call that opened it (deadpool spawns it
    /// there): use the store from one runtime that outlives it, as the bot and the CLI do.
    pub async fn open(url: &str) -> Result<PostgresStore> {
        let shown = redact(url);
        let open_err =
            |what: String, source: Option<Cause>| StoreError::Open { path: shown.clone(), what, source };
        let target = Target::parse(url, true).map_err(|e| open_err(e, None))?;
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
            .map_err(|e| open_err(format!("building the connection pool: {e}"), None))?;
        let mut client = pool.get().await.map_err(|e| open_err("connecting".into(), Some(Cause::Pool(e))))?;
        super::migrate::migrate(&mut client)
            .await
            .map_err(|(what, e)| open_err(what, e.map(Cause::Postgres)))?;
        Ok(PostgresStore { pool })
    }

    /// A connection from the pool, opened if none is free and the pool is not full.
    pub(super) async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| StoreError::Busy(Cause::Pool(e)))
    }

    /// `result` of work done on `client`, as a store result. A connection whose session ended is
    /// not put back, and neither are the idle ones (a restarted server ended them all): the next
    /// calls open fresh ones instead of each failing once on a dead connection.
    pub(super) fn settle<T>(&self, client: Object, result: PgResult<T>) -> Result<T> {
        result.map_err(|e| {
            if session_ended(&e) || client.is_closed() {
                drop(Object::take(client));
                self.pool.retain(|_, _| false);
            }
            e.into()
        })
    }
}

/// Ended sessions and momentary conflicts are worth retrying (`Busy`); anything else — a
/// constraint, or a type or parameter mismatch — is not.
impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        let conflict = [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
            SqlState::TOO_MANY_CONNECTIONS,
        ];
        if session_ended(&e) || e.code().is_some_and(|c| conflict.contains(c)) {
            StoreError::Busy(Cause::Postgres(e))
        } else {
            StoreError::Failed(Cause::Postgres(e))
        }
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

// Each statement is parsed and planned by the server once per connection, not on every call
// (a round trip saved per query): the pool keeps the prepared statements of each connection.

pub(super) async fn query(
    c: &ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> PgResult<Vec<Row>> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

pub(super) async fn query_opt(
    c: &ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> PgResult<Option<Row>> {
    let statement = c.prepare_cached(sql).await?;
    c.query_opt(&statement, params).await
}

pub(super) async fn query_one(c: &ClientWrapper, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<Row> {
    let statement = c.prepare_cached(sql).await?;
    c.query_one(&statement, params).await
}

pub(super) async fn execute(c: &ClientWrapper, sql: &str, params: &[&(dyn ToSql + Sync)]) -> PgResult<u64> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}
