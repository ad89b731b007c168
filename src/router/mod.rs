//! The one interaction router: an interaction came in → which request → which reply.
//!
//! Every door — the gateway (`discord/`), the HTTP endpoint (`endpoint/`), anything local —
//! only decodes what Discord sent into the tolerant types of `incoming`, calls
//! [`Router::interaction`] or [`Router::mention`], sends the JSON it gets back and logs. So a
//! slash command, an autocomplete keystroke, a menu pick or a highlight command is answered
//! byte for byte the same whichever way it arrived; differences between doors cannot creep in.

pub mod incoming;
pub mod mention;

use crate::box_future::BoxFuture;
use crate::catalog::Kind;
use crate::commands::{self, Command, CommandIds, Shown};
use crate::highlights::commands::{self as highlight_commands, HighlightRequest};
use crate::highlights::permissions::{self, ADMINISTRATOR, MANAGE_CHANNELS};
use crate::locale::Lang;
use crate::reply::{
    callback_body, channel_reply_body, edit_body, pong_body, private_deferred_body, render, Response,
    EPHEMERAL,
};
use crate::search::SharedEngine;
use crate::store::Store;
use chrono::{DateTime, Utc};
use incoming::{option, snowflake_of, Interaction, Message};
use serde_json::Value;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tracing::{error, warn};

/// Every request Marquee knows, whichever door it came through.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// The endpoint's liveness check from Discord.
    Ping,
    /// Catalog commands, autocomplete, menu picks, Share, "Find in Marquee"; `private` when
    /// only the member is to see the answer.
    Catalog { request: commands::CatalogRequest, private: bool },
    /// `/highlights …`, `/highlight`, timezone autocomplete. `access_known` when Discord sent
    /// the bot's permissions in the channel, so no REST look-up is needed.
    Highlights { request: HighlightRequest, access_known: bool },
    /// Share where Discord would not show the app's message to the channel: a server that
    /// does not let its members' own apps post publicly (Use External Apps off).
    ShareBlocked,
    /// A highlight command used outside a server (a DM, or a user-installed app elsewhere).
    HighlightsOutsideServer,
    /// A command, component or interaction type this version does not know (an old
    /// registration, a message from before an update, a type Discord added later).
    Unknown { autocomplete: bool },
}

impl Request {
    /// The name logs and metrics use.
    pub fn label(&self) -> &'static str {
        match self {
            Request::Ping => "ping",
            Request::Catalog { request, .. } => request.label(),
            Request::ShareBlocked => "share",
            Request::Highlights { request: HighlightRequest::TimezoneAutocomplete { .. }, .. } => {
                "autocomplete"
            }
            Request::Highlights { request: HighlightRequest::Today { .. }, .. } => "highlight",
            Request::Highlights { .. } | Request::HighlightsOutsideServer => "highlights",
            Request::Unknown { .. } => "unknown",
        }
    }
}

/// Which request an interaction is. Pure: no I/O, no clock.
pub fn route(interaction: &Interaction) -> Request {
    match interaction.kind {
        incoming::PING => Request::Ping,
        incoming::APPLICATION_COMMAND => command(interaction),
        incoming::AUTOCOMPLETE => autocomplete(interaction),
        incoming::MESSAGE_COMPONENT => component(interaction),
        _ => Request::Unknown { autocomplete: false },
    }
}

fn kind_option(options: &[incoming::CommandOption]) -> Option<Kind> {
    option(options, "kind").and_then(|o| o.as_str()).and_then(|k| k.parse().ok())
}

/// Discord's command types beside slash commands (1).
const MESSAGE_COMMAND: u64 = 3;
/// The Use External Apps permission: members' own apps may answer publicly in the server.
const USE_EXTERNAL_APPS: u64 = 1 << 50;

fn catalog(request: commands::CatalogRequest, private: bool) -> Request {
    Request::Catalog { request, private }
}

fn command(i: &Interaction) -> Request {
    let name = i.data.name.as_str();
    if i.data.kind == Some(MESSAGE_COMMAND) {
        if name != commands::definitions::FIND_IN_MESSAGE {
            return Request::Unknown { autocomplete: false };
        }
        let text = i.target_message().unwrap_or_default().to_string();
        return catalog(commands::CatalogRequest::FindInMessage { text }, true);
    }
    if name == "highlights" || name == "highlight" {
        return highlights(i);
    }
    let Some(command) = Command::from_name(name) else { return Request::Unknown { autocomplete: false } };
    let options = &i.data.options;
    let private = option(options, "private").and_then(|o| o.value.as_bool()).unwrap_or(false);
    catalog(
        match command {
            Command::Search | Command::Video | Command::CaseStudy => commands::CatalogRequest::Find {
                command,
                query: option(options, "query").and_then(|o| o.as_str()).unwrap_or_default().to_string(),
                kind: kind_option(options),
                year: option(options, "year").and_then(|o| o.as_i64()).and_then(|y| u16::try_from(y).ok()),
            },
            Command::Random => commands::CatalogRequest::Random { kind: kind_option(options), seed: i.id },
            Command::About => commands::CatalogRequest::About,
            Command::Help => commands::CatalogRequest::Help,
        },
        private,
    )
}

