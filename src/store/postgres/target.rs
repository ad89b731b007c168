//! A PostgreSQL DATABASE_URL → connection settings and TLS.
//!
//! tokio-postgres understands `sslmode=disable|prefer|require` but not libpq's `verify-ca`,
//! `verify-full` or `sslrootcert`, which managed databases document (Amazon RDS: its CA bundle
//! with `sslmode=verify-full`). Those are taken out of the URL here. Whenever TLS is used, the
//! server's certificate and host name are verified — against `sslrootcert` when given, else the
//! Mozilla roots: `require` is as strict as `verify-full`. `disable` and the default `prefer`
//! connect in plain text, for a database on the same host or a private network.
//!
//! `pool_size=N` (Marquee's own, 1 to 64, default 4) is taken out too: how many connections
//! one process keeps open.

use rustls::pki_types::{pem::PemObject, CertificateDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::SslMode;
use tokio_postgres::Config;
use tokio_postgres_rustls::MakeRustlsConnect;

pub struct Target {
    pub config: Config,
    /// Present when the connection must use TLS.
    pub tls: Option<MakeRustlsConnect>,
    /// The most connections the process opens (`pool_size`).
    pub pool_size: usize,
}

/// Enough for the few highlight commands and scheduler ticks a process runs at once, while
/// many processes together stay well under the server's default of 100 connections.
pub const DEFAULT_POOL_SIZE: usize = 4;
const MAX_POOL_SIZE: usize = 64;

impl Target {
    /// Parses `url`; with `load_roots` false the `sslrootcert` file is not read (a syntax check
    /// at configuration time).
    pub fn parse(url: &str, load_roots: bool) -> Result<Target, String> {
        let (url, pool_size) = take_pool_size(url)?;
        let (url, root_cert) = libpq_tls_params(&url);
        let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| e.to_string())?;
        if config.get_connect_timeout().is_none() {
            // A database that does not answer must not hold a scheduler tick for minutes.
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("marquee");
        }
        config.keepalives(true);
        let tls = match (config.get_ssl_mode(), load_roots) {
            (SslMode::Require, true) => Some(connector(root_cert.as_deref())?),
            _ => None,
        };
        Ok(Target { config, tls, pool_size })
    }
}

/// Removes `pool_size=N` from the query string and returns N (the default when absent).
fn take_pool_size(url: &str) -> Result<(String, usize), String> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_string(), DEFAULT_POOL_SIZE)) };
    let mut size = DEFAULT_POOL_SIZE;
    let mut params = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("pool_size", value)) => {
                size = value.parse().ok().filter(|n| (1..=MAX_POOL_SIZE).contains(n)).ok_or_else(|| {
                    format!("pool_size={value}: a number of connections from 1 to {MAX_POOL_SIZE}")
                })?;
            }
            _ => params.push(pair),
        }
    }
    let url = if params.is_empty() { base.to_string() } else { format!("{base}?{}", params.join("&")) };
    Ok((url, size))
}

/// Removes `sslrootcert` (returned) and turns `sslmode=verify-ca|verify-full` into `require`
/// (which verifies as fully). `sslrootcert` without an `sslmode` means TLS is wanted.
fn libpq_tls_params(url: &str) -> (String, Option<PathBuf>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), None) };
    let mut root_cert = None;
    let mut mode_given = false;
    let mut params: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslrootcert" => root_cert = Some(PathBuf::from(value)),
            "sslmode" => {
                mode_given = true;
                let value = if value.starts_with("verify-") { "require" } else { value };
                params.push(format!("sslmode={value}"));
            }
            _ => params.push(pair.to_string()),
        }
    }
    if root_cert.is_some() && !mode_given {
        params.push("sslmode=require".into());
    }
    let url = if params.is_empty() { base.to_string() } else { format!("{base}?{}", params.join("&")) };
    (url, root_cert)
}

fn connector(root_cert: Option<&Path>) -> Result<MakeRustlsConnect, String> {
    let Some(path) = root_cert else { return Ok(MakeRustlsConnect::with_webpki_roots()) };
    let unreadable = |e: &dyn std::fmt::Display| format!("sslrootcert {}: {e}", path.display());
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&e))?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(unreadable(&"no usable certificate in the file"));
    }
    let config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_out_what_tokio_postgres_does_not_know() {
        let (url, root) =
            libpq_tls_params("postgres://h/db?sslmode=verify-full&sslrootcert=/etc/rds.pem&x=1");
        assert_eq!(url, "postgres://h/db?sslmode=require&x=1");
        assert_eq!(root, Some(PathBuf::from("/etc/rds.pem")));
        assert_eq!(
            libpq_tls_params("postgres://h/db?sslrootcert=ca.pem").0,
            "postgres://h/db?sslmode=require"
        );
        assert_eq!(libpq_tls_params("postgres://h/db?sslmode=disable").0, "postgres://h/db?sslmode=disable");
        assert_eq!(libpq_tls_params("postgres://h/db"), ("postgres://h/db".to_string(), None));
    }

    #[test]
    fn reads_the_pool_size() {
        let size = |url: &str| Target::parse(url, false).map(|t| t.pool_size);
        assert_eq!(size("postgres://u@h/db"), Ok(DEFAULT_POOL_SIZE));
        assert_eq!(size("postgres://u@h/db?pool_size=12&sslmode=disable"), Ok(12));
        assert_eq!(
            take_pool_size("postgres://h/db?a=1&pool_size=2&b=2").unwrap().0,
            "postgres://h/db?a=1&b=2"
        );
        assert_eq!(take_pool_size("postgres://h/db?pool_size=2").unwrap().0, "postgres://h/db");
        for bad in ["0", "65", "four", ""] {
            let e = size(&format!("postgres://u@h/db?pool_size={bad}")).unwrap_err();
            assert!(e.starts_with(&format!("pool_size={bad}: a number")), "{e}");
        }
    }

    #[test]
    fn tls_only_when_required() {
        assert!(Target::parse("postgres://u@h/db", true).unwrap().tls.is_none());
        assert!(Target::parse("postgres://u@h/db?sslmode=prefer", true).unwrap().tls.is_none());
        assert!(Target::parse("postgres://u@h/db?sslmode=verify-full", true).unwrap().tls.is_some());
        let e = Target::parse("postgres://u@h/db?sslrootcert=/nonexistent/ca.pem", true).err().unwrap();
        assert!(e.starts_with("sslrootcert /nonexistent/ca.pem:"), "{e}");
        // A syntax check does not read the file.
        assert!(Target::parse("postgres://u@h/db?sslrootcert=/nonexistent/ca.pem", false).is_ok());
    }
}
