//! A fresh PostgreSQL database per test, on the server named by MARQUEE_TEST_POSTGRES (a URL
//! whose role may create databases; `.ci/run` installs, starts and exports one).
//!
//! Without the variable the PostgreSQL tests are skipped with a note — but never under CI
//! (`CI` set), where a missing server is a failure, so they cannot silently stop running.

use std::sync::atomic::{AtomicUsize, Ordering};

pub const VAR: &str = "MARQUEE_TEST_POSTGRES";

/// A database created for one test and dropped (with its connections) afterwards.
pub struct PgDatabase {
    pub url: String,
    admin: String,
    name: String,
}

/// Runs `sql` as the administrator connected to `url`, and returns the first column of the
/// first row of its last statement (if any), on a thread and runtime of its own: callers may be
/// async tests.
fn admin(url: &str, sql: &str) -> Result<Option<i64>, tokio_postgres::Error> {
    let (url, sql) = (url.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
            let connection = tokio::spawn(connection);
            let mut value = None;
            for message in client.simple_query(&sql).await? {
                if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
                    value = value.or(row.get(0).and_then(|v| v.parse().ok()));
                }
            }
            drop(client);
            let _ = connection.await;
            Ok(value)
        })
    })
    .join()
    .expect("admin thread")
}

/// A new empty database, or `None` (after printing why) when no server is configured.
pub fn database(tag: &str) -> Option<PgDatabase> {
    let Some(admin_url) = std::env::var(VAR).ok().filter(|v| !v.trim().is_empty()) else {
        crate::skip_or_fail(
            "the PostgreSQL tests",
            &format!("{VAR} is unset (set it to postgres://user:password@127.0.0.1/postgres)"),
        );
        return None;
    };
    static N: AtomicUsize = AtomicUsize::new(0);
    let tag: String = tag.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let name = format!("marquee_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    // One statement per call: a multi-statement string is one transaction, which CREATE/DROP
    // DATABASE refuse.
    admin(&admin_url, &format!("DROP DATABASE IF EXISTS {name}")).expect("MARQUEE_TEST_POSTGRES connects");
    admin(&admin_url, &format!("CREATE DATABASE {name}")).unwrap();
    let admin = admin_url;
    Some(PgDatabase { url: with_database(&admin, &name), admin, name })
}

/// The CA that signed the test server's certificate (MARQUEE_TEST_POSTGRES_CA, set by `.ci/run`),
/// or `None` (after printing why) outside CI.
pub fn server_ca() -> Option<String> {
    let ca = std::env::var("MARQUEE_TEST_POSTGRES_CA").ok().filter(|v| !v.trim().is_empty());
    if ca.is_none() {
        crate::skip_or_fail(
            "PostgreSQL over TLS",
            "MARQUEE_TEST_POSTGRES_CA is unset (set it to the CA of the test server's certificate)",
        );
    }
    ca
}

impl PgDatabase {
    /// This database's URL with `params` added to its query string.
    pub fn url_with(&self, params: &str) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}{params}", self.url)
    }

    /// One number from `sql`, run as the administrator in this database.
    pub fn admin_count(&self, sql: &str) -> i64 {
        admin(&with_database(&self.admin, &self.name), sql).unwrap().expect("a number")
    }

    /// Runs `sql` as the administrator, connected to the server's own database (to change this
    /// database from outside it).
    pub fn admin_server_execute(&self, sql: &str) {
        admin(&self.admin, sql).unwrap();
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` as the administrator in this database (to break or inspect it).
    pub fn admin_execute(&self, sql: &str) {
        admin(&with_database(&self.admin, &self.name), sql).unwrap();
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = admin(&self.admin, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..host_end])
}
