//! `/highlights subscribe|unsubscribe|list` and `/highlight`, as plain functions over a store.

use super::{schedule, today_reply};
use crate::locale::Lang;
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
        /// The server's language as Discord sends it (`guild_locale`): the daily posts use it.
        guild_locale: Option<String>,
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
        /// The server's language (`guild_locale`): its likely zone is offered first.
        locale: Option<String>,
    },
}

/// The answer to a highlight command, its text in `lang` (the member's language).
pub async fn respond(
    store: &dyn Store,
    engine: &Engine,
    request: &HighlightRequest,
    now: DateTime<Utc>,
    lang: Lang,
) -> Response {
    match handle(store, engine, request, now, lang).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %crate::store::Chain(&e), ?request, "highlights command failed");
            Response::Message(render::error(lang.text("reply.database")))
        }
    }
}

/// A permission as Discord's UI names it in `lang` (`permissions` names them in English).
fn permission_name(lang: Lang, english: &'static str) -> &'static str {
    match english {
        "View Channel" => lang.text("permission.view_channel"),
        "Send Messages" => lang.text("permission.send_messages"),
        "Embed Links" => lang.text("permission.embed_links"),
        other => other,
    }
}

async fn handle(
    store: &dyn Store,
    engine: &Engine,
    request: &HighlightRequest,
    now: DateTime<Utc>,
    lang: Lang,
) -> crate::store::Result<Response> {
    let needs_manage = || Response::Message(render::error(lang.text("reply.needs_manage")));
    let private = |text: String| Response::Message(render::error(&text));
    Ok(match request {
        HighlightRequest::TimezoneAutocomplete { text, locale } => Response::Choices(
            super::timezones::matching(text, locale.as_deref(), crate::reply::limits::CHOICES)
                .into_iter()
                .map(|n| Choice { name: n.to_string(), value: n.to_string() })
                .collect(),
        ),
        HighlightRequest::Subscribe {
            guild_id,
            channel_id,
            time,
            timezone,
            can_manage,
            bot_missing,
            guild_locale,
        } => {
            if !can_manage {
                return Ok(needs_manage());
            }
            let channel = format!("<#{channel_id}>");
            let Some(at) = schedule::parse_time(time) else {
                return Ok(private(lang.fill("reply.bad_time", &[("time", &render::echo(lang, time))])));
            };
            let tz_name = timezone.clone().unwrap_or_default();
            let Some(tz) = schedule::parse_timezone(&tz_name) else {
                let shown = render::echo(lang, &tz_name);
                return Ok(private(lang.fill("reply.bad_timezone", &[("timezone", &shown)])));
            };
            if !bot_missing.is_empty() {
                let names: Vec<&str> = bot_missing.iter().map(|p| permission_name(lang, p)).collect();
                return Ok(private(lang.fill(
                    "reply.bot_missing",
                    &[("channel", &channel), ("permissions", &names.join("**, **"))],
                )));
            }
            let locale = crate::locale::clean_locale(guild_locale.as_deref());
            let sub = store
                .subscribe_with_locale(*guild_id, *channel_id, at, tz.name(), locale.as_deref(), now)
                .await?;
            let next = schedule::next_after(sub.time, tz, now);
            Response::Message(Reply {
                content: Some(lang.fill(
                    "reply.subscribed",
                    &[
                        ("channel", &channel),
                        ("time", &sub.time.format("%H:%M")),
                        ("timezone", &tz.name()),
                        ("first", &format!("<t:{}:R>", next.timestamp())),
                    ],
                )),
                ephemeral: true,
                ..Reply::default()
            })
        }
        HighlightRequest::Unsubscribe { guild_id, channel_id, can_manage } => {
            if !can_manage {
                return Ok(needs_manage());
            }
            let n = store.unsubscribe(*guild_id, *channel_id).await?;
            private(match (n, channel_id) {
                (0, Some(c)) => lang.fill("reply.not_subscribed", &[("channel", &format!("<#{c}>"))]),
                (0, None) => lang.text("reply.none_to_remove").into(),
                (_, Some(c)) => lang.fill("reply.unsubscribed", &[("channel", &format!("<#{c}>"))]),
                (n, None) => lang.fill("reply.unsubscribed_all", &[("count", &n)]),
            })
        }
        HighlightRequest::List { guild_id } => {
            let subs = store.subscriptions(Some(*guild_id)).await?;
            if subs.is_empty() {
                return Ok(private(lang.text("reply.list_empty").into()));
            }
            let lines: Vec<String> = subs
                .iter()
                .map(|s| {
                    let state = match (&s.paused, schedule::parse_timezone(&s.timezone)) {
                        (Some(reason), _) => lang.fill("reply.list_paused", &[("reason", reason)]),
                        (None, Some(tz)) => {
                            let when = format!("<t:{}:R>", schedule::next_after(s.time, tz, now).timestamp());
                            lang.fill("reply.list_next", &[("when", &when)])
                        }
                        (None, None) => lang.text("reply.list_unknown_timezone").into(),
                    };
                    format!("<#{}> · {} {} · {state}", s.channel_id, s.time.format("%H:%M"), s.timezone)
                })
                .collect();
            private(format!("{}\n{}", lang.text("reply.list_title"), lines.join("\n")))
        }
        HighlightRequest::Today { guild_id } => {
            let today = super::server_today(store, *guild_id, now).await?;
            let rotation = store.rotation(*guild_id, today).await?;
            match today_reply(engine, &rotation, today, lang) {
                Some(reply) => Response::Message(reply),
                None => private(lang.text("reply.catalog_empty").into()),
            }
        }
    })
}