fn autocomplete(i: &Interaction) -> Request {
    let unknown = Request::Unknown { autocomplete: true };
    if i.data.name == "highlights" {
        let Some((_, options)) = i.subcommand() else { return unknown };
        let text = options.iter().find(|o| o.focused).and_then(|o| o.as_str()).unwrap_or_default();
        let locale = i.guild_locale.clone().or_else(|| i.locale.clone());
        let request = HighlightRequest::TimezoneAutocomplete { text: text.to_string(), locale };
        return Request::Highlights { request, access_known: false };
    }
    let Some(command) = Command::from_name(&i.data.name) else { return unknown };
    let options = &i.data.options;
    // The focused option is the one being typed; `query` is the only one that autocompletes.
    let typed = options.iter().find(|o| o.focused).or_else(|| option(options, "query"));
    let text = typed.and_then(|o| o.as_str()).unwrap_or_default().to_string();
    catalog(commands::CatalogRequest::Autocomplete { command, text, kind: kind_option(options) }, false)
}

fn component(i: &Interaction) -> Request {
    let unknown = Request::Unknown { autocomplete: false };
    if let Some(id) = i.data.custom_id.strip_prefix(render::SHARE) {
        return share(i, id);
    }
    if i.data.custom_id != render::PICK {
        return unknown;
    }
    let Some(id) = i.data.values.first() else { return unknown };
    // The menu's own options say what was listed: no state is kept between messages.
    let listed = i
        .message
        .iter()
        .flat_map(|m| &m.components)
        .flat_map(|c| c.walk())
        .filter(|c| c.custom_id.as_deref() == Some(render::PICK))
        .flat_map(|c| c.options.iter().map(|o| o.value.clone()))
        .collect();
    // A private card's menu keeps its Share button.
    let private = i.message.as_ref().is_some_and(|m| m.flags & EPHEMERAL != 0);
    catalog(commands::CatalogRequest::Pick { id: id.clone(), listed }, private)
}

/// Share: the card posted to the channel as the interaction's answer. In a server where the app
/// is only installed by the member, Discord shows that answer to the member alone unless the
/// server lets members' apps post (Use External Apps): then say so instead.
fn share(i: &Interaction, id: &str) -> Request {
    let member_may_post =
        i.member.as_ref().and_then(|m| m.permissions).is_none_or(|p| p & USE_EXTERNAL_APPS != 0);
    if i.context == Some(0) && !i.server_installed() && !member_may_post {
        return Request::ShareBlocked;
    }
    let by = i.user_id().unwrap_or_default();
    catalog(commands::CatalogRequest::Share { id: id.to_string(), by }, false)
}

fn highlights(i: &Interaction) -> Request {
    let Some(guild_id) = i.guild_id.filter(|_| i.server_installed()) else {
        return Request::HighlightsOutsideServer;
    };
    if i.data.name == "highlight" {
        return Request::Highlights { request: HighlightRequest::Today { guild_id }, access_known: false };
    }
    let unknown = Request::Unknown { autocomplete: false };
    // Discord checks the command's default permission; the member's own permissions in the
    // channel are checked again here, since a server can override that default.
    let can_manage = i
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p & (MANAGE_CHANNELS | ADMINISTRATOR) != 0);
    let Some((sub, options)) = i.subcommand() else { return unknown };
    let channel = option(options, "channel").and_then(|o| snowflake_of(&o.value));
    let text = |name: &str| option(options, name).and_then(|o| o.as_str()).map(str::to_string);
    let request = match sub {
        "subscribe" => {
            let Some(channel_id) = channel else { return unknown };
            // Discord sends the bot's permissions in a resolved channel when the bot is in the
            // server: what it lacks is known without asking over REST.
            let known = i.data.resolved.channels.get(&channel_id.to_string()).and_then(|c| c.app_permissions);
            let request = HighlightRequest::Subscribe {
                guild_id,
                channel_id,
                time: text("time").unwrap_or_default(),
                timezone: text("timezone"),
                can_manage,
                bot_missing: known.map(permissions::missing_for_posting).unwrap_or_default(),
                guild_locale: i.guild_locale.clone(),
            };
            return Request::Highlights { request, access_known: known.is_some() };
        }
        "unsubscribe" => HighlightRequest::Unsubscribe { guild_id, channel_id: channel, can_manage },
        "list" => HighlightRequest::List { guild_id },
        _ => return unknown,
    };
    Request::Highlights { request, access_known: false }
}

