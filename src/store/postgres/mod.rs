//! The PostgreSQL store: one database shared by every bot and endpoint process.
//!
//! The async client (tokio-postgres) with a small pool of connections (deadpool-postgres,
//! `pool_size` in the URL, 4 by default), so that highlight commands and scheduler ticks that
//! arrive together run side by side instead of queueing behind one connection. Each claim is a
//! single conditional `INSERT … ON CONFLICT DO NOTHING` or `UPDATE … WHERE <stale>`:
//! PostgreSQL's row locks make two processes racing for one slot see exactly one winner, with
//! no explicit transaction held across a round trip.
//!
//! - `target`: the URL → connection settings and TLS;
//! - `pool`: the store itself, its pool, and what a failure means (retry or not; the
//!   connection kept or dropped);
//! - `migrate`: the schema brought up to date at open;
//! - `store`: the `Store` contract's statements;
//! - `bulk`: `db copy`'s side, whole tables read and written in one transaction.

mod bulk;
mod migrate;
mod pool;
mod store;
mod target;

pub use pool::PostgresStore;
pub(super) use target::Target;
