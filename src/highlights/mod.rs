//! Daily highlights: channels subscribe to a post at a local time; each server sees the
//! catalog in its own rotation, one story a day.

pub mod commands;
pub mod permissions;
pub mod recognise;
pub mod rotation;
pub mod runner;
pub mod schedule;
pub mod scheduler;
pub mod timezones;

use crate::locale::Lang;
use crate::reply::{render, Reply};
use crate::search::Engine;
use crate::store::Rotation;
use chrono::NaiveDate;

/// Today's date for a server: in its first subscription's timezone, else UTC. `/highlight`
/// and `marquee highlights preview` count days the same way.
pub async fn server_today(
    store: &dyn crate::store::Store,
    guild_id: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::store::Result<NaiveDate> {
    let subs = store.subscriptions(Some(guild_id)).await?;
    let tz = subs.first().and_then(|s| schedule::parse_timezone(&s.timezone)).unwrap_or(chrono_tz::Tz::UTC);
    Ok(now.with_timezone(&tz).date_naive())
}

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

/// A server's picks for the `days` days from its today (`server_today`) on, creating its
/// rotation if it has none: what `marquee highlights preview` prints and the playground's
/// calendar shows.
pub async fn coming<'e>(
    store: &dyn crate::store::Store,
    engine: &'e Engine,
    guild_id: u64,
    now: chrono::DateTime<chrono::Utc>,
    days: u16,
) -> crate::store::Result<Vec<(NaiveDate, &'e crate::catalog::Item)>> {
    let today = server_today(store, guild_id, now).await?;
    let rotation = store.rotation(guild_id, today).await?;
    Ok((0..i64::from(days))
        .filter_map(|d| {
            let date = today + chrono::Duration::days(d);
            pick(engine, &rotation, date).map(|i| (date, i))
        })
        .collect())
}

/// The highlight message for `date`: a header, the item embed, its links; UI text in `lang`
/// (the server's language for a daily post, the member's for `/highlight`).
pub fn today_reply(engine: &Engine, rotation: &Rotation, date: NaiveDate, lang: Lang) -> Option<Reply> {
    let item = pick(engine, rotation, date)?;
    let mut reply = render::item_reply(lang, item, &[]);
    reply.content = Some(lang.fill("reply.highlight_header", &[("date", &lang.long_date(date))]));
    Some(reply)
}