/// What the bot may do in a channel, as the door can find out (REST calls for the gateway and
/// the endpoint).
#[async_trait::async_trait]
pub trait ChannelAccess: Send + Sync {
    /// The permissions (by name) the bot lacks to post highlights in `channel`; empty when it
    /// can post, or when it cannot tell (the first post will say).
    async fn missing(&self, guild: u64, channel: u64) -> Vec<&'static str>;
}

/// What the door sends back for one interaction.
pub struct Answer {
    /// For logs and metrics.
    pub label: &'static str,
    /// The interaction callback (HTTP response body on the endpoint).
    pub body: Value,
    /// When `body` is a deferred response: the final message, to send as an edit of the
    /// original response (`PATCH /webhooks/{application}/{token}/messages/@original`).
    pub then: Option<BoxFuture<'static, Value>>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer").field("label", &self.label).field("body", &self.body).finish()
    }
}

pub struct Router {
    pub engine: Arc<SharedEngine>,
    pub store: Arc<dyn Store>,
    pub access: Arc<dyn ChannelAccess>,
    /// The clock highlight commands read (injected in tests).
    pub clock: fn() -> DateTime<Utc>,
    /// The registered commands' ids, once known (registration, or a GET at start): commands
    /// named in replies become clickable mentions.
    command_ids: RwLock<Arc<CommandIds>>,
}

impl Router {
    pub fn new(engine: Arc<SharedEngine>, store: Arc<dyn Store>, access: Arc<dyn ChannelAccess>) -> Router {
        Router { engine, store, access, clock: Utc::now, command_ids: RwLock::new(Arc::default()) }
    }

