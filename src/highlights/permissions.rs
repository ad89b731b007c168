//! Discord's permission arithmetic for one member in one channel (base role permissions, then
//! channel overwrites for @everyone, roles, the member), to tell a moderator exactly what the
//! bot is missing before subscribing a channel.

pub const VIEW_CHANNEL: u64 = 1 << 10;
pub const SEND_MESSAGES: u64 = 1 << 11;
pub const EMBED_LINKS: u64 = 1 << 14;
pub const ADMINISTRATOR: u64 = 1 << 3;
pub const MANAGE_CHANNELS: u64 = 1 << 4;

/// What posting a highlight needs, with the names Discord's settings use.
pub const FOR_POSTING: [(u64, &str); 3] =
    [(VIEW_CHANNEL, "View Channel"), (SEND_MESSAGES, "Send Messages"), (EMBED_LINKS, "Embed Links")];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Role(u64),
    Member(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    pub target: Target,
    pub allow: u64,
    pub deny: u64,
}

/// The member's permissions in a channel. `roles` are (role id, permissions) of the guild; the
/// @everyone role's id is the guild id.
pub fn in_channel(
    guild_id: u64,
    roles: &[(u64, u64)],
    member_id: u64,
    member_roles: &[u64],
    overwrites: &[Overwrite],
) -> u64 {
    let role_perms = |id: u64| roles.iter().find(|(r, _)| *r == id).map_or(0, |(_, p)| *p);
    let mut perms = role_perms(guild_id);
    for r in member_roles {
        perms |= role_perms(*r);
    }
    if perms & ADMINISTRATOR != 0 {
        return u64::MAX;
    }
    if let Some(o) = overwrites.iter().find(|o| o.target == Target::Role(guild_id)) {
        perms = (perms & !o.deny) | o.allow;
    }
    let (mut allow, mut deny) = (0, 0);
    for o in overwrites {
        if let Target::Role(r) = o.target {
            if r != guild_id && member_roles.contains(&r) {
                allow |= o.allow;
                deny |= o.deny;
            }
        }
    }
    perms = (perms & !deny) | allow;
    if let Some(o) = overwrites.iter().find(|o| o.target == Target::Member(member_id)) {
        perms = (perms & !o.deny) | o.allow;
    }
    perms
}

/// The names of the permissions posting needs that `perms` lacks.
pub fn missing_for_posting(perms: u64) -> Vec<&'static str> {
    FOR_POSTING.iter().filter(|(bit, _)| perms & bit == 0).map(|(_, name)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = 1;
    const ME: u64 = 9;

    #[test]
    fn overwrites_apply_in_order() {
        let roles = [(G, VIEW_CHANNEL | SEND_MESSAGES), (5, EMBED_LINKS)];
        assert_eq!(missing_for_posting(in_channel(G, &roles, ME, &[5], &[])), Vec::<&str>::new());
        assert_eq!(missing_for_posting(in_channel(G, &roles, ME, &[], &[])), ["Embed Links"]);
        let deny_everyone_send = Overwrite { target: Target::Role(G), allow: 0, deny: SEND_MESSAGES };
        assert_eq!(
            missing_for_posting(in_channel(G, &roles, ME, &[5], &[deny_everyone_send])),
            ["Send Messages"]
        );
        let allow_role = Overwrite { target: Target::Role(5), allow: SEND_MESSAGES, deny: 0 };
        assert!(missing_for_posting(in_channel(G, &roles, ME, &[5], &[deny_everyone_send, allow_role]))
            .is_empty());
        let deny_me = Overwrite { target: Target::Member(ME), allow: 0, deny: VIEW_CHANNEL };
        assert_eq!(missing_for_posting(in_channel(G, &roles, ME, &[5], &[deny_me])), ["View Channel"]);
        let admin = [(G, 0), (7, ADMINISTRATOR)];
        assert!(missing_for_posting(in_channel(G, &admin, ME, &[7], &[deny_me])).is_empty());
    }
}
