//! The thin Discord layer: a serenity gateway client whose handler decodes events for the
//! one interaction router (`crate::router`) and sends back what it answers.

pub mod access;
mod handler;
pub mod poster;
pub mod ratelimit;
pub mod registration;
pub mod rest;
pub mod send;

use crate::box_future::BoxFuture;
use crate::config::{Settings, Shards};
use crate::health::Health;
use crate::inflight::InFlight;
use crate::router::incoming::Interaction;
use crate::router::Router;
use crate::search::SharedEngine;
use handler::Handler;
use serenity::all::ClientBuilder;
use serenity::all::{GatewayIntents, GuildId, HttpBuilder};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tracing::{info, warn};

/// Mentions need only these; message content arrives for messages that mention the bot
/// without the privileged Message Content intent.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES
}

/// Runs the gateway bot until `shutdown` completes, then closes the shards and lets in-flight
/// replies finish (for at most `inflight::REPLY_DRAIN`). `health` learns the shards once they are known.
pub async fn run(
    settings: Settings,
    engine: Arc<SharedEngine>,
    store: Arc<dyn crate::store::Store>,
    health: Arc<Health>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let inflight = InFlight::default();
    let access = Arc::new(access::HttpAccess::new(settings.bot_id().unwrap_or(0)));
    let router = Arc::new(Router::new(engine, store, access.clone()));
    // One client, so one set of rate limits, for the highlight posts and the interaction answers.
    let mut rest = rest::Rest::new(&settings.token, settings.api_base.as_deref(), Default::default());
    if let Some(deadline) = crate::highlights::scheduler::Timing::from_env().rest_deadline {
        rest.deadline = deadline;
    }
    let handler = Handler::new(
        router,
        settings.guild_id.map(GuildId::new),
        inflight.clone(),
        settings.catchup,
        settings.shards.has_first(),
        // Events may be handled before READY's handler runs: know who "me" is from the start.
        settings.bot_id(),
        Arc::new(rest),
    );
    let http = http_client(&settings.token, settings.api_base.as_deref());
    let mut builder = ClientBuilder::new_with_http(http, intents()).raw_event_handler(handler);
    if let Some(presence) = &settings.presence {
        // Sent with every IDENTIFY, so each new session shows it again.
        builder = builder.activity(serenity::all::ActivityData::custom(presence.clone()));
    }
    let mut client = builder.await?;
    access.set_http(client.http.clone());
    let shards = client.shard_manager.clone();
    info!(shards = %settings.shards, "starting gateway shards");
    if !settings.shards.has_first() {
        info!("slash commands are registered by the process that runs shard 0");
    }
    let start = async {
        let (first, last, total) = match settings.shards {
            Shards::Auto => {
                let total = recommended_shards(&client.http).await?;
                info!(total, "shard count recommended by Discord");
                (0, total - 1, total)
            }
            Shards::Range { first, last, total } => (first, last, total),
        };
        health.watch_shards(Arc::new(GatewayShards { manager: shards.clone(), ids: first..=last }));
        // serenity's range includes its end: `first..last` runs shards first to last.
        client.start_shard_range(first..last, total).await
    };
    tokio::pin!(start);
    let result = tokio::select! {
        result = &mut start => result,
        () = shutdown => {
            info!("shutting down: closing shards");
            shards.shutdown_all().await;
            start.await
        }
    };
    inflight.drain().await;
    result.map_err(Into::into)
}

/// The shards this process runs, as `/healthz` reports them: live when serenity's runner for it
/// is connected; a shard not booted yet (serenity starts one every 5 s) is "starting".
struct GatewayShards {
    manager: Arc<serenity::all::ShardManager>,
    ids: std::ops::RangeInclusive<u32>,
}

#[async_trait::async_trait]
impl crate::health::Shards for GatewayShards {
    async fn states(&self) -> Vec<(u32, bool, String)> {
        let runners = self.manager.runners.lock().await;
        self.ids
            .clone()
            .map(|id| match runners.get(&serenity::all::ShardId(id)) {
                Some(info) => {
                    let live = info.stage == serenity::all::ConnectionStage::Connected;
                    (id, live, format!("{:?}", info.stage).to_lowercase())
                }
                None => (id, false, "starting".to_string()),
            })
            .collect()
    }
}

/// serenity's REST client for `token`; `api_base` points it at a fake Discord in tests (its own
/// base URL, and no rate-limit bookkeeping: serenity's rate limiter sends to discord.com
/// whatever the base URL). The highlight posts and the interaction answers go through
/// `rest::Rest` instead, whose rate limiter runs the same way in tests and in production.
///
/// Its application id starts as the bot's id from the token (a bot's application has its id)
/// and becomes the application READY names once a gateway connects (command registration).
pub fn http_client(token: &str, api_base: Option<&str>) -> serenity::all::Http {
    let mut http = HttpBuilder::new(token);
    if let Some(id) = crate::config::bot_id_in(token).filter(|&id| id > 0) {
        http = http.application_id(serenity::all::ApplicationId::new(id));
    }
    if let Some(base) = api_base {
        http = http.proxy(base.trim_end_matches('/')).ratelimiter_disabled(true);
    }
    http.build()
}

/// Completes a deferred answer, the one way for the gateway and the endpoint: waits for its
/// message (`then`) and sends it through `rest` (the process's rate limits; a 429 is waited out
/// while the token lives, 15 minutes from `started`) as the edit of the original response, to
/// the application the interaction names or, when it names none, to `application` (the
/// gateway's, from READY) or else the token's bot id. Returns whether Discord took the edit.
/// (The playground shows the message on its page.)
pub async fn complete_deferred(
    rest: &rest::Rest,
    application: Option<u64>,
    interaction: &Interaction,
    then: BoxFuture<'static, serde_json::Value>,
    started: std::time::Instant,
) -> bool {
    let application =
        interaction.application_id.or(application).filter(|&a| a > 0).unwrap_or_else(|| rest.bot_id());
    let body = then.await;
    send::edit_original(rest, application, &interaction.token, &body, started).await
}

/// The HTTP status of a failed REST call, if Discord answered at all.
pub(crate) fn http_status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(h) => h.status_code().map(|s| s.as_u16()),
        _ => None,
    }
}

/// Discord's recommended shard count (GET /gateway/bot). A 429, a 5xx or no answer at start-up
/// is waited out (1, 2, 4, 8 s) rather than ending the process; a refused token is not.
async fn recommended_shards(http: &serenity::all::Http) -> serenity::Result<u32> {
    let mut delay = Duration::from_secs(1);
    let mut attempt = 1;
    loop {
        match http.get_bot_gateway().await {
            Ok(gateway) => return Ok(gateway.shards.max(1)),
            Err(e) if attempt < 5 && http_status(&e).is_none_or(|s| s == 429 || s >= 500) => {
                warn!(attempt, error = %e, "could not ask Discord for the shard count; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// What the bot needs in a channel: see it, post there, embed links, and read history (a reply
/// to a mention references the message). Interaction replies need no permission at all.
pub const PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16);

/// The OAuth2 URL that adds the bot (and its slash commands) to a server.
pub fn invite_url(client_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={client_id}&permissions={PERMISSIONS}&scope=bot%20applications.commands"
    )
}

/// The OAuth2 URL with which a member adds the app's commands to their own account (a user
/// install, `integration_type=1`): no bot and no permissions, usable in any server and DM.
pub fn user_install_url(client_id: u64) -> String {
    format!("https://discord.com/oauth2/authorize?client_id={client_id}&integration_type=1&scope=applications.commands")
}
