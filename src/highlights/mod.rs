//! Daily highlights: channels subscribe to a post at a local time; each server sees the
//! catalog in its own rotation, one story a day.

pub mod commands;
pub mod permissions;
pub mod rotation;
pub mod runner;
pub mod schedule;

use crate::reply::{render, Reply};
use crate::search::Engine;
use crate::store::Rotation;
use chrono::NaiveDate;

/// The catalog ids in a stable order, as the rotation indexes them.
pub fn ids(engine: &Engine) -> Vec<&str> {
    engine.items().iter().map(|i| i.id.as_str()).collect()
}

/// The item a server's rotation shows on `date`.
pub fn pick<'e>(
    engine: &'e Engine,
    rotation: &Rotation,
    date: NaiveDate,
) -> Option<&'e crate::catalog::Item> {
    let ids = ids(engine);
    rotation::pick(rotation, date, &ids).and_then(|id| engine.get(id))
}

/// The highlight message for `date`: a header, the item embed, its links.
pub fn today_reply(engine: &Engine, rotation: &Rotation, date: NaiveDate) -> Option<Reply> {
    let item = pick(engine, rotation, date)?;
    let mut reply = render::item_reply(item, &[]);
    reply.content = Some(format!("**Today's highlight** · {}", date.format("%A %-d %B %Y")));
    Some(reply)
}
