//! Serenity's event handler: routes events to `commands::respond` and sends the answer.

use super::convert;
use super::inflight::InFlight;
use crate::commands::{definitions, respond};
use crate::highlights::commands::{self as highlight_commands, HighlightRequest};
use crate::highlights::permissions::{self, Overwrite, Target};
use crate::highlights::runner::Runner;
use crate::reply::{callback_body, channel_reply_body, render, Response};
use crate::search::SharedEngine;
use crate::store::Store;
use serenity::all::{
    Channel, ChannelId, CommandInteraction, Context, EventHandler, GuildId, Interaction, InteractionId,
    Message, PermissionOverwriteType, Ready, ResumedEvent, UserId,
};
use serenity::async_trait;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tracing::{error, info, warn};

/// Discord drops an interaction not answered within 3 s; a retry must leave room for itself.
const RETRY_BEFORE: Duration = Duration::from_millis(2000);

/// How often the highlight scheduler looks for due posts, and how long an unrecorded claim
/// is held. Both can be shortened for process-level tests only (`MARQUEE_TEST_TICK_MS`,
/// `MARQUEE_TEST_LEASE_SECONDS`); they are not user settings.
fn scheduler_timing() -> (Duration, chrono::Duration) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let tick = Duration::from_millis(env("MARQUEE_TEST_TICK_MS").unwrap_or(30_000).max(100));
    let lease = env("MARQUEE_TEST_LEASE_SECONDS").unwrap_or(crate::highlights::runner::LEASE_SECONDS as u64);
    (tick, chrono::Duration::seconds(lease as i64))
}

pub struct Handler {
    pub engine: Arc<SharedEngine>,
    pub store: Arc<dyn Store>,
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
    me: OnceLock<UserId>,
}

impl Handler {
    pub fn new(
        engine: Arc<SharedEngine>,
        store: Arc<dyn Store>,
        guild_id: Option<GuildId>,
        inflight: InFlight,
        catchup: chrono::Duration,
        registers: bool,
    ) -> Handler {
        Handler {
            engine,
            store,
            guild_id,
            inflight,
            catchup,
            registers,
            registered: AtomicBool::new(false),
            ready_shards: Mutex::new(HashSet::new()),
            scheduler_started: AtomicBool::new(false),
            me: OnceLock::new(),
        }
    }

    pub fn set_me(&self, id: UserId) {
        let _ = self.me.set(id);
    }

    fn start_scheduler(&self, ctx: &Context) {
        if self.scheduler_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let runner = Runner::new(
            self.store.clone(),
            self.engine.clone(),
            Arc::new(super::poster::HttpPoster(ctx.http.clone())),
            format!("pid{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros()),
            self.catchup,
            scheduler_timing().1,
        );
        let inflight = self.inflight.clone();
        info!("highlight scheduler started");
        tokio::spawn(async move {
            loop {
                let report = {
                    let _guard = inflight.enter();
                    runner.tick(chrono::Utc::now()).await
                };
                if report != Default::default() {
                    info!(?report, "highlight tick");
                    let m = crate::metrics::get();
                    m.highlight_posts.inc_by(report.posted as u64);
                    m.highlight_failures.with_label_values(&["gone"]).inc_by(report.paused as u64);
                    m.highlight_failures.with_label_values(&["retry"]).inc_by(report.retrying as u64);
                    m.highlight_failures.with_label_values(&["error"]).inc_by(report.errors as u64);
                }
                tokio::time::sleep(scheduler_timing().0).await;
            }
        });
    }

    /// What the bot lacks to post in `channel` (empty when it can, or when it cannot tell).
    async fn bot_missing(&self, ctx: &Context, guild: GuildId, channel: u64) -> Vec<&'static str> {
        let Some(&me) = self.me.get() else { return Vec::new() };
        let channel = match ctx.http.get_channel(ChannelId::new(channel)).await {
            Ok(Channel::Guild(c)) => c,
            Ok(_) => return Vec::new(),
            Err(e) => {
                warn!(error = %e, "cannot read the channel to check permissions");
                return vec!["View Channel"];
            }
        };
        let (roles, member) =
            match (ctx.http.get_guild_roles(guild).await, ctx.http.get_member(guild, me).await) {
                (Ok(r), Ok(m)) => (r, m),
                (Err(e), _) | (_, Err(e)) => {
                    warn!(error = %e, "cannot read roles to check permissions; the first post will tell");
                    return Vec::new();
                }
            };
        let roles: Vec<(u64, u64)> = roles.iter().map(|r| (r.id.get(), r.permissions.bits())).collect();
        let member_roles: Vec<u64> = member.roles.iter().map(|r| r.get()).collect();
        let overwrites: Vec<Overwrite> = channel
            .permission_overwrites
            .iter()
            .filter_map(|o| {
                let target = match o.kind {
                    PermissionOverwriteType::Member(u) => Target::Member(u.get()),
                    PermissionOverwriteType::Role(r) => Target::Role(r.get()),
                    _ => return None,
                };
                Some(Overwrite { target, allow: o.allow.bits(), deny: o.deny.bits() })
            })
            .collect();
        let perms = permissions::in_channel(guild.get(), &roles, me.get(), &member_roles, &overwrites);
        permissions::missing_for_posting(perms)
    }

    async fn highlight_request(&self, ctx: &Context, c: &CommandInteraction) -> Option<HighlightRequest> {
        let missing = match (c.guild_id, convert::subscribe_target(c)) {
            (Some(guild), Some(channel)) => self.bot_missing(ctx, guild, channel).await,
            _ => Vec::new(),
        };
        convert::highlight(c, missing)
    }

