//! The gateway door: every dispatch serenity receives, decoded into the router's own types,
//! answered by the router, sent back over REST.
//!
//! serenity decodes strictly: a dispatch that lacks one field it requires becomes
//! `Event::Unknown` and would be dropped. This handler is a raw event handler, so it sees
//! those too, and decodes their JSON with the router's tolerant types; interactions serenity
//! did decode are turned back into JSON and go through the same decoder. A dispatch that
//! still cannot be decoded is logged at WARN and counted, never silently dropped.

use super::send;
use crate::commands::definitions;
use crate::highlights::runner::Runner;
use crate::highlights::scheduler::{self, Timing};
use crate::inflight::InFlight;
use crate::router::incoming::{Interaction, Message};
use crate::router::Router;
use crate::search::SharedEngine;
use crate::store::Store;
use serde_json::Value;
use serenity::all::{
    ChannelId, Context, Event, GuildId, Interaction as SerenityInteraction, RawEventHandler,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::{debug, error, info, warn};

pub struct Handler {
    pub router: Arc<Router>,
    pub guild_id: Option<GuildId>,
    pub inflight: InFlight,
    /// How late a highlight may still be posted.
    pub catchup: chrono::Duration,
    /// Whether this process registers the slash commands (the one running shard 0 does).
    registers: bool,
    /// Commands are registered once per process, not on every (re)identify.
    registered: AtomicBool,
    /// Shards that have had a READY: another READY from one of them is a reconnect.
    ready_shards: Mutex<HashSet<u32>>,
    /// The highlight scheduler is started once per process, too.
    scheduler_started: AtomicBool,
    /// The invite URL is logged once, when the bot is in no server.
    invite_logged: AtomicBool,
    /// The bot's user id (0 until known): from the token at start, confirmed by READY.
    me: AtomicU64,
    /// The application id (READY's; the bot id until then): for registering the commands, and
    /// for completing a deferred answer when the interaction names no application.
    application_id: AtomicU64,
    /// The REST client of the highlight posts and the interaction answers (deadlines, the
    /// process's rate limits).
    rest: Arc<super::rest::Rest>,
}

impl Handler {
    pub fn new(
        router: Arc<Router>,
        guild_id: Option<GuildId>,
        inflight: InFlight,
        catchup: chrono::Duration,
        registers: bool,
        me: Option<u64>,
        rest: Arc<super::rest::Rest>,
    ) -> Handler {
        Handler {
            router,
            guild_id,
            inflight,
            catchup,
            registers,
            registered: AtomicBool::new(false),
            ready_shards: Mutex::new(HashSet::new()),
            scheduler_started: AtomicBool::new(false),
            invite_logged: AtomicBool::new(false),
            me: AtomicU64::new(me.unwrap_or(0)),
            application_id: AtomicU64::new(me.unwrap_or(0)),
            rest,
        }
    }

    fn store(&self) -> Arc<dyn Store> {
        self.router.store.clone()
    }

    fn engine(&self) -> Arc<SharedEngine> {
        self.router.engine.clone()
    }

    fn start_scheduler(&self) {
        if self.scheduler_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let timing = Timing::from_env();
        let poster =
            super::poster::HttpPoster { rest: self.rest.clone(), me: self.me.load(Ordering::SeqCst) };
        let mut runner = Runner::new(
            self.store(),
            self.engine(),
            Arc::new(poster),
            format!("pid{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros()),
            self.catchup,
            timing.lease,
        );
        runner.backoff = timing.backoff;
        scheduler::spawn(Arc::new(runner), timing.tick, self.inflight.clone(), |report| {
            let m = crate::metrics::get();
            m.highlight_posts.inc_by(report.posted as u64);
            m.highlight_failures.with_label_values(&["gone"]).inc_by(report.paused as u64);
            m.highlight_failures.with_label_values(&["retry"]).inc_by(report.retrying as u64);
            m.highlight_failures.with_label_values(&["error"]).inc_by(report.errors as u64);
        });
    }

    async fn register(&self, ctx: &Context) {
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        if !self.registers {
            // Another process registers: read the ids it got, so this one's replies match.
            let (application, guild) =
                (self.application_id.load(Ordering::SeqCst), self.guild_id.map(|g| g.get()));
            if let Some(ids) = super::registration::registered_ids(&ctx.http, application, guild).await {
                self.router.set_command_ids(ids);
            }
            return;
        }
        let (commands, scope) = match self.guild_id {
            Some(_) => (definitions::guild_commands(), "guild"),
            None => (definitions::commands(), "global"),
        };
        let application = self.application_id.load(Ordering::SeqCst);
        let guild = self.guild_id.map(|g| g.get());
        match super::registration::register(&ctx.http, application, guild, &commands).await {
            Ok(ids) => {
                info!(commands = ids.len(), scope, "registered slash commands");
                // Discord's answer holds each command's id: replies can now mention them.
                self.router.set_command_ids(ids);
            }
            Err(e) => {
                // Let the next READY try again.
                self.registered.store(false, Ordering::SeqCst);
                error!(error = %e, "could not register slash commands");
            }
        }
    }

    async fn ready(&self, ctx: Context, ready: serenity::all::Ready) {
        self.me.store(ready.user.id.get(), Ordering::SeqCst);
        self.application_id.store(ready.application.id.get(), Ordering::SeqCst);
        let shard = ready.shard.map_or(0, |s| s.id.0);
        if !self.ready_shards.lock().unwrap_or_else(|e| e.into_inner()).insert(shard) {
            // A shard's READY after its first is a new session: a reconnect.
            crate::metrics::get().reconnects.inc();
        }
        info!(user = %ready.user.name, guilds = ready.guilds.len(), shard = ?ready.shard, "connected to Discord");
        if shard == 0 && ready.guilds.is_empty() && !self.invite_logged.swap(true, Ordering::SeqCst) {
            // A new bot in no server yet: say how to add it, once.
            info!(url = %super::invite_url(ready.application.id.get()), "the bot is in no server yet; open this URL to add it");
        }
        self.register(&ctx).await;
        self.start_scheduler();
    }

    /// One interaction: ask the router, send its answer (and the edit of a deferred one).
    async fn interaction(&self, json: Value) {
        let started = Instant::now();
        let _guard = self.inflight.enter();
        let Some(interaction) = decode::<Interaction>("INTERACTION_CREATE", json) else { return };
        let answer = self.router.interaction(&interaction).await;
        let ok = send::callback(&self.rest, interaction.id, &interaction.token, &answer.body, started).await;
        let edited = match answer.then {
            Some(then) if ok => {
                let application = Some(self.application_id.load(Ordering::SeqCst));
                Some(super::complete_deferred(&self.rest, application, &interaction, then, started).await)
            }
            _ => None,
        };
        info!(
            command = answer.label,
            latency_ms = started.elapsed().as_secs_f64() * 1e3,
            ok,
            edited,
            "answered interaction"
        );
    }

    /// A message: answered when it asks the bot something (see `router::mention`).
    async fn message(&self, ctx: Context, json: Value) {
        let me = self.me.load(Ordering::SeqCst);
        let Some(message) = decode::<Message>("MESSAGE_CREATE", json) else { return };
        let started = Instant::now();
        let _guard = self.inflight.enter();
        let Some(body) = self.router.mention(&message, me) else { return };
        if message.channel_id == 0 {
            // Decoded leniently but without a channel: there is nowhere to answer.
            warn!(message = message.id, "a message asking the bot has no channel id; not answered");
            return;
        }
        match ctx.http.send_message(ChannelId::new(message.channel_id), vec![], &body).await {
            Ok(_) => info!(
                command = "mention",
                latency_ms = started.elapsed().as_secs_f64() * 1e3,
                "answered mention"
            ),
            Err(e) => {
                warn!(channel = message.channel_id, error = %e, "could not answer mention (missing permissions?)")
            }
        }
    }
}

/// Decodes a dispatch's data into the router's types; a failure is logged at WARN with the
/// serde error and counted in `marquee_undecodable_events_total{event}`.
fn decode<T: serde::de::DeserializeOwned>(event: &'static str, json: Value) -> Option<T> {
    match serde_json::from_value(json) {
        Ok(v) => Some(v),
        Err(e) => {
            warn!(event, error = %e, "could not decode a gateway event; it is not answered");
            crate::metrics::get().undecodable.with_label_values(&[event]).inc();
            None
        }
    }
}

/// serenity's decoded interaction as JSON again. serenity leaves the type out of its
/// serialisation (the enum variant carries it), so it is put back.
fn interaction_json(interaction: &SerenityInteraction) -> Value {
    let kind = match interaction {
        SerenityInteraction::Ping(_) => 1,
        SerenityInteraction::Command(_) => 2,
        SerenityInteraction::Component(_) => 3,
        SerenityInteraction::Autocomplete(_) => 4,
        SerenityInteraction::Modal(_) => 5,
        _ => 0,
    };
    let mut json = serde_json::to_value(interaction).unwrap_or(Value::Null);
    if let Some(fields) = json.as_object_mut() {
        fields.insert("type".into(), kind.into());
    }
    json
}

#[async_trait::async_trait]
impl RawEventHandler for Handler {
    async fn raw_event(&self, ctx: Context, event: Event) {
        match event {
            Event::Ready(e) => self.ready(ctx, e.ready).await,
            Event::Resumed(_) => {
                crate::metrics::get().reconnects.inc();
                info!("gateway session resumed");
            }
            Event::InteractionCreate(e) => self.interaction(interaction_json(&e.interaction)).await,
            Event::MessageCreate(e) => {
                self.message(ctx, serde_json::to_value(&e.message).unwrap_or(Value::Null)).await
            }
            // serenity could not decode it (a field it requires is missing, or the event is
            // new to it): the two events Marquee answers are decoded here instead.
            Event::Unknown(u) => match u.kind.as_str() {
                "INTERACTION_CREATE" => {
                    debug!("INTERACTION_CREATE that serenity could not decode: decoding it here");
                    self.interaction(u.value).await
                }
                "MESSAGE_CREATE" => self.message(ctx, u.value).await,
                other => debug!(event = other, "ignoring an event serenity does not know"),
            },
            _ => {}
        }
    }
}
