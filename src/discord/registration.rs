//! Registering the commands, and their ids as Discord gave them: what replies need to write
//! commands as clickable mentions. Discord's answer is decoded leniently (only ids, names,
//! types and subcommands are read), so a field it adds or leaves out cannot fail registration.

use crate::commands::CommandIds;
use serde_json::Value;
use serenity::all::{ApplicationId, GuildId, Http, LightMethod, Request, Route};
use tracing::{info, warn};

fn route(application_id: ApplicationId, guild: Option<u64>) -> Route<'static> {
    match guild.filter(|g| *g != 0) {
        Some(guild) => Route::GuildCommands { application_id, guild_id: GuildId::new(guild) },
        None => Route::Commands { application_id },
    }
}

/// `PUT /applications/{id}/commands` (or the server's): replaces every command with `commands`;
/// the ids Discord gave them.
pub async fn register(
    http: &Http,
    application_id: u64,
    guild: Option<u64>,
    commands: &Value,
) -> Result<CommandIds, String> {
    if application_id == 0 {
        return Err("no application id".into());
    }
    let body = serde_json::to_vec(commands).map_err(|e| e.to_string())?;
    let request =
        Request::new(route(ApplicationId::new(application_id), guild), LightMethod::Put).body(Some(body));
    let response = http.request(request).await.map_err(|e| e.to_string())?;
    let answer = response.bytes().await.map_err(|e| e.to_string())?;
    let listed: Value = serde_json::from_slice(&answer).map_err(|e| format!("Discord's answer: {e}"))?;
    Ok(CommandIds::from_registered(&listed))
}

/// `GET /applications/{id}/commands` (or the server's, for a development registration), once.
/// `None` when Discord cannot be asked or answers nothing usable: commands then stay plain
/// `/search` text.
pub async fn registered_ids(http: &Http, application_id: u64, guild: Option<u64>) -> Option<CommandIds> {
    if application_id == 0 {
        return None;
    }
    let route = route(ApplicationId::new(application_id), guild);
    let answer = match http.request(Request::new(route, LightMethod::Get)).await {
        Ok(response) => response.bytes().await.ok(),
        Err(e) => {
            warn!(error = %e, "could not read the registered commands; commands are shown as plain text");
            return None;
        }
    };
    let ids = answer
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .map(|v| CommandIds::from_registered(&v));
    match ids {
        Some(ids) if !ids.is_empty() => {
            info!(commands = ids.len(), "read the registered commands' ids");
            Some(ids)
        }
        _ => {
            warn!("Discord listed no registered commands; commands are shown as plain text");
            None
        }
    }
}
