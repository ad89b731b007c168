//! `marquee db copy`: moving the state from one database to another (see `store::copy`).

use marquee::store::copy::copy;
use marquee::store::Database;
use std::process::ExitCode;
use std::time::Instant;

/// Copies `from` into `to`; a usage mistake exits 2, a failed copy 1, each with one line that
/// names the side that failed (never a password).
pub fn copy_command(from: &str, to: &str, replace: bool) -> ExitCode {
    let parse = |flag: &str, url: &str| {
        Database::from_url(Some(url)).map_err(|e| eprintln!("marquee: db copy: {flag}: {e}"))
    };
    let (Ok(from), Ok(to)) = (parse("--from", from), parse("--to", to)) else { return ExitCode::from(2) };
    let started = Instant::now();
    match copy(&from, &to, replace) {
        Ok(counts) => {
            println!("copied {counts} from {from} to {to} in {:.1} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("marquee: db copy: {e}");
            ExitCode::FAILURE
        }
    }
}
