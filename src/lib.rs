//! Marquee: a Discord bot over a bundled catalog of the "Netflix on AWS" stories.
//!
//! The core — [`catalog`], [`search`], [`reply`], [`locale`], [`commands`] — is plain Rust with
//! no Discord types. An interaction comes in through one of three doors ([`discord`],
//! [`endpoint`], [`playground`]), which decode it and hand it to the one [`router`]; daily
//! highlights start from a clock instead ([`highlights`]). ARCHITECTURE.md in the repository
//! has the flows, the invariants and the decisions behind them.
//!
//! # Layout
//!
//! The core, bottom up:
//!
//! * [`catalog`]: the stories — the item model, TOML loading and validation with located
//!   problems (`path:line:col`), synonyms.
//! * [`text`]: text folding (words, stopwords, plural stems), below both catalog and search.
//! * [`search`]: the index and ranking over a catalog; [`search::SharedEngine`] is the engine in
//!   use, replaced whole when the catalog is reloaded.
//! * [`locale`]: the member's language and the UI strings of each.
//! * [`reply`]: replies as values, every Discord limit ([`reply::limits`]) and the encoding as
//!   Discord JSON — the one reply path.
//! * [`commands`]: what each catalog command answers (a `CatalogRequest` to a `Response`), and the slash
//!   command definitions as registered.
//!
//! Around it:
//!
//! * [`router`]: the one interaction router — which request an interaction is, and its answer.
//! * [`highlights`]: daily highlights — schedule, rotation, the scheduler's tick, their commands.
//! * [`store`]: persistent state for highlights (SQLite or PostgreSQL) and `db copy`.
//! * [`rng`]: the generator rotations and `/random` depend on; [`synthetic`]: generated catalogs
//!   for benchmarks and scale tests.
//!
//! The doors and what runs them:
//!
//! * [`discord`]: the gateway bot over serenity (events to the router, sending, shards,
//!   shutdown); it also starts the highlight scheduler loop.
//! * [`endpoint`]: the signed HTTP interactions endpoint (`marquee serve`).
//! * [`playground`]: the local Discord-like page (`marquee playground`).
//! * [`http_server`]: the HTTP/1.1 server under every listener; [`admin`]: the `--metrics`
//!   listener (`/metrics`, `/healthz`, `/livez`) over [`metrics`] (Prometheus) and [`health`]
//!   (readiness); [`inflight`]: replies in flight, for shutdown; [`box_future`]: the one boxed
//!   future alias.
//! * [`config`]: settings from `.env` and the environment, checked in one place.
//!
//! The `marquee` binary (`src/main.rs`, `src/cli/`) parses the command line and calls into these.

pub mod admin;
pub mod box_future;
pub mod catalog;
pub mod commands;
pub mod config;
pub mod discord;
pub mod endpoint;
pub mod health;
pub mod highlights;
pub mod http_server;
pub mod inflight;
pub mod locale;
pub mod metrics;
pub mod parallel;
pub mod playground;
pub mod reply;
pub mod rng;
pub mod router;
pub mod search;
pub mod semantic;
pub mod store;
pub mod synthetic;
pub mod text;
