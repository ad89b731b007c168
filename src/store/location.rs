//! Where the state lives, from DATABASE_URL: a SQLite file or a PostgreSQL server.

use super::bulk::Bulk;
use super::postgres::{PostgresStore, Target};
use super::{sqlite::SqliteStore, SlotRow, Store, StoreError};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The database file when DATABASE_URL is not set, in the working directory.
pub const DEFAULT_SQLITE: &str = "marquee.db";

#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` URL, kept whole (it may hold a password: see `Display`).
    Postgres(String),
}

impl Database {
    /// Reads DATABASE_URL: `postgres://…` / `postgresql://…`, or `sqlite://path`, `sqlite:path`
    /// or a plain path; empty or unset means `marquee.db`. A PostgreSQL URL is parsed here, so a
    /// typo is reported before anything connects.
    pub fn from_url(url: Option<&str>) -> Result<Database, String> {
        let url = url.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(DEFAULT_SQLITE);
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Target::parse(url, false)
                .map_err(|e| format!("{} is not a usable PostgreSQL URL: {e}", redact(url)))?;
            return Ok(Database::Postgres(url.to_string()));
        }
        if let Some((scheme, _)) = url.split_once("://").filter(|(s, _)| *s != "sqlite") {
            return Err(format!(
                "{scheme}:// databases are not supported: use postgres://user:password@host/db or a SQLite file path"
            ));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        Ok(Database::Sqlite(PathBuf::from(path)))
    }

    /// Opens the store, creating or upgrading its schema. Open it on the runtime that will use
    /// it: PostgreSQL's connections are driven there.
    pub async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        let store: Arc<dyn Bulk> = self.open_bulk().await?.into();
        Ok(store)
    }

    /// The one backend factory: the store with its bulk side, which `db copy` reads and writes.
    pub(super) async fn open_bulk(&self) -> Result<Box<dyn Bulk>, StoreError> {
        Ok(match self {
            Database::Sqlite(path) => {
                let path = path.clone();
                let opened = tokio::task::spawn_blocking(move || SqliteStore::open(&path));
                Box::new(opened.await.map_err(StoreError::Task)??)
            }
            Database::Postgres(url) => Box::new(PostgresStore::open(url).await?),
        })
    }

    /// Every slot, in (subscription, date) order, read as `db copy` reads them. Not part of
    /// `Store`: the scheduler never lists slots; tests, benches and operators checking a
    /// database do.
    pub async fn slots(&self) -> Result<Vec<SlotRow>, StoreError> {
        let store = self.open_bulk().await?;
        let mut slots = Vec::new();
        let mut after = None;
        loop {
            let page = store.slots_after(after, SLOTS_PAGE).await?;
            after = page.last().map(|s| (s.subscription_id, s.date));
            let last_page = page.len() < SLOTS_PAGE;
            slots.extend(page.into_iter().map(|s| SlotRow {
                subscription_id: s.subscription_id,
                date: s.date,
                state: s.state,
                message_id: s.message_id.map(|m| m as u64),
            }));
            if last_page {
                return Ok(slots);
            }
        }
    }
}

/// Slots per page read by `Database::slots`.
const SLOTS_PAGE: usize = 10_000;

/// Safe to log: a PostgreSQL password is replaced by `***`.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// `postgres://user:secret@host/db?password=secret` → `postgres://user:***@host/db?password=***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_database_url() {
        assert_eq!(Database::from_url(None), Ok(Database::Sqlite(DEFAULT_SQLITE.into())));
        assert_eq!(Database::from_url(Some("  ")), Ok(Database::Sqlite(DEFAULT_SQLITE.into())));
        assert_eq!(Database::from_url(Some("sqlite://data/m.db")), Ok(Database::Sqlite("data/m.db".into())));
        assert_eq!(Database::from_url(Some("sqlite:m.db")), Ok(Database::Sqlite("m.db".into())));
        assert_eq!(Database::from_url(Some("/var/lib/m.db")), Ok(Database::Sqlite("/var/lib/m.db".into())));
        let pg = "postgresql://bot:pw@db.internal:5433/marquee";
        assert_eq!(Database::from_url(Some(pg)), Ok(Database::Postgres(pg.into())));
        let e = Database::from_url(Some("mysql://x@y/z")).unwrap_err();
        assert!(e.starts_with("mysql:// databases are not supported"), "{e}");
        let e = Database::from_url(Some("postgres://bot:s3cret@host:notaport/db")).unwrap_err();
        assert!(e.contains("not a usable PostgreSQL URL") && !e.contains("s3cret"), "{e}");
    }

    #[test]
    fn never_shows_a_password() {
        let db = Database::Postgres("postgres://bot:s3cret@db:5432/marquee?sslmode=require".into());
        assert_eq!(db.to_string(), "postgres://bot:***@db:5432/marquee?sslmode=require");
        assert!(!format!("{db:?}").contains("s3cret"));
        assert_eq!(
            redact("postgres://db/m?user=bot&password=s3cret"),
            "postgres://db/m?user=bot&password=***"
        );
        assert_eq!(redact("postgres://bot@db/m"), "postgres://bot@db/m");
        assert_eq!(redact("postgres://b:p@ss@db"), "postgres://b:***@db");
    }
}
