//! What a store call can fail with. Each error keeps what failed underneath as its `source`
//! (the rusqlite, tokio-postgres or pool error itself), so a caller can look at it and `Chain`
//! can print all of it on one line; the `Display` of each layer says only its own part.

use std::error::Error;
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or brought up to date; it was left as it was.
    #[error("database {path}: {what}")]
    Open {
        path: String,
        what: String,
        #[source]
        source: Option<Cause>,
    },
    /// Worth retrying: the database is locked or busy, or the session ended (a restart, a
    /// failover). A tick of the scheduler retries; a command answers with an apology.
    #[error("database is busy or unreachable — will retry")]
    Busy(#[source] Cause),
    /// The database refused the statement (a constraint, a type mismatch): retrying will not help.
    #[error("database error")]
    Failed(#[source] Cause),
    #[error(transparent)]
    Corrupt(#[from] Corrupt),
    /// The blocking thread that ran a SQLite call panicked.
    #[error("the database call did not finish")]
    Task(#[source] tokio::task::JoinError),
}

/// The library error underneath a `StoreError`.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    #[error("SQLite")]
    Sqlite(#[source] rusqlite::Error),
    #[error("PostgreSQL")]
    Postgres(#[source] tokio_postgres::Error),
    #[error("PostgreSQL connection pool")]
    Pool(#[source] deadpool_postgres::PoolError),
}

/// A stored value this Marquee cannot read. No reader reads a default in its place (a date of
/// 1970 would be posted or copied as if it were true): readers refuse the row with this error,
/// naming it, except the listing of subscriptions, which leaves the row out and logs this error
/// (see `Store::subscriptions`). The row is left as it is.
#[derive(Debug, thiserror::Error)]
#[error("corrupt row in {table} ({row}): {column} is {value:?}, expected {expected}; it was left as it is")]
pub struct Corrupt {
    pub table: &'static str,
    /// Which row: its key, e.g. "subscription 3" or "subscription 3, 2026-03-02".
    pub row: String,
    pub column: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl Corrupt {
    pub(super) fn new(
        table: &'static str,
        row: String,
        column: &'static str,
        value: impl ToString,
        expected: &'static str,
    ) -> Corrupt {
        Corrupt { table, row, column, value: value.to_string(), expected }
    }
}

/// An error and everything underneath it on one line, as a log line or a reply shows it:
/// "database is busy or unreachable — will retry: SQLite: database is locked". A cause
/// whose text its parent already ends with is not repeated (tokio-postgres prints its own).
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(c) = cause {
            let next = c.to_string();
            if !text.ends_with(&next) {
                text = format!("{text}: {next}");
            }
            cause = c.source();
        }
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_names_what_failed_underneath() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        let e = StoreError::Busy(Cause::Sqlite(locked));
        assert_eq!(
            Chain(&e).to_string(),
            "database is busy or unreachable — will retry: SQLite: database is locked: Error code 5: database is \
             locked"
        );
        assert!(matches!(
            e.source().and_then(|c| c.source()).and_then(|s| s.downcast_ref()),
            Some(rusqlite::Error::SqliteFailure(..))
        ));
    }
}
