//! `marquee run` and `marquee serve`: configuration, logging, the store, signals (SIGHUP reloads,
//! SIGINT/SIGTERM stop), `--watch`, then the gateway bot or the HTTP endpoint.

use super::env::{BotEnv, EndpointEnv, LogEnv};
use super::failure::Failure;
use marquee::config::{ConfigError, LogFormat, Settings, Shards, LOG_FILTER_VAR};
use marquee::discord;
use marquee::discord::access::HttpAccess;
use marquee::endpoint::Endpoint;
use marquee::health::Health;
use marquee::router::Router;
use marquee::search::SharedEngine;
use marquee::store::{Database, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

pub fn run(
    env: &BotEnv,
    content: Option<&Path>,
    sentence: Option<&Path>,
    watch: bool,
    metrics: Option<&str>,
    shards: Shards,
) -> Result<(), Failure> {
    // Configuration first: a missing token is one clear line, before anything connects.
    let settings = Settings { shards, ..env.settings()? };
    let database = env.database.database()?;
    init_logging(&env.log)?;
    marquee::metrics::get().keep_queries(settings.export_queries);

    let engine = Arc::new(super::engine(content)?);
    let sentence_model = super::sentence_model(sentence)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let store = open_store(&runtime, &database)?;
    tracing::info!(
        items = engine.items().len(),
        guild = ?settings.guild_id,
        database = %database,
        "catalog and database loaded; connecting"
    );
    let shared = Arc::new(SharedEngine::with_sentence_model(engine, sentence_model));
    runtime.block_on(async {
        spawn_reloaders(&shared, content, watch);
        let health = Arc::new(Health::new(store.clone()));
        serve_metrics(metrics, &health).await?;
        discord::run(settings, shared, store, health, shutdown_signal()).await
    })?;
    tracing::info!("stopped");
    Ok(())
}

/// Logs to stderr through tracing, filtered by RUST_LOG (default `info`, serenity at `warn`),
/// as text or, with `MARQUEE_LOG_FORMAT=json`, one JSON object per line (for log collectors).
pub fn init_logging(env: &LogEnv) -> Result<(), Failure> {
    let format = env.format()?;
    let filter = match env.log_filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => EnvFilter::try_new(f).map_err(|e| Failure::usage(format!("{LOG_FILTER_VAR}: {e}")))?,
        // serenity logs little of use at info.
        None => EnvFilter::new("info,serenity=warn"),
    };
    // Colours only on a terminal: logs collected by a service manager stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.with_ansi(ansi).init(),
    }
    Ok(())
}

/// `marquee serve`: the HTTP interactions endpoint.
pub fn serve(
    env: &BotEnv,
    key: &EndpointEnv,
    listen: &str,
    content: Option<&Path>,
    sentence: Option<&Path>,
    watch: bool,
    metrics: Option<&str>,
) -> Result<(), Failure> {
    let public_key = marquee::config::public_key(key.public_key.as_deref())?;
    let verifier =
        marquee::endpoint::verifier(&public_key).ok_or_else(|| ConfigError::public_key(&public_key))?;
    // The same settings as `run`: the token checks the bot's access before subscribing a
    // channel, and the database holds the highlight subscriptions.
    let settings = env.settings()?;
    let database = env.database.database()?;
    init_logging(&env.log)?;
    marquee::metrics::get().keep_queries(settings.export_queries);
    let engine = Arc::new(super::engine(content)?);
    let sentence_model = super::sentence_model(sentence)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let store = open_store(&runtime, &database)?;
    let shared = Arc::new(SharedEngine::with_sentence_model(engine, sentence_model));
    runtime.block_on(async {
        let http = Arc::new(discord::http_client(&settings.token, settings.api_base.as_deref()));
        let access = Arc::new(HttpAccess::with_http(settings.bot_id().unwrap_or(0), http.clone()));
        let health = Arc::new(Health::new(store.clone()));
        let router = Arc::new(Router::new(shared.clone(), store, access));
        // Registration is the gateway's job: read the ids it got, for clickable commands.
        let guild = settings.guild_id;
        if let Some(ids) =
            discord::registration::registered_ids(&http, settings.bot_id().unwrap_or(0), guild).await
        {
            router.set_command_ids(ids);
        }
        let rest =
            discord::rest::Rest::new(&settings.token, settings.api_base.as_deref(), Default::default());
        let endpoint = Arc::new(Endpoint::new(verifier, router, Arc::new(rest)));
        spawn_reloaders(&shared, content, watch);
        serve_metrics(metrics, &health).await?;
        let listener = tokio::net::TcpListener::bind(listen).await?;
        marquee::endpoint::serve(listener, endpoint.clone(), shutdown_signal()).await?;
        endpoint.inflight.drain().await;
        anyhow::Ok(())
    })?;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the store. A database that cannot be opened (corrupt, newer schema, unreachable)
/// stops the process with a clear message and is left untouched: nothing is lost, and a
/// service manager's restart loop does no harm. Opened on `runtime`, which then runs it.
pub fn open_store(runtime: &tokio::runtime::Runtime, database: &Database) -> Result<Arc<dyn Store>, Failure> {
    Ok(runtime.block_on(database.open())?)
}

/// Starts the admin listener (metrics and health) when asked for; a port that cannot be bound is
/// an error at start.
async fn serve_metrics(addr: Option<&str>, health: &Arc<Health>) -> std::io::Result<()> {
    if let Some(addr) = addr {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tokio::spawn(marquee::admin::serve(listener, health.clone(), std::future::pending()));
    }
    Ok(())
}

/// Reloads the catalog from `content` on SIGHUP.
async fn reload_on_hangup(shared: Arc<SharedEngine>, content: Option<PathBuf>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangup) = signal(SignalKind::hangup()) else { return };
        while hangup.recv().await.is_some() {
            match &content {
                Some(dir) => {
                    let _ = shared.reload_from(dir, "SIGHUP").await;
                }
                None => tracing::info!(
                    "SIGHUP: the catalog is built into the binary; run with --content DIR to reload one"
                ),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (shared, content);
}

/// Reloads the catalog when a file under `dir` changes (`--watch`).
async fn reload_on_change(shared: Arc<SharedEngine>, dir: PathBuf) {
    marquee::search::when_changed(&dir, marquee::catalog::WATCH_EVERY, || async {
        let _ = shared.reload_from(&dir, "content changed").await;
    })
    .await;
}

/// Starts the reloaders of `run` and `serve`: SIGHUP always, file changes with `--watch`.
fn spawn_reloaders(shared: &Arc<SharedEngine>, content: Option<&Path>, watch: bool) {
    tokio::spawn(reload_on_hangup(shared.clone(), content.map(Path::to_path_buf)));
    if let (true, Some(dir)) = (watch, content) {
        tracing::info!(dir = %dir.display(), "watching the content folder for changes");
        tokio::spawn(reload_on_change(shared.clone(), dir.to_path_buf()));
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}
