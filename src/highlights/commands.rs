//! `/highlights subscribe|unsubscribe|list` and `/highlight`, as plain functions over a store.

use super::{schedule, today_reply};
use crate::reply::{render, Choice, Reply, Response};
use crate::search::Engine;
use crate::store::Store;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum HighlightRequest {
    Subscribe {
        guild_id: u64,
        channel_id: u64,
        time: String,
        timezone: Option<String>,
        /// The member has Manage Channels (checked again here, not only by Discord).
        can_manage: bool,
        /// Permissions the bot lacks in the channel, by name; empty when it can post.
        bot_missing: Vec<&'static str>,
    },
    Unsubscribe {
        guild_id: u64,
        channel_id: Option<u64>,
        can_manage: bool,
    },
    List {
        guild_id: u64,
    },
    Today {
        guild_id: u64,
    },
    TimezoneAutocomplete {
        text: String,
    },
}

const NEEDS_MANAGE: &str = "You need the **Manage Channels** permission to change highlight subscriptions.";

pub fn respond(
    store: &dyn Store,
    engine: &Engine,
    request: &HighlightRequest,
    now: DateTime<Utc>,
) -> Response {
    match handle(store, engine, request, now) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, ?request, "highlights command failed");
            Response::Message(render::error(
                "Sorry, I could not reach my database. Please try again in a minute.",
            ))
        }
    }
}

fn handle(
    store: &dyn Store,
    engine: &Engine,
    request: &HighlightRequest,
    now: DateTime<Utc>,
) -> crate::store::Result<Response> {
    let private = |text: String| Response::Message(render::error(&text));
    Ok(match request {
        HighlightRequest::TimezoneAutocomplete { text } => Response::Choices(
            schedule::timezones_matching(text, crate::reply::limits::CHOICES)
                .into_iter()
                .map(|n| Choice { name: n.to_string(), value: n.to_string() })
                .collect(),
        ),
        HighlightRequest::Subscribe { guild_id, channel_id, time, timezone, can_manage, bot_missing } => {
            if !can_manage {
                return Ok(private(NEEDS_MANAGE.into()));
            }
            let Some(at) = schedule::parse_time(time) else {
                return Ok(private(format!(
                    "{} is not a time: use 24-hour HH:MM, like `09:00` or `18:30`.",
                    render::echo(time)
                )));
            };
            let tz_name = timezone.clone().unwrap_or_default();
            let Some(tz) = schedule::parse_timezone(&tz_name) else {
                return Ok(private(format!(
                    "{} is not a timezone I know: pick one from the list, like `Europe/Paris` or `America/New_York`.",
                    render::echo(&tz_name)
                )));
            };
            if !bot_missing.is_empty() {
                return Ok(private(format!(
                    "I can't post in <#{channel_id}>: I'm missing **{}** there. Grant it in the channel's \
                     permissions, then subscribe again.",
                    bot_missing.join("**, **")
                )));
            }
            let sub = store.subscribe(*guild_id, *channel_id, at, tz.name(), now)?;
            let next = schedule::next_after(sub.time, tz, now);
            Response::Message(Reply {
                content: Some(format!(
                    "Subscribed <#{channel_id}>: a highlight every day at {} ({}). First one <t:{}:R>.",
                    sub.time.format("%H:%M"),
                    tz.name(),
                    next.timestamp()
                )),
                ephemeral: true,
                ..Reply::default()
            })
        }
        HighlightRequest::Unsubscribe { guild_id, channel_id, can_manage } => {
            if !can_manage {
                return Ok(private(NEEDS_MANAGE.into()));
            }
            let n = store.unsubscribe(*guild_id, *channel_id)?;
            private(match (n, channel_id) {
                (0, Some(c)) => format!("<#{c}> had no highlight subscription."),
                (0, None) => "This server has no highlight subscriptions.".into(),
                (_, Some(c)) => format!("Unsubscribed <#{c}>: no more daily highlights there."),
                (n, None) => format!("Removed all {n} highlight subscription(s) of this server."),
            })
        }
        HighlightRequest::List { guild_id } => {
            let subs = store.subscriptions(Some(*guild_id))?;
            if subs.is_empty() {
                return Ok(private(
                    "No channel here gets daily highlights yet. `/highlights subscribe` sets one up.".into(),
                ));
            }
            let lines: Vec<String> = subs
                .iter()
                .map(|s| {
                    let state = match (&s.paused, schedule::parse_timezone(&s.timezone)) {
                        (Some(reason), _) => format!("⏸ paused: {reason}"),
                        (None, Some(tz)) => {
                            format!("next <t:{}:R>", schedule::next_after(s.time, tz, now).timestamp())
                        }
                        (None, None) => "⏸ unknown timezone".into(),
                    };
                    format!("<#{}> · {} {} · {state}", s.channel_id, s.time.format("%H:%M"), s.timezone)
                })
                .collect();
            private(format!("**Daily highlights**\n{}", lines.join("\n")))
        }
        HighlightRequest::Today { guild_id } => {
            let today = super::server_today(store, *guild_id, now)?;
            let rotation = store.rotation(*guild_id, today)?;
            match today_reply(engine, &rotation, today) {
                Some(reply) => Response::Message(reply),
                None => private("The catalog is empty.".into()),
            }
        }
    })
}
