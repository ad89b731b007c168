//! `marquee db copy`: moving the state from one database to another (see `store::copy`).

use super::failure::Failure;
use marquee::store::copy::copy;
use marquee::store::{Chain, Database};
use std::time::Instant;

/// Copies `from` into `to`. A URL that cannot be used is a usage failure (exit 2), a failed
/// copy a run-time one (exit 1); either is one line naming the side, never a password.
pub fn copy_command(from: &str, to: &str, replace: bool) -> Result<(), Failure> {
    let parse = |flag: &str, url: &str| {
        Database::from_url(Some(url)).map_err(|e| Failure::usage(format!("db copy: {flag}: {e}")))
    };
    let (from, to) = (parse("--from", from)?, parse("--to", to)?);
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let counts = runtime
        .block_on(copy(&from, &to, replace))
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("db copy: {}", Chain(&e))))?;
    println!("copied {counts} from {from} to {to} in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
