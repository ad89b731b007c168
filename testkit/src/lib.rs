//! Test kit for Marquee's integration tests and benchmarks: Discord's side of the wire and the
//! machine around the bot, with no dependency on the `marquee` crate (so tests and benches share
//! one copy without `#[path]`).
//!
//! - `fake_discord`: REST and a plain `ws://` gateway on 127.0.0.1 that a real serenity client
//!   talks to, with scripted faults;
//! - `payloads`: gateway and interaction bodies as Discord sends them;
//! - `http_client`: a raw HTTP/1.1 client and Ed25519 signing for the interactions endpoint;
//! - `pg`: a fresh PostgreSQL database per test when `MARQUEE_TEST_POSTGRES` names a server;
//! - `shared`: files of the `shared` folder beside the repository (skipped outside CI);
//! - `distractors`: seed-word distractor catalogs from `shared/tools/gen-catalog.py`;
//! - `webdriver`: a small W3C WebDriver client for the browser test.

#![allow(dead_code)]

pub mod distractors;
pub mod fake_discord;
pub mod http_client;
pub mod payloads;
pub mod pg;
pub mod shared;
pub mod webdriver;

/// A test's prerequisite is missing: under CI (`CI` set, as `.ci/run` sets it) a failure naming
/// `why`, since CI installs every prerequisite; elsewhere `skipped: {what}: {why}` on standard
/// error, and the caller returns without testing.
pub fn skip_or_fail(what: &str, why: &str) {
    assert!(std::env::var_os("CI").is_none(), "{what}: {why}, under CI, where it must run");
    eprintln!("skipped: {what}: {why}");
}
