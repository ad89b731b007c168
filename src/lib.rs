//! Marquee: a Discord bot over a bundled catalog of the "Netflix on AWS" stories.
//!
//! The core — `catalog`, `search`, `reply`, `commands` — is plain Rust with no Discord types;
//! `discord` is the thin layer that connects it to Discord. See ARCHITECTURE.md.

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
pub mod playground;
pub mod reply;
pub mod rng;
pub mod router;
pub mod search;
pub mod store;
pub mod synthetic;
