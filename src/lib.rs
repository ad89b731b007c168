//! Marquee: a Discord bot over a bundled catalog of the "Netflix on AWS" stories.
//!
//! The core (catalog, search) is plain Rust with no Discord types; see ARCHITECTURE.md.

pub mod catalog;
pub mod search;
pub mod synthetic;
