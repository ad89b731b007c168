//! Marquee's integration tests, in one binary (one link step instead of one per file): each
//! module is one area, run against the built `marquee` binary, the fake Discord on loopback
//! (`marquee_testkit`), SQLite files and, when configured, PostgreSQL.

mod support;

mod autocomplete;
mod bot_process;
mod catalog;
mod cli;
mod config;
mod db_copy;
mod discord_e2e;
mod discord_spec;
mod doors;
mod endpoint;
mod endpoint_hostile;
mod fallback;
mod health;
mod highlights;
mod highlights_bot;
mod highlights_faults;
mod highlights_process;
mod highlights_scenarios;
mod playground;
mod playground_browser;
mod real_payloads;
mod reload;
mod router;
mod search_behaviour;
mod search_cli;
mod search_quality;
mod semantic;
mod store;
