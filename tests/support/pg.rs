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

/// The postgres client runs its own runtime: keep it off async test threads.
fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("admin thread")
}

/// A new empty database, or `None` (after printing why) when no server is configured.
pub fn database(tag: &str) -> Option<PgDatabase> {
    let Some(admin) = std::env::var(VAR).ok().filter(|v| !v.trim().is_empty()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{VAR} is not set under CI: .ci/run starts PostgreSQL and exports it"
        );
        eprintln!(
            "skipped: set {VAR}=postgres://user:password@127.0.0.1/postgres to run the PostgreSQL tests"
        );
        return None;
    };
    static N: AtomicUsize = AtomicUsize::new(0);
    let tag: String = tag.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let name = format!("marquee_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let (a, n) = (admin.clone(), name.clone());
    off_runtime(move || {
        let mut c = postgres::Client::connect(&a, postgres::NoTls).expect("MARQUEE_TEST_POSTGRES connects");
        // One statement per call: a multi-statement string is one transaction, which
        // CREATE/DROP DATABASE refuse.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {n}")).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
    });
    Some(PgDatabase { url: with_database(&admin, &name), admin, name })
}

/// The CA that signed the test server's certificate (MARQUEE_TEST_POSTGRES_CA, set by `.ci/run`),
/// or `None` (after printing why) outside CI.
pub fn server_ca() -> Option<String> {
    let ca = std::env::var("MARQUEE_TEST_POSTGRES_CA").ok().filter(|v| !v.trim().is_empty());
    if ca.is_none() {
        assert!(std::env::var_os("CI").is_none(), "MARQUEE_TEST_POSTGRES_CA is not set under CI");
        eprintln!("skipped: set MARQUEE_TEST_POSTGRES_CA to the CA of the test server's TLS certificate");
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
        let (url, sql) = (with_database(&self.admin, &self.name), sql.to_string());
        off_runtime(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.query_one(&sql, &[]).unwrap().get(0)
        })
    }

    /// Runs `sql` as the administrator, connected to the server's own database (to change this
    /// database from outside it).
    pub fn admin_server_execute(&self, sql: &str) {
        let (url, sql) = (self.admin.clone(), sql.to_string());
        off_runtime(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute(&sql).unwrap();
        });
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` as the administrator in this database (to break or inspect it).
    pub fn admin_execute(&self, sql: &str) {
        let (url, sql) = (with_database(&self.admin, &self.name), sql.to_string());
        off_runtime(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute(&sql).unwrap();
        });
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        off_runtime(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
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