    async fn register(&self, ctx: &Context) {
        if !self.registers || self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        let commands = definitions::commands();
        let result = match self.guild_id {
            Some(guild) => ctx.http.create_guild_commands(guild, &commands).await.map(|c| (c.len(), "guild")),
            None => ctx.http.create_global_commands(&commands).await.map(|c| (c.len(), "global")),
        };
        match result {
            Ok((n, scope)) => info!(commands = n, scope, "registered slash commands"),
            Err(e) => {
                // Let the next READY try again.
                self.registered.store(false, Ordering::SeqCst);
                error!(error = %e, "could not register slash commands");
            }
        }
    }

    /// Sends an interaction callback, retrying once on 429/5xx while the deadline allows.
    async fn answer(
        &self,
        ctx: &Context,
        id: InteractionId,
        token: &str,
        response: &Response,
        started: Instant,
    ) -> bool {
        let body = callback_body(response);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match ctx.http.create_interaction_response(id, token, &body, vec![]).await {
                Ok(()) => return true,
                Err(e) => {
                    let status = super::http_status(&e);
                    let retryable = status.is_some_and(|s| s == 429 || s >= 500);
                    if attempt == 1 && retryable && started.elapsed() < RETRY_BEFORE {
                        warn!(interaction = %id, status, error = %e, "interaction callback failed; retrying once");
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        continue;
                    }
                    error!(interaction = %id, status, error = %e, "could not answer interaction");
                    return false;
                }
            }
        }
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        let shard = ready.shard.map_or(0, |s| s.id.0);
        if !self.ready_shards.lock().unwrap_or_else(|e| e.into_inner()).insert(shard) {
            // A shard's READY after its first is a new session: a reconnect.
            crate::metrics::get().reconnects.inc();
        }
        info!(user = %ready.user.name, guilds = ready.guilds.len(), shard = ?ready.shard, "connected to Discord");
        self.register(&ctx).await;
        self.start_scheduler(&ctx);
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        crate::metrics::get().reconnects.inc();
        info!("gateway session resumed");
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let started = Instant::now();
        let _guard = self.inflight.enter();
        // Highlight commands need the database: answered off the async threads.
        let highlight = match &interaction {
            Interaction::Command(c) if c.data.name.starts_with("highlight") => {
                Some((c.id, c.token.clone(), self.highlight_request(&ctx, c).await))
            }
            Interaction::Autocomplete(c) if c.data.name == "highlights" => {
                Some((c.id, c.token.clone(), convert::timezone_autocomplete(c)))
            }
            _ => None,
        };
        if let Some((id, token, request)) = highlight {
            let response = match request {
                Some(request) => {
                    let (store, engine) = (self.store.clone(), self.engine.get());
                    tokio::task::spawn_blocking(move || {
                        highlight_commands::respond(store.as_ref(), &engine, &request, chrono::Utc::now())
                    })
                    .await
                    .unwrap_or_else(|_| Response::Message(render::error("Sorry, something went wrong.")))
                }
                None => {
                    Response::Message(render::error("Highlights work in a server, not in direct messages."))
                }
            };
            crate::metrics::get().commands.with_label_values(&["highlights"]).inc();
            let ok = self.answer(&ctx, id, &token, &response, started).await;
            info!(
                command = "highlights",
                latency_ms = started.elapsed().as_secs_f64() * 1e3,
                ok,
                "answered interaction"
            );
            return;
        }
        let (id, token, request) = match &interaction {
            Interaction::Command(c) => (c.id, c.token.clone(), convert::command(c)),
            Interaction::Autocomplete(c) => (c.id, c.token.clone(), convert::autocomplete(c)),
            Interaction::Component(c) => (c.id, c.token.clone(), convert::component(c)),
            _ => return,
        };
        let (response, label) = match &request {
            Some(request) => {
                let response = respond(&self.engine.get(), request);
                crate::metrics::get().observe(request.label(), request, &response, started.elapsed());
                (response, request.label())
            }
            None => {
                // A command from an older registration, or a component of an old message.
                warn!(interaction = %id, "interaction for an unknown command or component");
                let response = match interaction {
                    Interaction::Autocomplete(_) => Response::Choices(Vec::new()),
                    _ => Response::Message(render::error(
                        "Sorry, I don't know that command any more. Try `/search` or `/about`.",
                    )),
                };
                (response, "unknown")
            }
        };
        let ok = self.answer(&ctx, id, &token, &response, started).await;
        info!(
            command = label,
            latency_ms = started.elapsed().as_secs_f64() * 1e3,
            ok,
            "answered interaction"
        );
    }

    async fn message(&self, ctx: Context, message: Message) {
        let Some(&me) = self.me.get() else { return };
        let Some(request) = convert::mention(&message, me) else { return };
        let started = Instant::now();
        let _guard = self.inflight.enter();
        let response = respond(&self.engine.get(), &request);
        crate::metrics::get().observe("mention", &request, &response, started.elapsed());
        let Response::Message(reply) = response else { return };
        let body = channel_reply_body(&reply, message.id.get());
        let result = ctx.http.send_message(message.channel_id, vec![], &body).await;
        match result {
            Ok(_) => info!(
                command = "mention",
                latency_ms = started.elapsed().as_secs_f64() * 1e3,
                "answered mention"
            ),
            Err(e) => {
                warn!(channel = %message.channel_id, error = %e, "could not answer mention (missing permissions?)")
            }
        }
    }
}