    /// Replaces the known command ids (after registering, or reading them from Discord).
    pub fn set_command_ids(&self, ids: CommandIds) {
        *self.command_ids.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ids);
    }

    pub fn command_ids(&self) -> Arc<CommandIds> {
        self.command_ids.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Answers one interaction. Never fails: an autocomplete always gets a list (empty on any
    /// failure), anything else a message. Its UI text is in the member's language (Discord's
    /// `locale`), decided here once for every door.
    pub async fn interaction(&self, interaction: &Interaction) -> Answer {
        let request = route(interaction);
        let lang = Lang::from_discord(interaction.locale.as_deref());
        let label = request.label();
        let now = |body: Value| Answer { label, body, then: None };
        let metrics = crate::metrics::get();
        match request {
            Request::Ping => now(pong_body()),
            Request::Catalog { request, private } => {
                let started = Instant::now();
                let engine = self.engine.get();
                let ids = self.command_ids();
                let shown = Shown { private, ids: &ids };
                let typing = matches!(request, commands::CatalogRequest::Autocomplete { .. });
                let response = off_the_scheduler(!typing, || {
                    std::panic::catch_unwind(AssertUnwindSafe(|| {
                        commands::respond_shown(&engine, &request, lang, shown)
                    }))
                })
                .unwrap_or_else(|_| {
                    error!(?request, "answering panicked");
                    failure(lang, typing)
                });
                metrics.observe(label, &request, &response, started.elapsed());
                now(callback_body(&response))
            }
            Request::ShareBlocked => {
                metrics.commands.with_label_values(&[label]).inc();
                now(callback_body(&Response::Message(render::error(lang.text("reply.share_blocked")))))
            }
            Request::Highlights { request, access_known } => {
                metrics.commands.with_label_values(&[label]).inc();
                if matches!(request, HighlightRequest::TimezoneAutocomplete { .. }) {
                    metrics.autocomplete.inc();
                }
                match request {
                    // Checking the bot's access takes REST calls: answer "thinking…" at once and
                    // edit the answer in, so Discord's 3-second deadline always holds. When
                    // Discord sent the access, the answer is one store write away: given now.
                    HighlightRequest::Subscribe { can_manage: true, .. } if access_known => {
                        let mut response = self.highlights(request, lang).await;
                        if let Response::Message(reply) = &mut response {
                            // As private as the deferred answer would have been.
                            reply.ephemeral = true;
                        }
                        now(callback_body(&response))
                    }
                    HighlightRequest::Subscribe { can_manage: true, .. } => Answer {
                        label,
                        body: private_deferred_body(),
                        then: Some(Box::pin(self.subscribe(request, lang))),
                    },
                    request => now(callback_body(&self.highlights(request, lang).await)),
                }
            }
            Request::HighlightsOutsideServer => {
                metrics.commands.with_label_values(&[label]).inc();
                now(callback_body(&Response::Message(render::error(lang.text("reply.outside_server")))))
            }
            Request::Unknown { autocomplete } => {
                metrics.commands.with_label_values(&[label]).inc();
                warn!(
                    interaction = interaction.id,
                    kind = interaction.kind,
                    name = %interaction.data.name,
                    custom_id = %interaction.data.custom_id,
                    "interaction for an unknown command, component or type"
                );
                let response = if autocomplete {
                    Response::Choices(Vec::new())
                } else {
                    Response::Message(render::error(&self.command_ids().linkify(lang.text("reply.unknown"))))
                };
                now(callback_body(&response))
            }
        }
    }

    /// The message body answering a mention, or `None` when the message is not addressed to
    /// the bot `me`. A message carries no locale (Discord sends one only with interactions):
    /// the reply is in the language the question is written in, English when that is unclear.
    pub fn mention(&self, message: &Message, me: u64) -> Option<Value> {
        let text = mention::query(message, me)?;
        let started = Instant::now();
        let engine = self.engine.get();
        let lang = engine.vocabulary().written_in(&text);
        let request = commands::CatalogRequest::Mention { text };
        let ids = self.command_ids();
        let shown = Shown { private: false, ids: &ids };
        let response = off_the_scheduler(true, || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                commands::respond_shown(&engine, &request, lang, shown)
            }))
        })
        .unwrap_or_else(|_| {
            error!(?request, "answering a mention panicked");
            failure(lang, false)
        });
        crate::metrics::get().observe(request.label(), &request, &response, started.elapsed());
        match response {
            Response::Message(reply) | Response::Update(reply) => {
                Some(channel_reply_body(&reply, message.id))
            }
            Response::Choices(_) => None,
        }
    }

    /// A highlight command over the store.
    fn highlights(
        &self,
        request: HighlightRequest,
        lang: Lang,
    ) -> impl Future<Output = Response> + Send + 'static {
        highlight(self.store.clone(), self.engine.get(), self.clock, request, lang)
    }

    /// `/highlights subscribe`: the bot's access to the channel first, then the store; the
    /// result as the edit of a deferred response.
    fn subscribe(
        &self,
        mut request: HighlightRequest,
        lang: Lang,
    ) -> impl Future<Output = Value> + Send + 'static {
        let (access, store, engine, clock) =
            (self.access.clone(), self.store.clone(), self.engine.get(), self.clock);
        async move {
            if let HighlightRequest::Subscribe { guild_id, channel_id, bot_missing, .. } = &mut request {
                *bot_missing = access.missing(*guild_id, *channel_id).await;
            }
            match highlight(store, engine, clock, request, lang).await {
                Response::Message(reply) | Response::Update(reply) => edit_body(&reply),
                Response::Choices(_) => edit_body(&render::error(lang.text("reply.sorry"))),
            }
        }
    }
}

/// Runs a highlight command over the store, as a task of its own: a panic answering is an
/// apology, as `catch_unwind` makes it for the catalog's commands, not a lost interaction.
async fn highlight(
    store: Arc<dyn Store>,
    engine: Arc<crate::search::Engine>,
    clock: fn() -> DateTime<Utc>,
    request: HighlightRequest,
    lang: Lang,
) -> Response {
    let autocomplete = matches!(request, HighlightRequest::TimezoneAutocomplete { .. });
    let answer = tokio::spawn(async move {
        highlight_commands::respond(store.as_ref(), &engine, &request, clock(), lang).await
    });
    answer.await.unwrap_or_else(|e| {
        error!(error = %e, "highlight command panicked");
        failure(lang, autocomplete)
    })
}

/// The reply when answering failed: an empty list for autocomplete (the only valid answer
/// there), an apology otherwise.
fn failure(lang: Lang, autocomplete: bool) -> Response {
    if autocomplete {
        Response::Choices(Vec::new())
    } else {
        Response::Message(render::error(lang.text("reply.sorry")))
    }
}

/// Runs `answer`, when `may_be_slow`, where it does not hold up the other tasks of this thread:
/// a search the sentence model reads takes 20–90 ms (`search::fallback`), where the words alone
/// take a tenth of a millisecond. On a multi-threaded runtime the thread hands its other tasks
/// to another first (`block_in_place`); on a single-threaded one (tests, `marquee preview`)
/// there is no other thread, and it runs as is.
fn off_the_scheduler<T>(may_be_slow: bool, answer: impl FnOnce() -> T) -> T {
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if may_be_slow && multi {
        tokio::task::block_in_place(answer)
    } else {
        answer()
    }
}
