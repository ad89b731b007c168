//! Serenity's event handler: routes events to `commands::respond` and sends the answer.

use super::convert;
use super::inflight::InFlight;
use crate::commands::{definitions, respond, Request};
use crate::reply::{callback_body, channel_reply_body, render, Response};
use crate::search::Engine;
use serenity::all::{
    Context, EventHandler, GuildId, Interaction, InteractionId, Message, Ready, ResumedEvent, UserId,
};
use serenity::async_trait;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tracing::{error, info, warn};

/// Discord drops an interaction not answered within 3 s; a retry must leave room for itself.
const RETRY_BEFORE: Duration = Duration::from_millis(2000);

pub struct Handler {
    pub engine: Arc<Engine>,
    pub guild_id: Option<GuildId>,
    pub inflight: InFlight,
    /// Commands are registered once per process, not on every (re)identify.
    registered: AtomicBool,
    me: OnceLock<UserId>,
}

impl Handler {
    pub fn new(engine: Arc<Engine>, guild_id: Option<GuildId>, inflight: InFlight) -> Handler {
        Handler { engine, guild_id, inflight, registered: AtomicBool::new(false), me: OnceLock::new() }
    }

    async fn register(&self, ctx: &Context) {
        if self.registered.swap(true, Ordering::SeqCst) {
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
                    let status = match &e {
                        serenity::Error::Http(h) => h.status_code().map(|s| s.as_u16()),
                        _ => None,
                    };
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

fn label(request: &Request) -> &'static str {
    match request {
        Request::Find { command, .. } => command.name(),
        Request::Random { .. } => "random",
        Request::About => "about",
        Request::Pick { .. } => "pick",
        Request::Autocomplete { .. } => "autocomplete",
        Request::Mention { .. } => "mention",
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        info!(user = %ready.user.name, guilds = ready.guilds.len(), shard = ?ready.shard, "connected to Discord");
        self.register(&ctx).await;
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        info!("gateway session resumed");
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let started = Instant::now();
        let _guard = self.inflight.enter();
        let (id, token, request) = match &interaction {
            Interaction::Command(c) => (c.id, c.token.clone(), convert::command(c)),
            Interaction::Autocomplete(c) => (c.id, c.token.clone(), convert::autocomplete(c)),
            Interaction::Component(c) => (c.id, c.token.clone(), convert::component(c)),
            _ => return,
        };
        let (response, label) = match &request {
            Some(request) => (respond(&self.engine, request), label(request)),
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
        let Response::Message(reply) = respond(&self.engine, &request) else { return };
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
