//! What the bot may do in a channel, asked of Discord over REST (the router's `ChannelAccess`).

use crate::highlights::permissions::{self, Overwrite, Target};
use crate::router::ChannelAccess;
use serenity::all::{Channel, ChannelId, GuildId, Http, PermissionOverwriteType, UserId};
use std::sync::{Arc, OnceLock};
use tracing::warn;

/// The bot's permissions computed from its roles and the channel's overwrites.
pub struct HttpAccess {
    /// Set once the client exists (the gateway's client is built after its handler).
    http: OnceLock<Arc<Http>>,
    /// The bot's own user id (from the token).
    me: u64,
}

#[async_trait::async_trait]
impl ChannelAccess for HttpAccess {
    async fn missing(&self, guild: u64, channel: u64) -> Vec<&'static str> {
        self.missing_in(guild, channel).await
    }
}

impl HttpAccess {
    pub fn new(me: u64) -> HttpAccess {
        HttpAccess { http: OnceLock::new(), me }
    }

    pub fn with_http(me: u64, http: Arc<Http>) -> HttpAccess {
        let access = HttpAccess::new(me);
        access.set_http(http);
        access
    }

    pub fn set_http(&self, http: Arc<Http>) {
        let _ = self.http.set(http);
    }

    async fn missing_in(&self, guild: u64, channel: u64) -> Vec<&'static str> {
        let Some(http) = self.http.get() else { return Vec::new() };
        if self.me == 0 || guild == 0 || channel == 0 {
            return Vec::new();
        }
        let (guild, me) = (GuildId::new(guild), UserId::new(self.me));
        let channel = match http.get_channel(ChannelId::new(channel)).await {
            Ok(Channel::Guild(c)) => c,
            Ok(_) => return Vec::new(),
            Err(e) => {
                warn!(error = %e, "cannot read the channel to check permissions");
                return vec!["View Channel"];
            }
        };
        let (roles, member) = match (http.get_guild_roles(guild).await, http.get_member(guild, me).await) {
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
}
