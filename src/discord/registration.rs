//! The slash commands' ids, read back from Discord: what the endpoint-only deployment (which
//! registers nothing) needs to write commands as clickable mentions.

use crate::commands::CommandIds;
use serde_json::Value;
use serenity::all::{ApplicationId, GuildId, Http, LightMethod, Request, Route};
use tracing::{info, warn};

/// `GET /applications/{id}/commands` (or the server's, for a development registration), once.
/// `None` when Discord cannot be asked or answers nothing usable: commands then stay plain
/// `/search` text.
pub async fn registered_ids(http: &Http, application_id: u64, guild: Option<u64>) -> Option<CommandIds> {
    if application_id == 0 {
        return None;
    }
    let application_id = ApplicationId::new(application_id);
    let route = match guild.filter(|g| *g != 0) {
        Some(guild) => Route::GuildCommands { application_id, guild_id: GuildId::new(guild) },
        None => Route::Commands { application_id },
    };
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
